"""`dossier request open|verify|list|show|export|close|lift`: data-subject requests (art. 13)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from . import ANNEXES, DATE, cli, lazy
from .output import emit, emit_record, format_option, to_json

lib = lazy("dossier.requests")
conn_lib = lazy("dossier.conn")  # org_today: the organisation's day

LIST_COLUMNS = ["id", "subject_id", "kind", "annex", "received_on", "deadline", "status", "suspended_days",
                "days_left", "overdue", "decision", "closed_on"]


def _d(v) -> dt.date | None:
    return v.date() if v else None


def _request(conn, request_id: int) -> dict:
    """The request's row, or a one-line error naming it (exit 1)."""
    from psycopg.rows import dict_row

    r = conn.cursor(row_factory=dict_row).execute(
        "select id, kind, received_on, outcome from privacy.subject_request where id = %s", (request_id,)).fetchone()
    if r is None:
        raise click.ClickException(f"no request {request_id}")
    return r


@cli.group()
def request() -> None:
    """Requests of data subjects (004 art. 13): inzage, rectificatie, bezwaar, verwijdering,
    beperking — decided within four weeks, the term suspended while identity is verified.

    Example: dossier request list --overdue
    """


@request.command("open")
@click.option("--type", "kind", type=click.Choice(lib.KINDS), required=True, help="what the subject asks")
@click.option("--subject", type=int, required=True, help="the data subject's id (dossier.subject)")
@click.option("--annex", type=click.Choice(ANNEXES), default=None,
              help="objection, restriction or erasure for this processing activity only")
@click.option("--received", type=DATE, default=None,
              help="date of receipt (default: today in Amsterdam); the deadline counts from it")
@click.option("--unverified", is_flag=True,
              help="identity not yet established: the term is suspended until `request verify` (art. 13.2)")
@click.option("--details", default=None, help="what exactly is asked (no special categories of data)")
@format_option()
@click.pass_obj
def open_cmd(obj, kind, subject, annex, received, unverified, details, fmt) -> None:
    """Register a request; its deadline is four weeks after receipt (not in the future). A
    restriction restricts the subject's records at once, an objection those resting on public
    task or legitimate interest (art. 13.6; refused when there are none): they drop out of every
    role's view but the HR roles handling requests, until the request is refused or the
    restriction lifted. A granted objection ends their processing.

    Example: dossier request open --type access --subject 42 --received 2026-11-02 --unverified
    """
    import psycopg

    with obj.connect() as conn:
        if received and _d(received) > conn_lib.org_today(conn):
            raise click.BadParameter(f"{_d(received)} is in the future; a request is registered once received",
                                     param_hint="--received")
        try:
            r = lib.open_request(conn, subject, kind, annex, _d(received), not unverified, details)
        except psycopg.errors.NoDataFound:
            raise click.ClickException(f"no data subject {subject}") from None
    emit_record(r, fmt, title=f"request {r['id']} opened")


@request.command("verify")
@click.argument("request_id", type=int)
@click.pass_obj
def verify_cmd(obj, request_id) -> None:
    """Record that the requester's identity is established today: the term runs again
    (art. 13.2). The day is the database's, not the caller's.

    Example: dossier request verify 7
    """
    with obj.connect() as conn:
        _request(conn, request_id)  # a missing request is named as such
        lib.verify(conn, request_id)
        r = lib.show(conn, request_id, conn_lib.org_today(conn))
    click.echo(f"request {request_id}: identity verified; deadline {r['deadline']}")


@request.command("list")
@click.option("--overdue", is_flag=True, help="only overdue requests; exit 1 when there is any")
@click.option("--open", "open_only", is_flag=True, help="only requests not yet closed")
@click.option("--as-of", type=DATE, default=None, help="deadlines as on this date (default: today in Amsterdam)")
@format_option()
@click.pass_obj
def list_cmd(obj, overdue, open_only, as_of, fmt) -> None:
    """Requests with their deadline, status and days left.

    Example: dossier request list --overdue --format json || notify-privacy-officer
    """
    with obj.connect() as conn:
        day = _d(as_of) or conn_lib.org_today(conn)
        rows = lib.state(conn, day)
    if overdue:
        rows = [r for r in rows if r["overdue"] and r["status"] != "closed"]
    elif open_only:
        rows = [r for r in rows if r["status"] != "closed"]
    emit(rows, fmt, LIST_COLUMNS, title=f"requests on {day}")
    if overdue and rows:
        raise SystemExit(1)


