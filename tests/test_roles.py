"""No escalation through role administration (issue 19.1), grants that refuse technical logins
and duplicates (14.6), passwords for tools (17.1), sessions that end with their grant (19.6).
Each attack runs as the role the issue names; roles are cluster-wide, so every role made here
is dropped afterwards."""

from __future__ import annotations

import json
import re

import psycopg
import pytest
from psycopg import sql

from dossier.access import scram_verifier

from .conftest import run_cli

SCHOOL = "DEMO-EDU-S1"
ORG = "DEMO-EDU"


@pytest.fixture
def ada(cluster, demo_db, logins):
    """Ada, an operator: a plain login a superuser made a member of dossier_admin."""
    admin = logins.admin
    admin.execute('create role "Ada_Admin" login')
    admin.execute('grant dossier_admin to "Ada_Admin"')
    logins.made.append("Ada_Admin")
    return logins.connect("Ada_Admin")


def refused(conn: psycopg.Connection, query: str, params=None) -> str:
    """The error PostgreSQL gives for query (it must fail)."""
    with pytest.raises(psycopg.Error) as e:
        conn.execute(query, params)
    return str(e.value)


def drift(cluster, demo_db) -> tuple[int, set[tuple[str, str]]]:
    p = run_cli("policy", "check", "--format", "json", dsn=cluster.dsn(demo_db))
    return p.returncode, {(r["kind"], r["object"]) for r in json.loads(p.stdout or "[]")}


