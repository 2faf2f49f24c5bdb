"""`dossier backup FILE` / `dossier restore FILE`: the database with the roles and grants
register it needs, into another cluster too; jobs scheduled anew and checks after (issue 17.11)."""

from __future__ import annotations

from pathlib import Path

import click

from . import cli, lazy

lib = lazy("dossier.backup")


def _dsn(obj) -> str:
    from ..conn import resolve_dsn

    return resolve_dsn(obj.dsn)


@cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.pass_obj
def backup_cmd(obj, file: Path) -> None:
    """Write the database, the roles it needs and its row counts to one FILE.

    FILE is a tar archive: pg_dump (custom format), and a manifest with the roles the database
    refers to and the logins of the grants register (attributes, memberships, role settings; no
    passwords) and the row count of every table, all read in one snapshot. Needs a superuser.
    FILE holds personal data: it is written with mode 0600; keep it as the database itself.

    Example: dossier backup /srv/backup/dossier-2026-12-01.backup
    """
    try:
        m = lib.backup(_dsn(obj), file)
    except lib.BackupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"wrote {file}: database {m['database']} at {(m['migration'] or 'no migration').removeprefix('schema/')}, "
               f"{len(m['roles'])} roles, {sum(m['counts'].values())} rows in {len(m['counts'])} tables")


@cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace the database even when it holds subjects or grants")
@click.pass_obj
def restore_cmd(obj, file: Path, force: bool) -> None:
    """Restore a `dossier backup` FILE into this or a fresh cluster, then check it.

    Into the database of --dsn, else of the embedded cluster (restarted at the end when the
    database is pg_cron's: its scheduler ends with the replaced database): create the roles the cluster lacks
    (logins without a password: give each one with `dossier password LOGIN`), replace the database
    (refused when it holds subjects or grants, unless --force), advance the transaction ids past
    the backup's (the audit chain is sealed by them), schedule the pg_cron jobs anew, apply newer
    migrations; then compare every table's rows with the backup's and run `policy check` and
    `audit verify`; exit 1 if any fails. Needs a superuser (docs/operations.md).

    Example: DOSSIER_HOME=/srv/dossier-new dossier restore /srv/backup/dossier-2026-12-01.backup
    """
    import time

    from .. import access, audit
    from ..cluster import Cluster, default_home

    dsn = _dsn(obj)
    embedded = Cluster(default_home())
    embedded = embedded if embedded.initialised and embedded.running() and dsn == embedded.dsn() else None
    try:
        r = lib.restore(dsn, file, force=force, log=lambda m: click.echo(m, err=True))
    except lib.BackupError as e:
        raise click.ClickException(str(e)) from None
    failed = []
    if r["cron"] is not None:
        with obj.connect(autocommit=True) as conn:
            runs = lib.scheduler_runs(conn)
        if not runs and embedded is not None:  # pg_cron starts its scheduler only with the server
            click.echo("restarting the embedded cluster so pg_cron's scheduler runs the jobs", err=True)
            embedded.stop()
            embedded.start()
            for _ in range(50):
                with obj.connect(autocommit=True) as conn:
                    if (runs := lib.scheduler_runs(conn)):
                        break
                time.sleep(0.2)
        if not runs:
            click.echo("pg_cron: the scheduler is not running: restart the server (pg_ctl restart) so the "
                       "jobs run", err=True)
            failed.append("the pg_cron scheduler")
    for table, n in sorted(r["counts"].items()):
        click.echo(f"rows differ: {table}: {n['backup']} in the backup, {n['restored']} restored", err=True)
    if r["counts"]:
        failed.append("row counts")
    with obj.connect(autocommit=True) as conn:
        drift = access.drift(conn)
        for d in drift:
            click.echo(f"policy drift: {d['kind']} {d['object']}: {d['detail']}", err=True)
        if drift:
            failed.append("policy check")
        audit.seal(conn)
        bad = audit.verify(conn) or audit.witness(conn)
        if bad:
            click.echo(f"audit verify: {bad['problem']}", err=True)
            failed.append("audit verify")
    if failed:
        raise click.ClickException(f"restored, but {', '.join(failed)} failed (see above)")
    click.echo(f"restored {file}: row counts match, policy check and audit verify pass"
               + (f", {len(r['cron'])} pg_cron jobs scheduled" if r["cron"] is not None else ""))
