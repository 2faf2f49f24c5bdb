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
    """A fresh record (and subject) of an annex with the fact its retention clock follows
    (issue 16.1): an application, an employment, a salary month, a benefit, a pension matter or a
    payout that ended (or was paid) on `ended_on`; None: still running."""
    if subject is None:
        subject = demo_admin.execute("insert into dossier.subject (org_id) select id from dossier.org_unit "
                                "where code = %s returning id", (org,)).fetchone()[0]
    rid = demo_admin.execute(
        """insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source,
                                              collected_on, retention_consent, deceased_on, surname)
           select %s, %s, o.id, o.id, (select min(basis) from privacy.processing_basis where activity = %s),
                  'test', date '2010-01-01', %s, %s, 'Testpersoon'
             from dossier.org_unit o where o.code = %s returning id""",
        (annex, subject, annex, consent, deceased_on, org)).fetchone()[0]
    add_fact(demo_admin, annex, rid, ended_on)
    return rid, subject


JOB = ("insert into dossier.employment (record_id, position, started_on, ended_on_job) "
       "values (%s, 'medewerker', '2010-01-01', %s)")


def add_fact(demo_admin, annex: str, rid: int, ended_on) -> None:
    fact = {
        "A1": ("insert into dossier.application (record_id, vacancy_code, position_applied, applied_on, "
               "procedure_ended_on) values (%s, 'V-1', 'docent', '2010-01-01', %s)"),
        "A2": JOB, "TP": JOB, "FS": JOB,
        "A4": ("insert into dossier.severance_benefit (record_id, kind, starts_on, ends_on, monthly_amount) "
               "values (%s, 'other', '2010-01-01', %s, 100)"),
        "A5": ("insert into dossier.pension_entitlement (record_id, fund, registered_on, employer_reference, settled_on) "
               "values (%s, 'Pensioenfonds', '2010-01-01', 'W-1', %s)"),
        "A6": ("insert into dossier.payout (record_id, paid_on, kind, amount) "
               "values (%s, coalesce(%s, current_date), 'expense_claim', 10)"),
    }
    if annex == "A3":   # no A2 record: the clock is the end of the last month paid
        if ended_on is not None:
            demo_admin.execute("insert into dossier.salary (record_id, period, gross_amount) "
                               "values (%s, date_trunc('month', %s::date), 3000)", (rid, ended_on))
        return
    demo_admin.execute(fact[annex], (rid, ended_on))


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
    ("A3", False, dt.date(2025, 3, 31)),     # the end of the last month paid (no A2 record)
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
    demo_admin.execute("update dossier.pension_entitlement set settled_on = '2018-01-01' where record_id = %s", (a5,))
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
    # the statistics keep no cell of fewer than k persons (issue 13 item 3): the one leaver of 2015
    # is folded into a larger cell or, if even the organisation's all-years cell stays small, not kept
    got = demo_admin.execute("select year_left, age_band, gender, persons from mis.training_history "
                        "where year_left = 2015 and gender = 'V' and age_band = '<25'").fetchall()
    assert got == []
    k = int(demo_admin.execute("select value from privacy.setting where key = 'mis_k'").fetchone()[0])
    assert demo_admin.execute("select count(*) from mis.training_history where persons < %s", (k,)).fetchone()[0] == 0
    deleted_tp = demo_admin.execute("select records from privacy.retention_log where annex = 'TP' and action = 'deleted' "
                               "order by run_id desc limit 1").fetchone()[0]
    kept = demo_admin.execute("select coalesce(sum(persons), 0) from mis.training_history").fetchone()[0]
    assert before <= kept <= before + deleted_tp
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
            # pg_cron starts it within the minute (4 minutes allowed on a loaded machine); once it
            # has started, the run may take longer there: it is waited for up to 10 minutes
            started = time.monotonic()
            while True:
                r = conn.execute("select status, return_message from cron.job_run_details where jobid = %s "
                                 "order by start_time desc limit 1", (job,)).fetchone()
                sealed = conn.execute("select count(*) from audit.chain where from_txid <= %s and upto_txid > %s",
                                      (written, written)).fetchone()[0]
                if r and r[0] in ("succeeded", "failed") and sealed:
                    break
                waited = time.monotonic() - started
                if waited > (600 if r else 240):
                    runs = conn.execute("select j.jobname, d.status, d.start_time, d.end_time, d.return_message "
                                        "from cron.job_run_details d join cron.job j using (jobid) "
                                        "order by d.start_time desc limit 20").fetchall()
                    activity = conn.execute("select pid, backend_type, usename, state, wait_event_type, wait_event, "
                                            "left(query, 80) from pg_stat_activity where datname = 'dossier' "
                                            "or backend_type like 'pg_cron%'").fetchall()
                    pytest.fail(f"after {waited:.0f} s pg_cron has not run the job ({r}) or the seal ({sealed}); "
                                f"runs: {runs}; activity: {activity}")
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


