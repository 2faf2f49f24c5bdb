"""The `dossier` admin shell. Thin: it parses, calls SQL (through the library modules) and prints.

Exit status: 0 on success, 1 when a check finds a problem or an operation fails, 2 on bad use.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click
import psycopg

from ..cluster import ClusterError
from ..migrate import MigrationError

# Errors that become one clear line (a traceback only with --debug).
EXPECTED = (ClusterError, MigrationError, psycopg.Error, OSError, ValueError)


@dataclass
class Context:
    dsn: str | None
    debug: bool

    def connect(self, **kw) -> psycopg.Connection:
        from ..conn import connect

        return connect(self.dsn, **kw)


class Shell(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except EXPECTED as e:
            if ctx.obj and ctx.obj.debug:
                raise
            msg = str(e).strip() or e.__class__.__name__
            if isinstance(e, psycopg.Error) and e.diag.message_primary:
                msg = e.diag.message_primary + (
                    f" (SQLSTATE {e.sqlstate})" if e.sqlstate else "")
            if not isinstance(e, ClusterError | MigrationError):
                msg = " ".join(msg.split())  # libpq's messages span lines: one line here
            raise click.ClickException(msg) from None


@click.group(cls=Shell, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--dsn", default=None, metavar="DSN",
              help="libpq connection string; else DOSSIER_DSN, else PG* variables / service "
                   "file, else the embedded cluster")
@click.option("--debug", is_flag=True, help="show tracebacks")
@click.version_option(package_name="dossier")
@click.pass_context
def cli(ctx: click.Context, dsn: str | None, debug: bool) -> None:
    """dossier: the staff-data privacy regulation, enforced by PostgreSQL.

    Start with `dossier up --demo`, then `dossier psql --as school_manager --unit <CODE>`.

    Example: dossier status --format json
    """
    ctx.obj = Context(dsn=dsn, debug=debug)


def main() -> None:
    sys.exit(cli.main(prog_name="dossier", standalone_mode=True))


# Commands register themselves on import; importing here keeps `dossier.cli:cli` complete.
from . import access as _access  # noqa: E402,F401
from . import audit as _audit  # noqa: E402,F401
from . import cluster as _cluster  # noqa: E402,F401
from . import demo as _demo  # noqa: E402,F401
from . import importer as _importer  # noqa: E402,F401
from . import migrate as _migrate  # noqa: E402,F401
from . import register as _register  # noqa: E402,F401
from . import requests as _requests  # noqa: E402,F401
from . import retention as _retention  # noqa: E402,F401
