"""`dossier audit log|reads|verify`: who changed and who read whose data, and the tamper check."""

from __future__ import annotations

import click

from . import DATE, cli, lazy
from .output import emit, format_option

lib = lazy("dossier.audit")


@cli.group()
def audit() -> None:
    """The change audit (tamper-evident) and the read audit (pgaudit), 004 art. 8 and 10.

    Example: dossier audit verify
    """


@audit.command("log")
@click.option("--subject", type=int, default=None, help="only changes about this subject")
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True)
@format_option()
@click.pass_obj
def audit_log(obj, subject: int | None, limit: int, fmt: str) -> None:
    """The write history: who changed which row of which table when, and what changed
    (updates show only the changed columns, old → new; erased payloads show as redacted).

    Example: dossier audit log --subject 42 --format json
    """
    with obj.connect() as conn:
        rows = lib.change_log(conn, subject, limit)
    emit(rows, fmt, ["id", "at", "login", "role", "application_name", "table_name", "operation", "annex",
                     "subject_id", "record_id", "row_id", "change"], title="audit.change")


@audit.command("verify")
@click.option("--no-seal", is_flag=True, help="verify what is sealed without sealing what was committed since")
@format_option()
@click.pass_obj
def audit_verify(obj, no_seal: bool, fmt: str) -> None:
    """Check the hash chain and every entry; exit 1 naming the first entry modified, deleted,
    inserted out of band or reordered.

    First seals what was committed since the last seal (the `dossier-audit-seal` job does so
    every minute), so every finished transaction is covered; entries of transactions still
    running are counted as not yet sealed. Then holds the chain to the copy of every seal in
    the server log (needs a superuser or pg_read_server_files), so links deleted from its tail
    are found too.

    Example: dossier audit verify
    """
    with obj.connect() as conn:
        if not no_seal:
            lib.seal(conn)
        bad = lib.verify(conn)
        logged = lib.witness(conn)
        bad = bad or logged
        n = lib.counts(conn)
    if bad:
        emit([bad], fmt, ["problem", "chain_seq", "change_id"], title="audit verify: FAILED")
        raise SystemExit(1)
    if fmt == "table":
        click.echo(f"audit verified: {n['entries']} entries, {n['links']} seals in the chain"
                   + (f"; {n['unsealed']} entries not yet sealed" if n["unsealed"] else "")
                   + ("; the server log's copy of the seals not checked (needs pg_read_server_files)"
                      if logged is None else ""))
    else:
        emit([], fmt, ["problem", "chain_seq", "change_id"])


@audit.command("reads")
@click.option("--subject", type=int, default=None, help="reads that may have included this subject")
@click.option("--login", default=None, help="reads by this login")
@click.option("--since", type=DATE, default=None, help="from this date")
@format_option()
@click.pass_obj
def audit_reads(obj, subject: int | None, login: str | None, since, fmt: str) -> None:
    """Who read whose data when, from pgaudit's lines in the csv server log: login, relation,
    processing activity (annex) and the subjects the statement named (* = every row in scope).

    Example: dossier audit reads --login j.jansen --since 2026-11-01
    """
    with obj.connect() as conn:
        rows = lib.reads(conn, subject, login, since.date() if since else None)
    emit(rows, fmt, ["at", "login", "database", "relation", "annex", "subjects", "application", "statement"],
         title="reads of personal data (pgaudit)")
