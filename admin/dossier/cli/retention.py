"""`dossier retention plan|run|status|hold`: retention by the rules of art. 14, 15.5 and 000."""

from __future__ import annotations

import datetime as dt
import threading

import click

from . import ANNEXES, DATE, cli, lazy
from .output import Phases, emit, emit_record, format_option

lib = lazy("dossier.retention")
conn_lib = lazy("dossier.conn")  # org_today: the organisation's day

AS_OF = click.option("--as-of", type=DATE, default=None,
                     help="apply the rules as on this date (default: today in Amsterdam)")


def _date(conn, value) -> dt.date:
    """--as-of, else today in the organisation's zone (the database's day, not the machine's)."""
    return value.date() if value else conn_lib.org_today(conn)


@cli.group()
def retention() -> None:
    """Retention periods (004 art. 14, 15.5; 000 Bewaartermijn), run nightly by pg_cron.

    Example: dossier retention plan --as-of 2030-01-01
    """


@retention.command("plan")
@AS_OF
@format_option()
@click.pass_obj
def plan_cmd(obj, as_of, fmt: str) -> None:
    """Per annex and rule: how many records are due on the date, how many a legal hold or a
    pension matter keeps, what falls due next, and how many detail rows with a term of their own
    (A6 payouts, art. 14c) are past it. Each clock follows its facts (procedure end, employment
    end, benefit or pension end, payout date). Changes nothing.

    Example: dossier retention plan --as-of 2027-01-01 --format json
    """
    with obj.connect() as conn:
        day = _date(conn, as_of)
        rows = lib.plan(conn, day)
    emit(rows, fmt, ["annex", "rule", "due", "kept_hold", "kept_pension", "next_due_on", "due_within_a_year",
                     "details_due"],
         title=f"retention on {day}")


def _watch(connect, stop: threading.Event, report) -> None:
    """Report, every second, what the running retention run has deleted so far: each batch
    commits its counts to privacy.retention_log, so a second session sees them."""
    try:
        with connect(autocommit=True) as conn:
            last = None
            while not stop.wait(1.0):
                r = conn.execute("select r.id, coalesce(sum(l.records), 0) from privacy.retention_run r "
                                 "left join privacy.retention_log l on l.run_id = r.id where r.status = 'running' "
                                 "group by r.id order by r.id desc limit 1").fetchone()
                if r and r[1] != last:
                    report(f"run {r[0]}: {r[1]} records deleted so far")
                    last = r[1]
    except Exception as e:  # progress is a display: the run itself goes on and reports its own errors
        report(f"progress not shown any more: {e.__class__.__name__}")


@retention.command("run")
@AS_OF
@click.option("--dry-run", is_flag=True, help="only show what would be deleted (the plan): nothing changes")
@click.option("--batch", type=click.IntRange(1, 1_000_000), default=5000, show_default=True,
              help="records deleted per transaction")
@format_option()
@click.pass_obj
def run_cmd(obj, as_of, dry_run: bool, batch: int, fmt: str) -> None:
    """Delete what is due (the nightly job does the same), as dossier_retention: statistics of
    the training passport first, then the records with their details, then their audit
    payloads; counts (never names) go to privacy.retention_log. Restartable.

    Example: dossier retention run --dry-run --as-of 2027-01-01
    """
    with obj.connect() as conn:
        day = _date(conn, as_of)
        plan = lib.plan(conn, day) if dry_run else []  # one connection for the day and the plan
    if dry_run:
        rows = [r for r in plan if r["due"] or r["kept_hold"] or r["kept_pension"] or r["details_due"]]
        emit([{"annex": r["annex"], "rule": r["rule"], "would_delete": r["due"], "kept_hold": r["kept_hold"],
               "kept_pension": r["kept_pension"], "would_delete_details": r["details_due"]} for r in rows], fmt,
             ["annex", "rule", "would_delete", "kept_hold", "kept_pension", "would_delete_details"],
             title=f"dry run on {day}: nothing changed")
        return
    phase = Phases("retention run")
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(obj.connect, stop, phase), daemon=True)
    if phase.enabled:
        phase(f"deleting what is due on {day}, {batch} records per transaction")
        watcher.start()
    try:
        r = lib.run(obj.connect, day, batch)
    finally:
        stop.set()
        if watcher.is_alive():
            watcher.join()
    phase.done()
    emit(r["log"], fmt, ["annex", "rule", "action", "records", "audit_redacted"],
         title=f"retention run {r['id']} on {r['as_of']}: {r['status']}")


