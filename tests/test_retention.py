"""Retention by pg_cron (004 art. 14, 15.5; 000 Bewaartermijn), issue 6: every rule either side of
its limit, consent, legal holds, the pension exception, the statistics exception, audit redaction,
a run killed half-way and restarted, and the pg_cron job running the procedure for real."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import psycopg
import pytest

from dossier.migrate import Migrator

from .conftest import run_cli

ENDED = dt.date(2015, 3, 10)
D = dt.timedelta


def new_record(demo_admin, annex: str, ended_on=ENDED, consent=False, deceased_on=None, subject=None,
               org="DEMO-EDU") -> tuple[int, int]:
    """A fresh record (and subject) of an annex, with an employment detail where the annex has one."""
    if subject is None:
        subject = demo_admin.execute("insert into dossier.subject (org_id) select id from dossier.org_unit "
                                "where code = %s returning id", (org,)).fetchone()[0]
    rid = demo_admin.execute(
        """insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source,
                                              collected_on, ended_on, retention_consent, deceased_on, surname)
           select %s, %s, o.id, o.id, (select min(basis) from privacy.processing_basis where activity = %s),
                  'test', date '2010-01-01', %s, %s, %s, 'Testpersoon'
             from dossier.org_unit o where o.code = %s returning id""",
        (annex, subject, annex, ended_on, consent, deceased_on, org)).fetchone()[0]
    if annex in ("A2", "TP"):
        demo_admin.execute("insert into dossier.employment (record_id, position, started_on) "
                           "values (%s, 'medewerker', '2010-01-01')", (rid,))
    return rid, subject


def state_of(demo_admin, rid: int, as_of: dt.date) -> str:
    return demo_admin.execute("select state from privacy.retention_status(%s) where record_id = %s",
                         (as_of, rid)).fetchone()[0]


def exists(demo_admin, rid: int) -> bool:
    return demo_admin.execute("select exists (select from dossier.person_record where id = %s)", (rid,)).fetchone()[0]


# (annex, consent, the first day the record is due)
LIMITS = [
    ("A1", False, ENDED + D(weeks=4)),
    ("A1", True, dt.date(2016, 3, 10)),      # art. 14b: a year with the applicant's consent
    ("A2", False, dt.date(2025, 3, 10)),
    ("A3", False, dt.date(2025, 3, 10)),
    ("A4", False, dt.date(2025, 3, 10)),
    ("A5", False, dt.date(2025, 3, 10)),
    ("A6", False, dt.date(2022, 3, 10)),
    ("TP", False, dt.date(2020, 3, 10)),
]


@pytest.mark.parametrize("annex,consent,due", LIMITS, ids=[f"{a}{'-consent' if c else ''}" for a, c, _ in LIMITS])
def test_rule_either_side_of_its_limit(demo_dsn, demo_admin, annex, consent, due):
    rid, _ = new_record(demo_admin, annex, consent=consent)
    assert state_of(demo_admin, rid, due - D(days=1)) == "not_due"
    assert state_of(demo_admin, rid, due) == "due"
    # the plan says so per annex, and a run on the day before keeps it, on the day deletes it
    plan = {r["annex"]: r for r in json.loads(run_cli("retention", "plan", "--as-of", str(due), "--format", "json",
                                                      dsn=demo_dsn, check=True).stdout)}
    assert plan[annex]["due"] >= 1
    run_cli("retention", "run", "--as-of", str(due - D(days=1)), dsn=demo_dsn, check=True)
    assert exists(demo_admin, rid)
    run_cli("retention", "run", "--as-of", str(due), dsn=demo_dsn, check=True)
    assert not exists(demo_admin, rid)
    assert demo_admin.execute("select count(*) from dossier.record_key where id = %s", (rid,)).fetchone()[0] == 0
    assert demo_admin.execute("select count(*) from dossier.employment where record_id = %s", (rid,)).fetchone()[0] == 0


def test_former_staff_go_on_death_not_with_time(demo_admin):
    alive, _ = new_record(demo_admin, "FS")
    assert state_of(demo_admin, alive, dt.date(2099, 1, 1)) == "not_due"
    dead, _ = new_record(demo_admin, "FS", deceased_on=dt.date(2020, 5, 5))
    assert state_of(demo_admin, dead, dt.date(2020, 5, 4)) == "not_due"
    assert state_of(demo_admin, dead, dt.date(2020, 5, 5)) == "due"


def test_a_record_still_running_is_never_due(demo_admin):
    rid, _ = new_record(demo_admin, "A2", ended_on=None)
    assert state_of(demo_admin, rid, dt.date(2099, 1, 1)) == "not_due"


def test_dry_run_changes_nothing(demo_dsn, demo_admin):
    rid, _ = new_record(demo_admin, "A6")
    before = demo_admin.execute("select (select count(*) from dossier.person_record), (select count(*) from audit.change), "
                           "(select count(*) from privacy.retention_run)").fetchone()
    p = run_cli("retention", "run", "--dry-run", "--as-of", "2030-01-01", "--format", "json", dsn=demo_dsn, check=True)
    assert {"annex": "A6", "rule": "a6_fiscal_seven_years"}.items() <= next(
        r for r in json.loads(p.stdout) if r["annex"] == "A6").items()
    after = demo_admin.execute("select (select count(*) from dossier.person_record), (select count(*) from audit.change), "
                          "(select count(*) from privacy.retention_run)").fetchone()
    assert after == before and exists(demo_admin, rid)


def test_legal_hold_stops_the_clock(demo_dsn, demo_admin):
    rid, subject = new_record(demo_admin, "A2")
    p = run_cli("retention", "hold", "add", str(subject), "--reason", "arbeidsgeschil, zaak 2026/17", dsn=demo_dsn, check=True)
    hold = int(p.stdout.split()[2])
    assert demo_admin.execute("select placed_by, reason from privacy.legal_hold where id = %s", (hold,)).fetchone() == (
        "postgres", "arbeidsgeschil, zaak 2026/17")
    p = run_cli("retention", "run", "--as-of", "2030-01-01", "--format", "json", dsn=demo_dsn, check=True)
    assert {"annex": "A2", "action": "kept_hold", "records": 1}.items() <= next(
        r for r in json.loads(p.stdout) if r["annex"] == "A2" and r["action"] == "kept_hold").items()
    assert exists(demo_admin, rid)
    assert run_cli("retention", "hold", "remove", str(hold), dsn=demo_dsn).returncode == 2, "a reason is required"
    run_cli("retention", "hold", "remove", str(hold), "--reason", "zaak afgesloten", dsn=demo_dsn, check=True)
    run_cli("retention", "run", "--as-of", "2030-01-01", dsn=demo_dsn, check=True)
    assert not exists(demo_admin, rid)
    # a hold for one annex keeps only that annex
    a2, subject = new_record(demo_admin, "A2")
    a3, _ = new_record(demo_admin, "A3", subject=subject)
    run_cli("retention", "hold", "add", str(subject), "--annex", "A3", "--reason", "fiscaal onderzoek", dsn=demo_dsn, check=True)
    run_cli("retention", "run", "--as-of", "2030-01-01", dsn=demo_dsn, check=True)
    assert (exists(demo_admin, a2), exists(demo_admin, a3)) == (False, True)


def test_pension_matter_keeps_personnel_and_payroll_records(demo_admin):
    a2, subject = new_record(demo_admin, "A2")
    a3, _ = new_record(demo_admin, "A3", subject=subject)
    a5, _ = new_record(demo_admin, "A5", subject=subject, ended_on=None)   # the pension matter runs
    day = dt.date(2030, 1, 1)
    assert (state_of(demo_admin, a2, day), state_of(demo_admin, a3, day)) == ("kept_pension", "kept_pension")
    # the pension matter ended on 2018-01-01: its own retention runs until 2028-01-01
    demo_admin.execute("update dossier.person_record set ended_on = '2018-01-01' where id = %s", (a5,))
    assert state_of(demo_admin, a2, dt.date(2027, 12, 31)) == "kept_pension"
    assert state_of(demo_admin, a2, dt.date(2028, 1, 1)) == "due"
    assert state_of(demo_admin, a3, day) == "due"


def test_statistics_and_audit_redaction_before_deletion(demo_dsn, demo_admin):
    rid, subject = new_record(demo_admin, "TP", org="DEMO-LOP")
    demo_admin.execute("update dossier.person_record set gender = 'V', birth_date = '1990-06-01' where id = %s", (rid,))
    assert demo_admin.execute("select count(*) from audit.change where record_id = %s and payload is not null",
                         (rid,)).fetchone()[0] >= 2
    before = demo_admin.execute("select coalesce(sum(persons), 0) from mis.training_history").fetchone()[0]
    run_cli("retention", "run", "--as-of", "2021-01-01", dsn=demo_dsn, check=True)
    assert not exists(demo_admin, rid)
    got = demo_admin.execute("select year_left, age_band, gender, persons from mis.training_history "
                        "where year_left = 2015 and gender = 'V' and age_band = '<25'").fetchall()
    assert got == [(2015, "<25", "V", 1)]
    deleted_tp = demo_admin.execute("select records from privacy.retention_log where annex = 'TP' and action = 'deleted' "
                               "order by run_id desc limit 1").fetchone()[0]
    assert demo_admin.execute("select sum(persons) from mis.training_history").fetchone()[0] == before + deleted_tp
    # every audit entry of the record, its deletion included, is redacted; the chain still verifies
    left = demo_admin.execute("select count(*) filter (where payload is not null), count(*) from audit.change "
                         "where record_id = %s", (rid,)).fetchone()
    assert left[0] == 0 and left[1] >= 3
    assert demo_admin.execute("select count(*) from audit.change where record_id = %s and operation = 'DELETE'",
                         (rid,)).fetchone()[0] >= 1
    assert run_cli("audit", "verify", dsn=demo_dsn).returncode == 0
    # the log holds counts, never names or ids
    cols = [r[0] for r in demo_admin.execute("select column_name from information_schema.columns "
                                        "where table_schema = 'privacy' and table_name = 'retention_log'")]
    assert not {"subject_id", "record_id", "surname"} & set(cols)
    assert deleted_tp >= 1


def test_killed_run_leaves_nothing_half_deleted_and_the_next_run_completes(demo_dsn, demo_admin):
    ids = [new_record(demo_admin, "A2")[0] for _ in range(30)]
    due = [r[0] for r in demo_admin.execute("select record_id from privacy.retention_status('2030-01-01') "
                                       "where annex = 'A2' and state = 'due' order by record_id")]
    first_batch = [i for i in ids if i in due[:10]]
    assert first_batch and ids[14] in due[10:20], "the locked record is in the second batch"
    # a concurrent transaction holds the 15th record: the run blocks on it mid-way
    blocker = psycopg.connect(demo_dsn)
    blocker.execute("select 1 from dossier.person_record where id = %s for update", (ids[14],))
    errors = []

    def run():
        try:
            with psycopg.connect(demo_dsn, autocommit=True, application_name="retention-victim") as c:
                c.execute("set role dossier_retention")
                c.execute("call privacy.run_retention('2030-01-01', 10)")
        except psycopg.Error as e:
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 30
    while not demo_admin.execute("select exists (select from pg_stat_activity where application_name = 'retention-victim' "
                            "and wait_event_type = 'Lock')").fetchone()[0]:
        assert time.monotonic() < deadline, "the run never reached the locked record"
        time.sleep(0.05)
    demo_admin.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'retention-victim'")
    t.join(30)
    blocker.rollback()
    blocker.close()
    assert errors, "the run was killed"
    # the first batch (ten records) committed; of the second nothing happened at all
    gone = [i for i in ids if not exists(demo_admin, i)]
    assert gone == first_batch
    assert demo_admin.execute("select status from privacy.retention_run order by id desc limit 1").fetchone()[0] == "running"
    orphans = demo_admin.execute("""select (select count(*) from dossier.record_key k where not exists
                                        (select from dossier.person_record p where p.id = k.id and p.annex = k.annex)),
                                      (select count(*) from dossier.person_record p where not exists
                                        (select from dossier.record_key k where p.id = k.id and p.annex = k.annex))""").fetchone()
    assert orphans == (0, 0)
    assert demo_admin.execute("select count(*) from dossier.employment where record_id = any (%s)", (gone,)).fetchone()[0] == 0
    assert demo_admin.execute("select count(*) from dossier.employment where record_id = any (%s)",
                         ([i for i in ids if i not in gone],)).fetchone()[0] == 30 - len(gone)
    # the next run completes the rest
    run_cli("retention", "run", "--as-of", "2030-01-01", dsn=demo_dsn, check=True)
    assert not any(exists(demo_admin, i) for i in ids)
    assert demo_admin.execute("select status from privacy.retention_run order by id desc limit 1").fetchone()[0] == "completed"


def test_cron_job_runs_the_procedure_as_dossier_cron(cluster, template):
    """The job in the cron database (cron.database_name) really runs: scheduled every minute for
    this test, it completes as dossier_cron, and `retention status` turns 0; a last success older
    than 26 hours turns it 1 again. The audit seal job, every minute, seals a change made meanwhile."""
    cron_dsn = cluster.dsn("dossier")
    with psycopg.connect(cron_dsn, autocommit=True) as conn:
        Migrator(conn).run()
        job, user, command = conn.execute("select jobid, username, command from cron.job "
                                          "where jobname = 'dossier-retention'").fetchone()
        assert (user, command) == ("dossier_cron", "call privacy.run_retention()")
        # a fresh install: the job has not run yet, which is no alarm for its first 26 hours
        p = run_cli("retention", "status", dsn=cron_dsn)
        assert p.returncode == 0 and "not yet run" in p.stdout, p.stdout + p.stderr
        # an audited change for the audit seal job (every minute) to seal meanwhile
        conn.execute("insert into dossier.org_unit (code, name, kind) values ('CRON-SEAL', 'Seal', 'organisation')")
        conn.execute("insert into dossier.subject (org_id) select id from dossier.org_unit where code = 'CRON-SEAL'")
        written = conn.execute(
            """insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname)
               select 'A2', s.id, s.org_id, s.org_id, 'contract', 't', 'Zegel' from dossier.subject s
                where s.org_id = (select id from dossier.org_unit where code = 'CRON-SEAL') returning txid_current()"""
        ).fetchone()[0]
        conn.execute("select cron.alter_job(%s, schedule => '* * * * *')", (job,))
        try:
            deadline = time.monotonic() + 130
            while True:
                r = conn.execute("select status, return_message from cron.job_run_details where jobid = %s "
                                 "and status in ('succeeded', 'failed') order by start_time desc limit 1", (job,)).fetchone()
                sealed = conn.execute("select count(*) from audit.chain where from_txid <= %s and upto_txid > %s",
                                      (written, written)).fetchone()[0]
                if r and sealed:
                    break
                assert time.monotonic() < deadline, f"pg_cron never ran the job ({r}) or the seal ({sealed})"
                time.sleep(1)
        finally:
            conn.execute("select cron.alter_job(%s, schedule => '30 2 * * *')", (job,))
        assert r[0] == "succeeded", r[1]
        assert conn.execute("select run_by, status from privacy.retention_run order by id desc limit 1").fetchone() == (
            "dossier_cron", "completed")
        p = run_cli("retention", "status", "--format", "json", dsn=cron_dsn)
        assert p.returncode == 0, p.stdout + p.stderr
        assert json.loads(p.stdout)["ok"] is True
        conn.execute("update cron.job_run_details set end_time = now() - interval '27 hours', "
                     "start_time = now() - interval '27 hours' where jobid = %s", (job,))
        p = run_cli("retention", "status", dsn=cron_dsn)
        assert p.returncode == 1 and "no successful run in the last 26 hours" in p.stderr