# -- 19.1: dossier_admin becomes superuser, unseen ------------------------------------------
def test_dossier_admin_cannot_grant_itself_superuser_programs_or_the_owner(ada, logins):
    assert not logins.admin.execute(
        "select rolcreaterole from pg_roles where rolname = 'dossier_admin'").fetchone()[0]
    ada.execute("set role dossier_admin")
    for attack in ('grant dossier_owner, pg_execute_server_program to "Ada_Admin"',
                   'grant dossier_owner to "Ada_Admin"',
                   'grant pg_read_server_files to "Ada_Admin"',
                   "create role evil login",
                   "alter role dossier_owner login",
                   "alter role dossier_cron nologin",
                   "alter role dossier_owner set search_path = pg_temp, public",
                   "grant hr_officer to \"Ada_Admin\""):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ada.execute(attack)
    ada.execute("reset role")
    for attack in ("copy (select 1) to program 'id'",
                   "alter table dossier_store.person_record no force row level security"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ada.execute(attack)
    assert not logins.admin.execute(
        "select pg_has_role('Ada_Admin', 'dossier_owner', 'MEMBER') "
        "or pg_has_role('Ada_Admin', 'pg_execute_server_program', 'MEMBER')").fetchone()[0]


def test_role_functions_grant_the_matrix_roles_and_nothing_else(ada):
    for role in ("dossier_owner", "dossier_retention", "dossier_importer", "dossier_admin",
                 "pg_execute_server_program", "postgres"):
        assert "unknown role" in refused(ada, "select privacy.grant_access('x_evil', %s, %s)", (role, ORG))
    for login in ("postgres", "dossier_cron", "dossier_owner", "hr_officer", "Ada_Admin"):
        assert re.search("refusing|reserved", refused(
            ada, "select privacy.grant_access(%s, 'hr_advisor', %s)", (login, ORG))), login
    # the register is written by the functions only: no forged granted_by
    assert "permission denied" in refused(
        ada, "insert into privacy.role_grant (login, role, unit_id, reason, granted_by) "
             "values ('x', 'hr_officer', 1, 'r', 'someone')")


def test_grant_and_revoke_work_for_a_dossier_admin_member(cluster, demo_db, ada, logins):
    dsn = cluster.dsn(demo_db, user="Ada_Admin")
    p = run_cli("grant", "Bo_Bi", "school_manager", "--unit", SCHOOL, dsn=dsn)
    logins.made.append("Bo_Bi")
    assert p.returncode == 0, p.stderr
    row = logins.admin.execute("select granted_by from privacy.role_grant where login = 'Bo_Bi'").fetchone()
    assert row == ("Ada_Admin",)
    assert logins.admin.execute("select pg_has_role('Bo_Bi', 'school_manager', 'MEMBER')").fetchone()[0]
    assert drift(cluster, demo_db)[0] == 0
    p = run_cli("revoke", "Bo_Bi", "school_manager", dsn=dsn)
    assert p.returncode == 0, p.stderr
    assert not logins.admin.execute("select pg_has_role('Bo_Bi', 'school_manager', 'MEMBER')").fetchone()[0]


def test_policy_check_reports_every_undeclared_membership_attribute_and_setting(cluster, demo_db, logins):
    """The attacks of 19.1 that only a superuser can do now, and the one a login can still do
    (its own role settings): each is reported."""
    assert drift(cluster, demo_db)[0] == 0
    admin = logins.admin
    logins.grant("Eve_Owner", "hr_advisor", ORG)
    logins.grant("Rex_Retention", "school_manager", SCHOOL)
    logins.grant("Sam_Self_Set", "school_manager", SCHOOL)
    admin.execute('grant dossier_owner to "Eve_Owner"')
    admin.execute('grant dossier_retention to "Rex_Retention"')
    admin.execute('grant pg_execute_server_program to "Eve_Owner"')
    admin.execute('alter role "Rex_Retention" bypassrls')
    admin.execute("create role ops_createrole login createrole")
    logins.made.append("ops_createrole")
    admin.execute("create role side_door login")
    logins.made.append("side_door")
    admin.execute('grant "Eve_Owner" to side_door')        # inherits Eve's roles
    sam = logins.connect("Sam_Self_Set")
    sam.execute("alter role current_user set statement_timeout = 0")    # PostgreSQL lets it
    try:   # roles are cluster-wide: put the group roles back whatever happens
        admin.execute("alter role dossier_cron nologin")
        admin.execute("alter role dossier_owner set search_path = pg_temp, public")
        admin.execute("alter role hr_officer createrole")
        rc, found = drift(cluster, demo_db)
    finally:
        admin.execute("alter role dossier_cron login")
        admin.execute("alter role dossier_owner reset all")
        admin.execute("alter role hr_officer nocreaterole")
    assert rc == 1
    expected = {
        ("role membership", "Eve_Owner is a member of dossier_owner"),
        ("role membership", "Rex_Retention is a member of dossier_retention"),
        ("role membership", "Eve_Owner is a member of pg_execute_server_program"),
        ("role attribute", "dossier_cron"),
        ("role setting", "dossier_owner: search_path=pg_temp, public"),
        ("role attribute", "hr_officer"),
        ("role attribute", "Rex_Retention"),
        ("role attribute", "ops_createrole"),
        ("role setting", "Sam_Self_Set: statement_timeout=0"),
        ("role membership", "side_door is a member of Eve_Owner"),
    }
    assert expected <= found, expected - found


# -- 14.6: technical logins and duplicates ---------------------------------------------------
def test_grant_refuses_technical_logins(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    logins.admin.execute("create role feed_login login")
    logins.admin.execute("grant dossier_importer to feed_login")
    logins.made.append("feed_login")
    for login in ("dossier_cron", "feed_login"):
        p = run_cli("grant", login, "school_manager", "--unit", SCHOOL, dsn=dsn)
        assert p.returncode == 1 and "technical login" in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
    n = logins.admin.execute("select count(*) from privacy.role_grant where login in ('dossier_cron', 'feed_login')")
    assert n.fetchone()[0] == 0
    assert not logins.admin.execute("select pg_has_role('dossier_cron', 'school_manager', 'MEMBER')").fetchone()[0]


def test_granting_twice_says_so_and_changes_nothing(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    run_cli("grant", "Dup_Dora", "school_manager", "--unit", SCHOOL, dsn=dsn, check=True)
    logins.made.append("Dup_Dora")
    before = logins.admin.execute("select count(*) from privacy.role_grant").fetchone()[0]
    p = run_cli("grant", "Dup_Dora", "school_manager", "--unit", SCHOOL, "--reason", "again", dsn=dsn)
    assert p.returncode == 1 and "grant already exists" in p.stderr and "nothing changed" in p.stderr
    assert logins.admin.execute("select count(*) from privacy.role_grant").fetchone()[0] == before


# -- 17.1: a login a reporting tool can use ----------------------------------------------------
def tcp(cluster, db: str, login: str, password: str) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=cluster.port, dbname=db, user=login, password=password,
                           sslmode="disable", connect_timeout=5)


def test_grant_with_password_connects_over_tcp_with_scram(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    p = run_cli("grant", "bi.school", "school_manager", "--unit", SCHOOL, "--password", dsn=dsn, input="")
    logins.made.append("bi.school")
    assert p.returncode == 0, p.stderr
    password = re.search(r"store it now\): (\S+)", p.stdout)[1]
    verifier = logins.admin.execute("select rolpassword from pg_authid where rolname = 'bi.school'").fetchone()[0]
    assert verifier.startswith("SCRAM-SHA-256$4096:") and password not in verifier
    with tcp(cluster, demo_db, "bi.school", password) as c:
        assert c.execute("select count(*) from dossier.person_record").fetchone()[0] > 0
        assert c.execute("select current_setting('password_encryption')").fetchone()[0] == "scram-sha-256"
    # rotation: the old password stops working, the new one works
    p = run_cli("password", "bi.school", dsn=dsn, input="")
    assert p.returncode == 0, p.stderr
    new = re.search(r"store it now\): (\S+)", p.stdout)[1]
    assert new != password
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        tcp(cluster, demo_db, "bi.school", password)
    tcp(cluster, demo_db, "bi.school", new).close()
    # no password for logins without a grant, nor anything but a verifier
    assert "no login" in refused(logins.admin, "select privacy.set_password('postgres', %s)",
                                 (scram_verifier("x" * 12),))
    assert "not a SCRAM" in refused(logins.admin, "select privacy.set_password('bi.school', 'plain-text')")


def test_connection_limit_set_by_grant(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    run_cli("grant", "Lim_Lotte", "hr_advisor", "--unit", ORG, dsn=dsn, check=True)
    logins.made.append("Lim_Lotte")
    assert logins.admin.execute(
        "select rolconnlimit from pg_roles where rolname = 'Lim_Lotte'").fetchone()[0] == 10
    run_cli("grant", "Lim_Lars", "hr_advisor", "--unit", ORG, "--connection-limit", "2", dsn=dsn, check=True)
    logins.made.append("Lim_Lars")
    logins.connect("Lim_Lars")
    logins.connect("Lim_Lars")
    with pytest.raises(psycopg.OperationalError, match="too many connections for role"):
        logins.connect("Lim_Lars")


# -- 19.6: a revoke ends the login's sessions --------------------------------------------------
def test_revoke_and_expiry_end_the_logins_sessions(cluster, demo_db, logins):
    logins.grant("Cur_Sor", "hr_advisor", ORG)
    me = logins.connect("Cur_Sor")
    me.autocommit = False
    me.execute("declare c cursor with hold for select id from dossier.person_record")
    me.commit()
    assert me.execute("fetch 1 from c").fetchone()
    run_cli("revoke", "Cur_Sor", "hr_advisor", dsn=cluster.dsn(demo_db), check=True)
    with pytest.raises(psycopg.OperationalError):
        me.execute("fetch 1 from c")
    logins.grant("Exp_Ired", "hr_advisor", ORG, until="2099-01-01")
    other = logins.connect("Exp_Ired")
    logins.admin.execute("update privacy.role_grant set valid_from = current_date - 10, "
                         "valid_until = current_date - 1 where login = 'Exp_Ired'")
    logins.admin.execute("select privacy.expire_grants()")
    with pytest.raises(psycopg.OperationalError):
        other.execute("select 1")


def test_role_names_stay_quoted(logins):
    """A quote-needing login name goes through every role function as an identifier."""
    name = 'x"; alter role postgres nosuperuser; --'
    logins.grant(name, "hr_advisor", ORG)
    logins.admin.execute("select privacy.set_connection_limit(%s, 3)", (name,))
    logins.admin.execute("select privacy.set_password(%s, %s)", (name, scram_verifier("a-long-password")))
    logins.admin.execute("select privacy.revoke_access(%s, 'hr_advisor')", (name,))
    assert logins.admin.execute("select rolsuper from pg_roles where rolname = 'postgres'").fetchone()[0]
    assert logins.admin.execute(sql.SQL("select rolconnlimit from pg_roles where rolname = {}").format(
        sql.Literal(name))).fetchone()[0] == 3