@request.command("show")
@click.argument("request_id", type=int)
@click.option("--as-of", type=DATE, default=None, help="deadline as on this date (default: today in Amsterdam)")
@format_option()
@click.pass_obj
def show_cmd(obj, request_id, as_of, fmt) -> None:
    """One request: its kind, deadline, suspension, decision and (erasure) outcome.

    Example: dossier request show 7 --format json
    """
    with obj.connect() as conn:
        outcome = _request(conn, request_id)["outcome"]
        r = lib.show(conn, request_id, _d(as_of) or conn_lib.org_today(conn))
    if fmt != "table":  # one document (one CSV row, the outcome as JSON), as `close --format json`
        emit_record(r | {"outcome": outcome}, fmt)
        return
    emit_record(r, fmt, title=f"request {request_id}")
    if outcome is not None:
        emit(outcome, fmt, ["annex", "deleted", "kept", "why_kept"], title="erasure: per annex")


@request.command("export")
@click.argument("request_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "html", "pdf"]), default="json", show_default=True,
              help="json (machine-readable), html (a printable Dutch letter, A4) or pdf (the same letter)")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="write to this file (default standard output; pdf: a file or a redirect)")
@click.pass_obj
def export_cmd(obj, request_id, fmt, output) -> None:
    """The access export (art. 13.1, AVG art. 15): the controller, every record of the subject
    in every annex with its details, the purposes, categories, recipients, origin and
    retention — nothing about anyone else. As a letter (html, pdf): addressed to the subject,
    from the organisation's own controller, one enclosure per processing, Dutch labels and values.

    Example: dossier request export 7 --format pdf -o inzage-7.pdf
    """
    if fmt == "pdf" and not output and sys.stdout.isatty():
        raise click.UsageError("--format pdf writes binary data: give --output FILE or redirect standard output")
    with obj.connect() as conn:
        doc = lib.export(conn, request_id)
        labels = lib.letter_labels(conn) if fmt != "json" else None
        day = conn_lib.org_today(conn)
    if fmt == "json":
        text = to_json(doc) + "\n"
    else:
        text = lib.render_letter(doc, labels, day) + "\n"
    data = lib.render_pdf(text) if fmt == "pdf" else text.encode("utf-8")
    if output:
        with open(output, "wb") as f:
            f.write(data)
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@request.command("close")
@click.argument("request_id", type=int)
@click.option("--decision", type=click.Choice(lib.DECISIONS), required=True)
@click.option("--reason", required=True, help="the reasons for the decision (recorded; art. 13.7)")
@click.option("--erase", multiple=True,
              help="erasure: erase only this annex (A2) or annex and category (A2:absence); repeatable; "
                   "default: everything no legal duty or running contract keeps")
@click.option("--correction", default=None, help="rectification granted: the correction carried out (art. 13.5)")
@click.option("--passed-on", "passed_on", multiple=True,
              help="rectification granted: a recipient the correction was passed on to (AVG art. 19); repeatable")
@click.option("--none-passed-on", is_flag=True, help="rectification granted: no recipient had the data")
@click.option("--letter", type=click.Path(dir_okay=False, writable=True), default=None,
              help="erasure: write the decision letter (HTML) to this file")
@format_option()
@click.pass_obj
def close_cmd(obj, request_id, decision, reason, erase, correction, passed_on, none_passed_on, letter, fmt) -> None:
    """Record the decision, today (the database's date and login, never the caller's). A granted
    erasure deletes, in the same transaction, what no legal hold, legal duty or running contract
    keeps (or the parts --erase names) and reports per annex and part what was deleted and what
    was kept and why. A granted rectification records the correction and its recipients. A
    granted objection ends the processing; a refused objection or restriction lifts its restriction.

    Example: dossier request close 7 --decision partly_granted --reason "deels" --erase A2:absence --letter b-7.html
    """
    if none_passed_on and passed_on:
        raise click.UsageError("--passed-on and --none-passed-on exclude each other")
    recipients = [] if none_passed_on else (list(passed_on) or None)
    with obj.connect() as conn:
        _request(conn, request_id)  # a missing request is named as such
        r = lib.close(conn, request_id, decision, reason, list(erase) or None, correction, recipients)
        if letter:
            with open(letter, "w", encoding="utf-8") as f:
                f.write(lib.render_erasure_letter(conn, request_id) + "\n")
            click.echo(f"wrote {letter}", err=True)
    if fmt == "json":  # one document: the request with the erasure's outcome inside
        emit_record(r, fmt)
        return
    outcome = r.pop("outcome")
    emit_record(r, fmt, title=f"request {request_id} closed")
    if outcome is not None:
        emit(outcome, fmt, ["annex", "part", "deleted", "kept", "why_kept"], title="erasure: per annex and part")


@request.command("lift")
@click.argument("request_id", type=int)
@click.option("--reason", required=True, help="why the restriction ends (recorded)")
@click.pass_obj
def lift_cmd(obj, request_id, reason) -> None:
    """Lift the restriction an objection or restriction request placed.

    Example: dossier request lift 7 --reason "onjuistheid hersteld"
    """
    with obj.connect() as conn:
        _request(conn, request_id)
        n = lib.lift(conn, request_id, reason)
    click.echo(f"request {request_id}: {n} restriction(s) lifted")
