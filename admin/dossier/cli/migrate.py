"""`dossier migrate [--dry-run]` and `dossier migrate status`."""

from __future__ import annotations

import click

from . import cli, lazy
from .output import emit, format_option

migrate_lib = lazy("dossier.migrate")


@cli.group(invoke_without_command=True)
@click.option("--dry-run", is_flag=True, help="list what would run, change nothing")
@format_option()
@click.pass_context
def migrate(ctx: click.Context, dry_run: bool, fmt: str) -> None:
    """Apply db/schema (once each, in order), then changed db/functions and db/policies.

    One advisory lock serialises concurrent runs; each file runs in its own transaction, so a
    failure names file and line and leaves the database at the last good step. An edited
    versioned file is refused.

    Example: dossier migrate --dry-run
    """
    if ctx.invoked_subcommand:
        return
    with ctx.obj.connect(autocommit=True) as conn:
        m = migrate_lib.Migrator(conn, log=lambda msg: click.echo(msg, err=True))
        done = m.run(dry_run=dry_run)
    rows = [{"file": p.step.name, "action": p.action, "reason": p.reason} for p in done]
    if fmt != "table" or dry_run:
        emit(rows, fmt, ["file", "action", "reason"],
             title="would run" if dry_run else "applied")
    elif not rows:
        click.echo("up to date")
    else:
        click.echo(f"{len(rows)} file(s) applied")


@migrate.command("status")
@format_option()
@click.pass_obj
def migrate_status(obj, fmt: str) -> None:
    """List applied migration files with checksums and times, and what is pending.

    Example: dossier migrate status --format csv
    """
    with obj.connect(autocommit=True) as conn:
        m = migrate_lib.Migrator(conn)
        applied = m.applied()
        pending = {p.step.name: p for p in m.plan()}
    rows = [{"file": r["name"], "kind": r["kind"], "checksum": r["checksum"][:12],
             "applied_at": r["applied_at"], "duration_ms": r["duration_ms"],
             "state": "pending (" + pending[r["name"]].reason + ")" if r["name"] in pending
             else "applied"} for r in applied.values()]
    rows += [{"file": n, "kind": p.step.kind, "checksum": p.step.checksum[:12],
              "applied_at": None, "duration_ms": None, "state": "pending"}
             for n, p in pending.items() if n not in applied]
    emit(rows, fmt, ["file", "kind", "checksum", "applied_at", "duration_ms", "state"],
         title="migrations")
