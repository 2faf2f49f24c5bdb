"""Retention (004 art. 14, 15.5; 000 Bewaartermijn): plan, run, status, legal holds.

The rules, the selection and the deletion are SQL (db/functions/1400_retention.sql); this module
calls them as dossier_retention, the role the nightly pg_cron job runs under.
"""

from __future__ import annotations

import datetime as dt

import psycopg
from psycopg.rows import dict_row

from .audit import retention_status as audit_retention_status

JOB = "dossier-retention"
STALE_AFTER = dt.timedelta(hours=26)


def plan(conn: psycopg.Connection, as_of: dt.date) -> list[dict]:
    return conn.cursor(row_factory=dict_row).execute(
        "select * from privacy.retention_plan(%s)", (as_of,)).fetchall()


def run(dsn_connect, as_of: dt.date, batch: int = 5000) -> dict:
    """Run the retention procedure as dossier_retention (it commits per batch, so it needs a
    session of its own outside a transaction); returns the run and its counts."""
    with dsn_connect(autocommit=True) as conn:
        conn.execute("set role dossier_retention")
        conn.execute("call privacy.run_retention(%s, %s)", (as_of, batch))
        conn.execute("reset role")
        cur = conn.cursor(row_factory=dict_row)
        r = cur.execute("select * from privacy.retention_run order by id desc limit 1").fetchone()
        r["log"] = cur.execute("select annex, rule, action, records, audit_redacted from privacy.retention_log "
                               "where run_id = %s order by annex, action", (r["id"],)).fetchall()
    return r


def status(conn: psycopg.Connection) -> dict:
    """The cron job, its last runs and the verdict: ok only when the job exists, is active and
    completed successfully within the last 26 hours (pg_cron can stop silently). A job not yet
    run is ok for its first 26 hours (a fresh install: "not yet run"); manual runs are counted
    and shown, but never stand in for the scheduled job."""
    cur = conn.cursor(row_factory=dict_row)
    has_cron = cur.execute("select to_regnamespace('cron') is not null as c").fetchone()["c"]
    job = runs = None
    if has_cron:
        job = cur.execute("select jobid, jobname, schedule, command, database, username, active "
                          "from cron.job where jobname = %s", (JOB,)).fetchone()
    if job:
        runs = cur.execute(
            """select runid, status, start_time, end_time, return_message from cron.job_run_details
                where jobid = %s order by start_time desc nulls last limit 10""", (job["jobid"],)).fetchall()
    last_ok = next((r for r in runs or [] if r["status"] == "succeeded"), None)
    now = cur.execute("select now() as n").fetchone()["n"]
    # when the product was installed: the first versioned migration (the job is scheduled then)
    installed = None
    if cur.execute("select has_table_privilege('dossier_migrate.applied', 'select') as p").fetchone()["p"]:
        installed = cur.execute("select min(applied_at) as t from dossier_migrate.applied where kind = 'versioned'"
                                ).fetchone()["t"]
    problems = []
    state = "ok"
    if not has_cron:
        problems.append("pg_cron is not installed in this database: retention is never scheduled")
    elif not job:
        problems.append(f"no pg_cron job named {JOB}: run `dossier migrate`")
    elif not job["active"]:
        problems.append(f"the job {JOB} is not active")
    if job and last_ok is None and not any(r["status"] == "failed" for r in runs or []) \
            and installed is not None and now - installed <= STALE_AFTER:
        state = "not yet run"  # a fresh install: the first nightly run is still ahead
    elif job and (last_ok is None or last_ok["end_time"] is None or now - last_ok["end_time"] > STALE_AFTER):
        when = last_ok["end_time"].isoformat(timespec="minutes") if last_ok and last_ok["end_time"] else "never"
        problems.append(f"no successful run in the last 26 hours (last success: {when})")
    failures = [r for r in runs or [] if r["status"] == "failed"]
    runs_logged = cur.execute("select id, as_of, started_at, finished_at, status, run_by from privacy.retention_run "
                              "order by id desc limit 5").fetchall()
    audit_job = audit_retention_status(conn)  # the monthly audit retention job (admin/dossier/audit.py)
    if audit_job["problem"]:
        problems.append(audit_job["problem"])
    manual = cur.execute("select count(*) as n, max(finished_at) filter (where status = 'completed') as last "
                         "from privacy.retention_run where run_by is distinct from %s",
                         (job["username"] if job else None,)).fetchone()
    return {"job": job, "runs": runs or [], "failures": failures, "retention_runs": runs_logged,
            "state": "problem" if problems else state,
            "last_success": last_ok["end_time"] if last_ok else None,
            "manual_runs": manual["n"], "last_manual_run": manual["last"],
            "audit_retention": audit_job, "problems": problems, "ok": not problems}


def hold_add(conn: psycopg.Connection, subject: int, reason: str, annex: str | None) -> int:
    try:
        return conn.execute("insert into privacy.legal_hold (subject_id, annex, reason) values (%s, %s, %s) "
                            "returning id", (subject, annex, reason)).fetchone()[0]
    except psycopg.errors.ForeignKeyViolation:
        raise ValueError(f"no data subject {subject}") from None


def hold_remove(conn: psycopg.Connection, hold: int, reason: str) -> None:
    n = conn.execute("update privacy.legal_hold set lifted_at = now(), lifted_by = session_user, lift_reason = %s "
                     "where id = %s and lifted_at is null", (reason, hold)).rowcount
    if n == 0:
        raise ValueError(f"no legal hold {hold} in force")


def holds(conn: psycopg.Connection, all_: bool = False) -> list[dict]:
    return conn.cursor(row_factory=dict_row).execute(
        "select * from privacy.legal_hold where %s or lifted_at is null order by id", (all_,)).fetchall()
