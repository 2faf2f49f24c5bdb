"""`dossier up`, `down`, `status`: the embedded cluster in $DOSSIER_HOME (default ./.dossier/)."""

from __future__ import annotations

import click

from ..cluster import Cluster, default_home
from . import cli, lazy
from .output import emit_record, format_option

migrate = lazy("dossier.migrate")


def _cluster(obj, command: str) -> Cluster:
    """The embedded cluster; --dsn names another server, which these commands cannot manage."""
    if obj is not None and obj.dsn:
        raise click.UsageError(f"--dsn does not apply to `dossier {command}`: it manages the embedded cluster "
                               "in $DOSSIER_HOME only (set DOSSIER_HOME to choose which)")
    return Cluster(default_home())


@cli.command()
@click.option("--demo", is_flag=True, help="also load the synthetic demo organisations")
@click.pass_obj
def up(obj, demo: bool) -> None:
    """Create (first time), start and migrate the embedded cluster.

    The cluster lives in $DOSSIER_HOME (default ./.dossier/), preloads pg_cron and pgaudit,
    listens on 127.0.0.1 on a free port (scram-sha-256) and on a Unix socket in its folder.
    When run as root the server runs as the `postgres` OS user. Running it again is a no-op.

    Example: dossier up --demo
    """
    c = _cluster(obj, "up")
    created = c.init()
    started = c.start()
    click.echo(f"cluster {'created and ' if created else ''}"
               f"{'started' if started else 'already running'} in {c.home}")
    import psycopg

    with psycopg.connect(c.dsn(), autocommit=True) as conn:
        done = migrate.Migrator(conn, log=lambda m: click.echo(f"  {m}", err=True)).run()
    click.echo(f"migrations: {len(done)} applied" if done else "migrations: up to date")
    if demo:
        from ..demo import load_demo

        with psycopg.connect(c.dsn()) as conn:
            summary = load_demo(conn)
        click.echo(f"demo data: {summary}")
    click.echo(f"\nDSN (superuser, Unix socket): {c.dsn()}")
    click.echo(f"psql:  psql \"{c.dsn()}\"")
    click.echo(f"TCP:   psql \"{c.tcp_dsn()}\"")
    if demo:
        click.echo("\nTry (demo organisations DEMO-EDU and DEMO-LOP):")
        for line in ("dossier psql --as school_manager --unit DEMO-EDU-S1      # one school, no IBAN",
                     "dossier psql --as absence_registrar --unit DEMO-EDU-S2   # the Bijlage 7 absence fields",
                     "dossier psql --as finance_manager --unit DEMO-EDU        # select * from mis.staff_by_unit;",
                     "dossier register show M895                               # the art. 30 register entry",
                     "dossier demo feed /tmp/staff.csv --persons 500           # a synthetic HR feed, then:",
                     "dossier import hr /tmp/staff.csv --org DEMO-LOP --dry-run # every row checked, nothing written",
                     "dossier retention plan --as-of 2030-01-01                # what the bewaartermijnen delete",
                     "dossier request open --type access --subject 5           # then: dossier request export 1 --format html",
                     "dossier policy check && dossier audit verify"):
            click.echo(f"  .venv/bin/{line}")
    else:
        click.echo("Try:   dossier up --demo, then dossier psql --as school_manager --unit DEMO-EDU-S1")


@cli.command()
@click.pass_obj
def down(obj) -> None:
    """Stop the embedded cluster (fast shutdown; data stays).

    Example: dossier down
    """
    c = _cluster(obj, "down")
    click.echo("stopped" if c.stop() else "not running")


@cli.command()
@format_option()
@click.pass_obj
def status(obj, fmt: str) -> None:
    """Say whether the embedded cluster runs, where, which version and migration level.

    Example: dossier status --format json
    """
    c = _cluster(obj, "status")
    running = c.initialised and c.running()
    info = {"running": running, "home": str(c.home), "initialised": c.initialised,
            "port": None, "dsn": None, "version": None, "migration": None}
    if c.initialised:
        info["version"] = c.version()
    if running:
        info["port"] = c.port
        info["dsn"] = c.dsn()
        info["migration"] = c.migration_level()  # through psql: no driver to load (bench_startup)
    emit_record(info, fmt, title="dossier cluster")
