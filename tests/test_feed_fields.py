"""The HR feed's field list in one place (issue 18 item 4): dossier.feed_field()
(db/functions/1300_import.sql) is the list; the staging table, the typed table, the compare and
MERGE column lists and the importer's privileges are made from it, and importer.FIELDS is checked
against it here. A field added to the list alone reaches all of them."""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg
import pytest

from dossier import importer
from dossier.importer import FIELDS

from .conftest import ROOT

ORG = "TST-FEED"


def record_columns(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        "select record_column from dossier.feed_field() where record_column is not null order by ordinal")]


def test_python_fields_are_the_database_list(conn):
    assert conn.execute("select dossier.feed_columns()").fetchone()[0] == list(FIELDS)
    assert [r[0] for r in conn.execute("select name from dossier.feed_field() order by ordinal")] == list(FIELDS)


def test_staging_table_is_made_from_the_list(conn):
    with conn.transaction(force_rollback=True):
        conn.execute("set local role dossier_importer")
        conn.execute("select dossier.import_stage()")
        cols = [r[0] for r in conn.execute(
            "select attname from pg_attribute where attrelid = 'pg_temp.hr_staging'::regclass "
            "and attnum > 0 and not attisdropped order by attnum")]
    assert cols == ["line", *FIELDS]


def test_importer_privileges_follow_the_list(conn):
    """The importer may update exactly unit_id and the record columns the feed fills (not its key),
    and read and insert each of them; on employment, the employment columns."""
    def held(table: str, privilege: str) -> set[str]:
        return {r[0] for r in conn.execute(
            "select column_name from privacy.actual_privilege where role = 'dossier_importer' "
            "and object_name = %s and privilege = %s and column_name is not null", (table, privilege))}

    feed = set(record_columns(conn))
    key = {r[0] for r in conn.execute("select record_column from dossier.feed_field() where kind = 'key'")}
    assert held("person_record", "UPDATE") == (feed - key) | {"unit_id"}
    assert feed <= held("person_record", "SELECT") and feed <= held("person_record", "INSERT")
    jobs = {r[0] for r in conn.execute(
        "select employment_column from dossier.feed_field() where employment_column is not null")}
    assert held("employment", "UPDATE") == jobs == {"position", "started_on", "ended_on_job"}


def test_a_template_with_an_unknown_list_is_refused(conn):
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="no list named {{t.no_such_list}}"):
        conn.execute("select dossier.feed_sql('select {{t.record_fields}}, {{t.no_such_list}}')")
    got = conn.execute("select dossier.feed_sql('({{s.employment_fields}}) {{employment_set}}')").fetchone()[0]
    assert got == ('(s.start_date, s.end_date, s.function) started_on = s.start_date, '
                   'ended_on_job = s.end_date, "position" = s.function')


def write(path: Path, fields: tuple[str, ...], rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(fields)
        for r in rows:
            w.writerow([r.get(c, "") for c in fields])
    return path


def test_a_field_added_to_the_list_reaches_staging_compare_merge_and_privileges(conn, tmp_path, monkeypatch):
    """One row more in dossier.feed_field() (city → person_record.city), the import file and the
    access matrix applied again as `dossier migrate` does: the feed carries the city into new
    records, a changed city is an update, an unchanged one is not, with no other edit."""
    src = (ROOT / "db/functions/1300_import.sql").read_text()
    last = "(21, 'team', 'unit', null, null))"
    assert last in src
    conn.execute("set role dossier_owner")
    conn.execute(src.replace(last, "(21, 'team', 'unit', null, null), (22, 'city', 'text', 'city', null))"))
    conn.execute((ROOT / "db/policies/1000_access_matrix.sql").read_text())
    conn.execute("call privacy.apply_access()")
    conn.execute("reset role")
    assert conn.execute("select has_column_privilege('dossier_importer', 'dossier.person_record', 'city', "
                        "'UPDATE')").fetchone()[0]

    conn.execute("insert into dossier.org_unit (code, name, kind) values (%s, 'Feed test', 'organisation')", (ORG,))
    fields = (*FIELDS, "city")
    monkeypatch.setattr(importer, "FIELDS", fields)
    person = dict(person_id="F1", surname="Veld", initials="V.", gender="X", start_date="2020-01-01",
                  function="Analist", kolom="Rijk", city="Utrecht")
    s1 = importer.import_hr(conn, write(tmp_path / "a.csv", fields, [person]), ORG, into="A2")
    assert (s1["inserted"], s1["updated"]) == (1, 0)
    s2 = importer.import_hr(conn, write(tmp_path / "b.csv", fields, [person]), ORG, into="A2")
    assert (s2["inserted"], s2["updated"], s2["unchanged"]) == (0, 0, 1)
    s3 = importer.import_hr(conn, write(tmp_path / "c.csv", fields, [{**person, "city": "Zwolle"}]), ORG, into="A2")
    assert (s3["updated"], s3["unchanged"]) == (1, 0)
    assert conn.execute("select city from dossier.person_record where admin_number = 'F1'").fetchone()[0] == "Zwolle"
