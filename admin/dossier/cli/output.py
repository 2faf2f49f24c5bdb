"""Listings for people (rich tables) and for scripts (json, csv): `--format table|json|csv`.

Data is never markup and never a formula (issue 14 item 7): table cells are rich Text objects
(no `[bold]` or `[/x]` parsing) with control characters shown as escapes, and a CSV cell that a
spreadsheet would evaluate (starting with = + - @, a tab or a carriage return) gets a leading `'`.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys
import time
from collections.abc import Iterable, Sequence

import click

FORMATS = ("table", "json", "csv")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a table piped to a file or script is as wide as its cells: nothing cut with "…"
PIPE_WIDTH = 100_000


def format_option(default: str = "table"):
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default=default,
                        show_default=True, help="table for people, json or csv for scripts")


def _plain(v):
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, memoryview | bytes):
        return bytes(v).hex()
    return v


def to_json(obj) -> str:
    return json.dumps(obj, default=_plain, ensure_ascii=False, indent=2)


def csv_cell(v) -> str:
    """A value as a CSV cell: booleans as JSON spells them, structures as JSON, and text a
    spreadsheet would run as a formula made inert with a leading `'` (OWASP CSV injection)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict | list | tuple):
        text = json.dumps(v, default=_plain, ensure_ascii=False)
    elif isinstance(v, str):
        text = v
    else:
        return str(_plain(v))  # numbers and dates are never formulas
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_text(v) -> str:
    """A value as a table cell's text: control characters (ESC, NUL, …) as visible escapes."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict | list | tuple):
        v = json.dumps(v, default=_plain, ensure_ascii=False)
    s = str(_plain(v))
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() or c == "\n" else c.encode("unicode_escape").decode("ascii") for c in s)


def _console():
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(width=None if tty else PIPE_WIDTH, highlight=False, emoji=False, markup=False,
                   file=sys.stdout)


def emit(rows: Sequence[dict], fmt: str, columns: Iterable[str] | None = None,
         title: str | None = None) -> None:
    """Print rows (dicts) as a table, a JSON array or CSV with a header."""
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if fmt == "json":
        click.echo(to_json([{c: r.get(c) for c in cols} for r in rows]))
    elif fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow([csv_cell(c) for c in cols])
        for r in rows:
            w.writerow([csv_cell(r.get(c)) for c in cols])
    else:
        from rich.table import Table
        from rich.text import Text

        t = Table(title=Text(cell_text(title)) if title else None, show_lines=False)
        for c in cols:
            t.add_column(Text(cell_text(c)))
        for r in rows:
            t.add_row(*(Text(cell_text(r.get(c))) for c in cols))
        _console().print(t)
        if not rows:
            click.echo("(none)")


class Phases:
    """Long work's phases on standard error as they start, with the seconds so far, when standard
    error is a terminal (scripts and pipes see nothing): `phase = Phases("demo generate")`, then
    `phase("absences")` as each starts and `phase.done()` at the end."""

    def __init__(self, what: str, enabled: bool | None = None):
        self.what = what
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.monotonic()

    def __call__(self, phase: str) -> None:
        if self.enabled:
            click.echo(f"{self.what}: {phase} ({time.monotonic() - self.started:.1f} s)", err=True)

    def done(self) -> None:
        self("done")


def emit_record(record: dict, fmt: str, title: str | None = None) -> None:
    """One object: key/value table, JSON object, or a one-row CSV."""
    if fmt == "json":
        click.echo(to_json(record))
    elif fmt == "csv":
        emit([record], "csv")
    else:
        emit([{"key": k, "value": v} for k, v in record.items()], "table", title=title)
