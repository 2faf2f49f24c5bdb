"""A BI tool's first hour (issue 17 item 2): for every role, the relations it may read answer
`select *`, they are listed in privacy.my_relations with what they hold, and every column of the
reporting and MIS views is commented like the tables."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from .test_access import MATRIX_ROLES, grant_persona


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_every_listed_relation_answers_select_star(logins, role):
    me = grant_persona(logins, role, login=f"bi_{role}")
    listed = me.execute("select schema_name, relation_name, holds from privacy.my_relations").fetchall()
    assert listed, f"{role}: nothing listed"
    failed = []
    for schema, name, holds in listed:
        assert holds, f"{schema}.{name} has no description"
        try:
            me.execute(sql.SQL("select * from {} limit 1").format(sql.Identifier(schema, name))).fetchall()
        except psycopg.Error as e:
            failed.append(f"{schema}.{name}: {e.diag.message_primary}")
    assert not failed, f"{role}: " + "; ".join(failed)
    # what it reads of a personal-data table, it finds as a select * view
    tables = {r[0] for r in logins.admin.execute(
        "select distinct table_name from information_schema.column_privileges "
        "where grantee = %s and table_schema = 'dossier' and privilege_type = 'SELECT' "
        "and table_name in (select table_name from privacy.personal_table)", (role,))}
    names = {n for s, n, _ in listed if s == "reporting"}
    assert {f"{role}_{t}" for t in tables} <= names


def test_role_views_grant_nothing_the_table_does_not(logins):
    """The views are security_invoker: a school manager's view of person_record shows its rows only."""
    me = grant_persona(logins, "school_manager", login="bi_scope")
    via_view = me.execute("select count(*) from reporting.school_manager_person_record").fetchone()[0]
    via_table = me.execute("select count(id) from dossier.person_record").fetchone()[0]
    assert via_view == via_table > 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        me.execute("select * from reporting.hr_officer_person_record")


def test_every_reporting_and_mis_column_is_commented(demo_admin):
    missing = demo_admin.execute(
        """select n.nspname || '.' || c.relname || '.' || a.attname
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
             join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where n.nspname in ('reporting', 'mis') and c.relkind = 'v'
              and col_description(c.oid, a.attnum) is null
            order by 1""").fetchall()
    assert missing == []