@retention.command("status")
@format_option()
@click.pass_obj
def status_cmd(obj, fmt: str) -> None:
    """The pg_cron job, its last runs and failures (cron.job_run_details) and the last
    retention runs; exit 1 unless the job completed successfully within the last 26 hours
    (pg_cron can stop without a word, and a retention job that stops is a breach). A fresh
    install whose job has not run yet says "not yet run" (exit 0) for its first 26 hours;
    manual `retention run`s are counted but do not stand in for the scheduled job.

    --format csv prints one row (the verdict and its figures), json everything.

    \b
    Example: dossier retention status || echo "retention is not running"
    """
    with obj.connect() as conn:
        s = lib.status(conn)
    job = s["job"] or {}
    summary = {"ok": s["ok"], "state": s["state"], "job": job.get("jobname"), "schedule": job.get("schedule"),
               "active": job.get("active"), "last_success": s["last_success"], "failures": len(s["failures"]),
               "manual_runs": s["manual_runs"], "last_manual_run": s["last_manual_run"],
               "problems": "; ".join(s["problems"])}
    if fmt == "json":
        emit_record(s, "json")
    elif fmt == "csv":
        emit([summary], "csv", list(summary))  # one table a script can parse
    else:
        emit_record(s["job"] or {"job": "(none)"}, fmt, title="pg_cron job")
        emit(s["runs"], fmt, ["runid", "status", "start_time", "end_time", "return_message"], title="last job runs")
        emit(s["retention_runs"], fmt, ["id", "as_of", "started_at", "finished_at", "status", "run_by"],
             title="retention runs")
        emit_record(s["audit_retention"], fmt, title="audit retention (monthly)")
        if s["manual_runs"]:
            click.echo(f"manual runs: {s['manual_runs']} (last completed: {s['last_manual_run'] or 'none'})")
        for p in s["problems"]:
            click.echo(f"PROBLEM: {p}", err=True)
        if s["state"] == "not yet run":
            click.echo(f"retention job not yet run: scheduled '{job.get('schedule')}', first run still ahead")
        elif s["ok"]:
            click.echo("retention job ok: completed within the last 26 hours")
    if not s["ok"]:
        raise SystemExit(1)


@retention.group("hold")
def hold() -> None:
    """Legal holds: a legal duty keeps a subject's records past their retention period.

    Example: dossier retention hold add 42 --reason "procedure bij de rechtbank"
    """


@hold.command("add")
@click.argument("subject", type=int)
@click.option("--reason", required=True, help="the legal duty or matter (recorded)")
@click.option("--annex", type=click.Choice(ANNEXES), default=None,
              help="only this annex's records (default: all of the subject's)")
@click.pass_obj
def hold_add(obj, subject: int, reason: str, annex: str | None) -> None:
    """Stop the retention clock for SUBJECT's records, with the reason and who placed it.

    Example: dossier retention hold add 42 --annex A2 --reason "arbeidsgeschil, zaak 2026/17"
    """
    with obj.connect() as conn:
        n = lib.hold_add(conn, subject, reason, annex)
    click.echo(f"legal hold {n} placed on subject {subject}" + (f" ({annex})" if annex else ""))


@hold.command("remove")
@click.argument("hold_id", type=int)
@click.option("--reason", required=True, help="why the hold ends (recorded)")
@click.pass_obj
def hold_remove(obj, hold_id: int, reason: str) -> None:
    """Lift a legal hold (it stays on record); the records' normal retention applies again.

    Example: dossier retention hold remove 3 --reason "zaak afgesloten"
    """
    with obj.connect() as conn:
        lib.hold_remove(conn, hold_id, reason)
    click.echo(f"legal hold {hold_id} lifted")


@hold.command("list")
@click.option("--all", "all_", is_flag=True, help="lifted holds too")
@format_option()
@click.pass_obj
def hold_list(obj, all_: bool, fmt: str) -> None:
    """The legal holds in force (or all of them).

    Example: dossier retention hold list --format json
    """
    with obj.connect() as conn:
        rows = lib.holds(conn, all_)
    emit(rows, fmt, ["id", "subject_id", "annex", "reason", "placed_by", "placed_at", "lifted_by", "lifted_at",
                     "lift_reason"], title="legal holds")
