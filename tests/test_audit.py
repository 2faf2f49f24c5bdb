"""Change audit (tamper-evident, erasure-compatible) and read audit (pgaudit), issue 5."""

from __future__ import annotations

import json
import time

import psycopg
import pytest

from .conftest import run_cli

SCHOOL = "DEMO-EDU-S1"


def a2_record(admin, school: str = SCHOOL) -> tuple[int, int]:
    return admin.execute(
        "select r.id, r.subject_id from dossier.person_record r join dossier.org_unit u on u.id = r.unit_id "
        "where r.annex = 'A2' and u.code like %s order by r.id limit 1", (school + "%",)).fetchone()


def entries_since(admin, last_id: int) -> list[tuple]:
    return admin.execute(
        "select session_user_name, current_user_name, table_name, operation, annex, subject_id, payload "
        "from audit.change where id > %s order by id", (last_id,)).fetchall()


def last_id(admin) -> int:
    return admin.execute("select coalesce(max(id), 0) from audit.change").fetchone()[0]


def verify(dsn: str) -> tuple[int, str]:
    p = run_cli("audit", "verify", "--format", "json", dsn=dsn)
    return p.returncode, p.stdout


def test_writes_by_each_writing_role_are_recorded(logins):
    admin = logins.admin
    rec, subject = a2_record(admin)
    cases = {
        "hr_officer": ("update dossier.person_record set city = 'Demostad' where id = %s", "person_record", "UPDATE"),
        "hr_manager": ("insert into dossier.leave (record_id, leave_type, starts_on) values (%s, 'extra', '2026-03-01')",
                       "leave", "INSERT"),
        "payroll_administrator": ("delete from dossier.appraisal where record_id = %s", "appraisal", "DELETE"),
        "absence_registrar": ("insert into dossier.absence (record_id, first_day, reason_code) "
                              "values (%s, '2026-03-02', 'sickness')", "absence", "INSERT"),
    }
    for role, (stmt, table, op) in cases.items():
        logins.grant(f"w_{role}", role, SCHOOL if role == "absence_registrar" else "DEMO-EDU")
        me = logins.connect(f"w_{role}", application_name="hr-app")
        before = last_id(admin)
        me.execute(stmt, (rec,))
        got = entries_since(admin, before)
        assert got, f"{role}: no audit entry"
        assert {(g[0], g[1], g[2], g[3], g[4], g[5]) for g in got} == {(f"w_{role}", f"w_{role}", table, op, "A2", subject)}
        if op == "UPDATE":
            assert got[0][6] == {"city": [got[0][6]["city"][0], "Demostad"]}, "only the changed column, old -> new"
    app = admin.execute("select application_name from audit.change order by id desc limit 1").fetchone()[0]
    assert app == "hr-app"


def test_set_role_is_recorded_as_current_user(logins):
    admin = logins.admin
    rec, _ = a2_record(admin)
    logins.grant("w_setrole", "hr_officer", "DEMO-EDU")
    me = logins.connect("w_setrole")
    me.execute("set role hr_officer")
    before = last_id(admin)
    me.execute("update dossier.person_record set city = 'Rolstad' where id = %s", (rec,))
    assert entries_since(admin, before)[0][:2] == ("w_setrole", "hr_officer")


def test_an_update_that_changes_nothing_writes_nothing(conn):
    before = last_id(conn)
    conn.execute("insert into dossier.org_unit (code, name, kind) values ('AU', 'Audit org', 'organisation')")
    conn.execute("insert into dossier.subject (org_id) select id from dossier.org_unit where code = 'AU'")
    conn.execute("""insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname)
                    select 'A2', s.id, s.org_id, s.org_id, 'contract', 't', 'Nul' from dossier.subject s""")
    mid = last_id(conn)
    assert mid == before + 1
    conn.execute("update dossier.person_record set surname = surname")
    assert last_id(conn) == mid