# Issue 16.1: each clock follows the fact it is defined by. (annex, the fact's table and column,
# the period after it.)
FACTS = [
    ("A1", "application", "procedure_ended_on", D(weeks=4)),
    ("A2", "employment", "ended_on_job", None),
    ("TP", "employment", "ended_on_job", None),
    ("A4", "severance_benefit", "ends_on", None),
    ("A5", "pension_entitlement", "settled_on", None),
    ("A6", "payout", "paid_on", None),
]
YEARS = {"A2": 10, "TP": 5, "A4": 10, "A5": 10, "A6": 7}


def plan_due(demo_dsn, annex: str, day: dt.date) -> int:
    plan = json.loads(run_cli("retention", "plan", "--as-of", str(day), "--format", "json",
                              dsn=demo_dsn, check=True).stdout)
    return next(r["due"] for r in plan if r["annex"] == annex)


def limit(annex: str, end: dt.date) -> dt.date:
    return end + D(weeks=4) if annex == "A1" else end.replace(year=end.year + YEARS[annex])


def ended_on(demo_admin, rid: int):
    return demo_admin.execute("select ended_on from dossier.person_record where id = %s", (rid,)).fetchone()[0]


@pytest.mark.parametrize("annex,table,column,_", FACTS, ids=[f[0] for f in FACTS])
def test_clock_follows_its_fact_set_changed_cleared(demo_dsn, demo_admin, annex, table, column, _):
    rid, _s = new_record(demo_admin, annex)
    assert ended_on(demo_admin, rid) == ENDED, "set: the clock starts at the fact"
    due = limit(annex, ENDED)
    assert (state_of(demo_admin, rid, due - D(days=1)), state_of(demo_admin, rid, due)) == ("not_due", "due")
    assert plan_due(demo_dsn, annex, due) >= plan_due(demo_dsn, annex, due - D(days=1)) + 1
    # a clock written by hand does not outlive its statement
    demo_admin.execute("update dossier.person_record set ended_on = '1990-01-01' where id = %s", (rid,))
    assert ended_on(demo_admin, rid) == ENDED
    # changed: the fact moves a year, so does the limit
    later = ENDED.replace(year=ENDED.year + 1)
    demo_admin.execute(f"update dossier.{table} set {column} = %s where record_id = %s", (later, rid))
    assert ended_on(demo_admin, rid) == later
    assert state_of(demo_admin, rid, due) == "not_due"
    new_due = limit(annex, later)
    assert (state_of(demo_admin, rid, new_due - D(days=1)), state_of(demo_admin, rid, new_due)) == ("not_due", "due")
    assert plan_due(demo_dsn, annex, new_due) >= plan_due(demo_dsn, annex, new_due - D(days=1)) + 1
    # cleared: a procedure, job, benefit or pension matter open again stops the clock; a record
    # whose payouts are all gone counts from its collection
    if annex == "A6":
        demo_admin.execute("delete from dossier.payout where record_id = %s", (rid,))
        assert ended_on(demo_admin, rid) == dt.date(2010, 1, 1)
    else:
        demo_admin.execute(f"update dossier.{table} set {column} = null where record_id = %s", (rid,))
        assert ended_on(demo_admin, rid) is None
        assert state_of(demo_admin, rid, dt.date(2099, 1, 1)) == "not_due"
    assert demo_admin.execute("select count(*) from privacy.clock_drift()").fetchone()[0] == 0


def test_one_open_job_stops_the_clock_and_payroll_follows_the_employment(demo_dsn, demo_admin):
    a2, subject = new_record(demo_admin, "A2", ended_on=None)
    a3, _ = new_record(demo_admin, "A3", subject=subject, ended_on=dt.date(2014, 1, 1))
    assert (ended_on(demo_admin, a2), ended_on(demo_admin, a3)) == (None, None), "employment runs: payroll too"
    # the employment ends: the A3 clock starts with it (nothing set it before, issue 16.1)
    demo_admin.execute("update dossier.employment set ended_on_job = %s where record_id = %s", (ENDED, a2))
    assert (ended_on(demo_admin, a2), ended_on(demo_admin, a3)) == (ENDED, ENDED)
    due = dt.date(2025, 3, 10)
    assert (state_of(demo_admin, a3, due - D(days=1)), state_of(demo_admin, a3, due)) == ("not_due", "due")
    # a second job still running stops both clocks again
    demo_admin.execute("insert into dossier.employment (record_id, position, started_on) values (%s, 'docent', '2016-01-01')",
                       (a2,))
    assert (ended_on(demo_admin, a2), ended_on(demo_admin, a3)) == (None, None)
    assert state_of(demo_admin, a3, dt.date(2099, 1, 1)) == "not_due"


