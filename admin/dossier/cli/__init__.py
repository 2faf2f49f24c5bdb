"""The `dossier` admin shell. Thin: it parses, calls SQL (through the library modules) and prints.

Exit status: 0 on success, 1 when a check finds a problem or an operation fails, 2 on bad use.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import inspect
import re
import sys
import types
from dataclasses import dataclass

import click

from ..cluster import ClusterError

# The processing activities' codes (Bijlage 1-6, FS, TP = M895; README "Codes"), one list for
# every --annex option.
ANNEXES = ("A1", "A2", "A3", "A4", "A5", "A6", "FS", "TP")



class Date(click.ParamType):
    """A calendar date YYYY-MM-DD; 2030-02-30 is refused as a day that does not exist (not as
    a wrong format). The value is a datetime at midnight, as click.DateTime gives."""

    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.datetime):
            return value
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            self.fail(f"{value!r} is not a date of the form YYYY-MM-DD", param, ctx)
        try:
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        except ValueError:
            self.fail(f"{value!r} is not a date: that day does not exist", param, ctx)


DATE = Date()


def lazy(name: str):
    """The module `name`, imported when one of its attributes is first used (importlib's
    LazyLoader): `dossier --help` and `dossier status` load no database driver, no parser and
    no Faker they do not use (bench/bench_startup.py)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def expected_errors() -> tuple[type[BaseException], ...]:
    """Errors that become one clear line (a traceback only with --debug). A module's errors can
    only have been raised once it is loaded, so only loaded modules are asked (a lazy one not yet
    used is of a subclass of ModuleType, and asking would load it)."""
    found: list[type[BaseException]] = [ClusterError, OSError, ValueError]
    for module, name in (("psycopg", "Error"), ("dossier.migrate", "MigrationError")):
        if type(sys.modules.get(module)) is types.ModuleType:
            found.append(getattr(sys.modules[module], name))
    return tuple(found)


@dataclass
class Context:
    dsn: str | None
    debug: bool

    def connect(self, **kw):
        from ..conn import connect

        return connect(self.dsn, **kw)


# an "Example:" paragraph of a docstring is shown as written (Click's \b), never re-wrapped
_EXAMPLE = re.compile(r"(?m)(?<!\x08\n)^Example:")
# a sentence ends at a full stop before a capital: "Art. 9.2: who holds …" is one sentence
_SENTENCE_END = re.compile(r"\.(?=\s+[A-Z])|\.?$")


class HelpText:
    """Help as written: the listing shows each command's whole first sentence (wrapped, not cut
    at the first full stop), and examples keep their lines."""

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            return self.short_help
        first = " ".join(inspect.cleandoc(self.help or "").partition("\f")[0].split("\n\n")[0].split())
        return first[:_SENTENCE_END.search(first).start()]

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = _EXAMPLE.sub("\b\nExample:", inspect.cleandoc(self.help or "").partition("\f")[0])
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)


class Command(HelpText, click.Command):
    pass


class Shell(HelpText, click.Group):
    command_class = Command
    group_class = type  # subgroups are Shells too: the same help and the same errors

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:
            if not isinstance(e, expected_errors()) or (ctx.obj and ctx.obj.debug):
                raise
            msg = str(e).strip() or e.__class__.__name__
            if hasattr(e, "diag") and hasattr(e, "sqlstate") and e.diag.message_primary:  # psycopg.Error
                msg = e.diag.message_primary + (
                    f" (SQLSTATE {e.sqlstate})" if e.sqlstate else "")
            if type(e).__name__ not in ("ClusterError", "MigrationError"):
                msg = " ".join(msg.split())  # libpq's messages span lines: one line here
            if getattr(getattr(e, "diag", None), "message_hint", None):
                msg += f"\nhint: {e.diag.message_hint}"
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
from . import backup as _backup  # noqa: E402,F401
from . import cluster as _cluster  # noqa: E402,F401
from . import demo as _demo  # noqa: E402,F401
from . import importer as _importer  # noqa: E402,F401
from . import migrate as _migrate  # noqa: E402,F401
from . import register as _register  # noqa: E402,F401
from . import requests as _requests  # noqa: E402,F401
from . import retention as _retention  # noqa: E402,F401