def test_bulk_insert_of_10000_rows_is_fully_audited(conn, dsn):
    conn.execute("insert into dossier.org_unit (code, name, kind) values ('BULK', 'Bulk org', 'organisation')")
    conn.execute("insert into dossier.subject (org_id) select id from dossier.org_unit where code = 'BULK'")
    conn.execute("""insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname)
                    select 'A2', s.id, s.org_id, s.org_id, 'contract', 't', 'Bulk' from dossier.subject s""")
    before = last_id(conn)
    with conn.transaction():
        conn.execute("""insert into dossier.absence (record_id, annex, org_id, unit_id, subject_id, first_day, reason_code)
                        select r.id, r.annex, r.org_id, r.unit_id, r.subject_id, date '2020-01-01' + g, 'leave'
                          from dossier.person_record r, generate_series(1, 10000) g""")
    n, txids = conn.execute("select count(*), count(distinct txid) from audit.change where id > %s "
                            "and table_name = 'absence'", (before,)).fetchone()
    assert (n, txids) == (10000, 1)
    txid = conn.execute("select max(txid) from audit.change").fetchone()[0]
    assert conn.execute("select audit.seal()").fetchone()[0] >= 10000
    link = conn.execute("select n_entries from audit.chain where from_txid <= %s and upto_txid > %s",
                        (txid, txid)).fetchone()[0]
    assert link >= 10000
    assert verify(dsn)[0] == 0


def test_a_record_keeps_its_annex(demo_admin):
    """Moving a record to another annex partition would run as a DELETE and an INSERT on the
    partitions, past the update audit: refused (purpose binding, art. 5)."""
    rec = demo_admin.execute("select id from dossier.person_record where annex = 'A2' order by id limit 1").fetchone()[0]
    with pytest.raises(psycopg.errors.CheckViolation, match="keeps its annex"):
        demo_admin.execute("update dossier.person_record set annex = 'A3', admin_number = null where id = %s", (rec,))


def test_a_seal_covers_only_finished_transactions(demo_admin, demo_dsn):
    """An entry of a transaction still running when a seal is made is sealed by the next one."""
    rec = demo_admin.execute("select id from dossier.person_record where annex = 'A2' order by id limit 1").fetchone()[0]
    with psycopg.connect(demo_dsn) as other:
        other.execute("update dossier.person_record set city = 'Eerstestad' where id = %s", (rec,))
        running = other.execute("select txid_current()").fetchone()[0]
        demo_admin.execute("select audit.seal()")
        demo_admin.commit()
        covered = demo_admin.execute("select count(*) from audit.chain where from_txid <= %s and upto_txid > %s",
                               (running, running)).fetchone()[0]
        assert covered == 0
        other.commit()
    assert demo_admin.execute("select audit.seal()").fetchone()[0] >= 1
    link = demo_admin.execute("select seq from audit.chain where from_txid <= %s and upto_txid > %s",
                        (running, running)).fetchone()
    assert link is not None
    assert verify(demo_dsn)[0] == 0


