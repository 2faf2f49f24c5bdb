"""Listings for people (rich tables) and for scripts (json, csv): `--format table|json|csv`."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys
from collections.abc import Iterable, Sequence

import click
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "csv")


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


def emit(rows: Sequence[dict], fmt: str, columns: Iterable[str] | None = None,
         title: str | None = None) -> None:
    """Print rows (dicts) as a table, a JSON array or CSV with a header."""
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if fmt == "json":
        click.echo(to_json([{c: r.get(c) for c in cols} for r in rows]))
    elif fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else _plain(r.get(c)) for c in cols])
    else:
        t = Table(title=title, show_lines=False)
        for c in cols:
            t.add_column(c)
        for r in rows:
            t.add_row(*("" if r.get(c) is None else str(_plain(r.get(c))) for c in cols))
        # Scripts piping a table still get whole cells: no terminal means a wide console.
        Console(width=None if sys.stdout.isatty() else 200).print(t)
        if not rows:
            click.echo("(none)")


def emit_record(record: dict, fmt: str, title: str | None = None) -> None:
    """One object: key/value table, JSON object, or a one-row CSV."""
    if fmt == "json":
        click.echo(to_json(record))
    elif fmt == "csv":
        emit([record], "csv")
    else:
        emit([{"key": k, "value": v} for k, v in record.items()], "table", title=title)