def clock_calls(conn) -> int:
    """privacy.record_clock calls in the current transaction (track_functions = 'pl')."""
    return conn.execute("select coalesce(sum(calls), 0) from pg_stat_xact_user_functions "
                        "where schemaname = 'privacy' and funcname = 'record_clock'").fetchone()[0]


def test_only_an_update_of_its_inputs_derives_a_clock(demo_dsn, demo_admin):
    """An address, a name or a flag is no input to any clock: updating them derives nothing (a
    single-row UPDATE stays one; bench/bench_audit.py measured a second each when it did). The
    keys, the collection date and ended_on are: a clock written by hand is still put back."""
    rid, _s = new_record(demo_admin, "A2")
    with demo_admin.transaction():
        demo_admin.execute("set local track_functions = 'pl'")
        demo_admin.execute("update dossier.person_record set city = 'Elders', surname = 'Ander', "
                           "retention_consent = true where id = %s", (rid,))
        assert clock_calls(demo_admin) == 0, "an address, a name, a consent move no clock"
        demo_admin.execute("update dossier.person_record set ended_on = '1990-01-01' where id = %s", (rid,))
        assert clock_calls(demo_admin) > 0
        assert ended_on(demo_admin, rid) == ENDED, "a clock written by hand does not outlive its statement"
        demo_admin.execute("update dossier.person_record set collected_on = '2009-01-01' where id = %s", (rid,))
        assert clock_calls(demo_admin) > 1
    # a record inserted before its facts: its clock stands until they come, an address change
    # in between is no fact
    subject = demo_admin.execute("insert into dossier.subject (org_id) select id from dossier.org_unit "
                                 "where code = 'DEMO-EDU' returning id").fetchone()[0]
    rid = demo_admin.execute(
        """insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, ended_on, surname)
           select 'A2', %s, o.id, o.id, 'contract', 'test', date '2001-02-03', 'Testpersoon'
             from dossier.org_unit o where o.code = 'DEMO-EDU' returning id""", (subject,)).fetchone()[0]
    demo_admin.execute("update dossier.person_record set city = 'Elders' where id = %s", (rid,))
    assert ended_on(demo_admin, rid) == dt.date(2001, 2, 3)
    add_fact(demo_admin, "A2", rid, ENDED)
    assert ended_on(demo_admin, rid) == ENDED
    assert demo_admin.execute("select count(*) from privacy.clock_drift()").fetchone()[0] == 0


def test_each_payout_goes_seven_years_after_its_date(demo_dsn, demo_admin):
    """Art. 14c: an open A6 record loses each payout past the fiscal term; the record stays."""
    rid, subject = new_record(demo_admin, "A6")                      # paid 2015-03-10
    demo_admin.execute("insert into dossier.payout (record_id, paid_on, kind, amount) values (%s, '2020-06-01', "
                       "'salary_advance', 500)", (rid,))
    assert ended_on(demo_admin, rid) == dt.date(2020, 6, 1), "the record goes with its last payout"
    day = dt.date(2022, 3, 10)
    plan = {r["annex"]: r for r in json.loads(run_cli("retention", "plan", "--as-of", str(day - D(days=1)),
                                                      "--format", "json", dsn=demo_dsn, check=True).stdout)}
    before = plan["A6"]["details_due"]
    plan = {r["annex"]: r for r in json.loads(run_cli("retention", "plan", "--as-of", str(day), "--format", "json",
                                                      dsn=demo_dsn, check=True).stdout)}
    assert plan["A6"]["details_due"] >= before + 1
    run_cli("retention", "run", "--as-of", str(day - D(days=1)), dsn=demo_dsn, check=True)
    assert demo_admin.execute("select count(*) from dossier.payout where record_id = %s", (rid,)).fetchone()[0] == 2
    p = run_cli("retention", "run", "--as-of", str(day), "--format", "json", dsn=demo_dsn, check=True)
    assert any(r["annex"] == "A6" and r["action"] == "deleted_details" and r["records"] >= 1 for r in json.loads(p.stdout))
    assert demo_admin.execute("select paid_on from dossier.payout where record_id = %s", (rid,)).fetchall() == [
        (dt.date(2020, 6, 1),)]
    assert exists(demo_admin, rid)
    assert demo_admin.execute("select count(*) from audit.change where table_name = 'payout' and record_id = %s "
                              "and payload is not null and (payload->>'paid_on' = '2015-03-10' "
                              "or payload->'paid_on'->>0 = '2015-03-10')", (rid,)).fetchone()[0] == 0
    # a legal hold keeps the payouts too
    demo_admin.execute("insert into privacy.legal_hold (subject_id, annex, reason) values (%s, 'A6', 'fiscaal onderzoek')",
                       (subject,))
    assert demo_admin.execute("select state from privacy.retention_detail_status('2030-01-01') where record_id = %s",
                              (rid,)).fetchall() == [("kept_hold",)]