def test_append_only_for_everyone_the_owner_included(logins):
    admin = logins.admin
    admin.execute("set role dossier_owner")
    for stmt in ("update audit.change set operation = 'DELETE'", "delete from audit.change",
                 "truncate audit.change", "delete from audit.chain", "update audit.chain set n_entries = 0"):
        with pytest.raises(psycopg.Error, match="append-only"):
            admin.execute(stmt)
    admin.execute("reset role")
    logins.grant("w_audit", "hr_officer", "DEMO-EDU")
    me = logins.connect("w_audit")
    for stmt in ("select * from audit.change", "insert into audit.change (current_user_name, table_name, "
                 "operation, payload_hash) values ('x', 'x', 'INSERT', '\\x00')",
                 "select audit.redact_subject(1)", "select audit.drop_expired_partitions()"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            me.execute(stmt)


@pytest.mark.parametrize("tamper, expect", [
    ("update audit.change set payload = jsonb_set(payload, '{surname}', '\"Vals\"') "
     "where id = (select min(id) from audit.change where table_name = 'person_record')", "payload does not match"),
    ("delete from audit.change where id = (select min(id) + 5 from audit.change)", "was deleted"),
    ("insert into audit.change (current_user_name, table_name, operation, payload, payload_hash, txid) "
     "values ('mallory', 'absence', 'INSERT', '{}', sha256('{}'), 424242)", "out of band"),
    # into a range already sealed
    ("insert into audit.change (current_user_name, table_name, operation, payload, payload_hash, txid) "
     "select 'mallory', 'absence', 'INSERT', '{}', sha256('{}'), min(txid) from audit.change",
     "was inserted into the range of seal"),
    ("update audit.change set payload = jsonb_set(payload, '{surname}', '\"Vals\"'), "
     "payload_hash = sha256(convert_to(jsonb_set(payload, '{surname}', '\"Vals\"')::text, 'UTF8')) "
     "where id = (select min(id) from audit.change where table_name = 'person_record')", "was modified after seal"),
    ("with a as (select id, payload, payload_hash from audit.change where id in (select min(id) from audit.change)),"
     " b as (select id, payload, payload_hash from audit.change where id in (select min(id) + 1 from audit.change)) "
     "update audit.change c set payload = case when c.id = a.id then b.payload else a.payload end, "
     "payload_hash = case when c.id = a.id then b.payload_hash else a.payload_hash end from a, b "
     "where c.id in (a.id, b.id)", "was modified after seal"),
    ("update audit.chain set entries_hash = sha256('x') where seq = 1", "chain link altered"),
    # the tail of the chain: the next seal would make the link again, the server log keeps it
    ("delete from audit.chain where seq = (select max(seq) from audit.chain)", "missing from the chain"),
])
def test_tampering_as_superuser_with_triggers_disabled_is_detected(cluster, demo_db, tamper, expect):
    dsn = cluster.dsn(demo_db)
    assert verify(dsn)[0] == 0  # seals everything committed so far
    with psycopg.connect(dsn, autocommit=True) as su:
        su.execute("set session_replication_role = replica")
        assert su.execute(tamper).rowcount >= 1
    rc, out = verify(dsn)
    assert rc == 1, out
    bad = json.loads(out)[0]
    assert expect in bad["problem"] and (bad["change_id"] or bad["chain_seq"])


def test_erasure_redacts_payloads_and_verify_still_passes(cluster, demo_db, logins):
    admin = logins.admin
    dsn = cluster.dsn(demo_db)
    rec, subject = a2_record(admin)
    admin.execute("update dossier.person_record set city = 'Wisplaats' where id = %s", (rec,))
    n_before = admin.execute("select count(*) from audit.change where subject_id = %s", (subject,)).fetchone()[0]
    admin.execute("set role dossier_retention")
    redacted = admin.execute("select audit.redact_subject(%s)", (subject,)).fetchone()[0]
    admin.execute("reset role")
    assert redacted == n_before > 3
    left = admin.execute("select count(*), count(payload), count(redacted_at) from audit.change where subject_id = %s",
                         (subject,)).fetchone()
    assert left == (n_before, 0, n_before)
    assert verify(dsn)[0] == 0
    log = json.loads(run_cli("audit", "log", "--subject", str(subject), "--format", "json", dsn=dsn, check=True).stdout)
    assert log and all(e["change"] == "(redacted)" for e in log)


def test_a_read_by_a_school_manager_shows_in_audit_reads(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    rec, subject = a2_record(logins.admin)
    logins.grant("Reader_Rita", "school_manager", SCHOOL)
    me = logins.connect("Reader_Rita")
    me.execute(f"select surname from dossier.person_record where subject_id = {int(subject)}").fetchall()
    for _ in range(50):  # the logging collector writes asynchronously
        rows = json.loads(run_cli("audit", "reads", "--login", "Reader_Rita", "--format", "json",
                                  dsn=dsn, check=True).stdout)
        if rows:
            break
        time.sleep(0.1)
    assert rows, "the read was not logged"
    r = rows[0]
    assert r["relation"] == "dossier.person_record" and r["subjects"] == str(subject)
    assert r["annex"] == "A2", "a school manager reads annex 2 only"
    by_subject = json.loads(run_cli("audit", "reads", "--subject", str(subject), "--format", "json",
                                    dsn=dsn, check=True).stdout)
    assert any(x["login"] == "Reader_Rita" for x in by_subject)
