"""`dossier import hr`: the HR importer feed (docs/feed.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import cli, lazy
from .output import emit, emit_record, format_option

lib = lazy("dossier.importer")


def _encoding(ctx, param, value: str | None) -> str | None:
    try:
        lib.check_encoding(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    return value


def _count_lines(file: Path) -> int | None:
    """The rows for the progress bar, from a regular file only (never a FIFO or a device)."""
    try:
        with lib.open_feed(file) as f:
            return max(sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1, 0)
    except lib.FeedError:
        return None  # the import itself says why


@cli.group("import")
def import_() -> None:
    """Import feeds from other systems (000: "via een koppeling, de HR-importer").

    Example: dossier import hr staff.csv --org DEMO-LOP --into TP
    """


@import_.command("hr")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", required=True, metavar="CODE", help="the organisation unit the feed belongs to")
@click.option("--into", type=click.Choice(["TP", "A2"]), default="TP", show_default=True,
              help="the processing activity the records are for: training passport (M895) or personnel (Bijlage 2)")
@click.option("--full", is_flag=True,
              help="the feed lists everyone: people imported before and missing now are recorded as left today")
@click.option("--dry-run", is_flag=True, help="check and count everything, then roll back: nothing is written")
@click.option("--encoding", default=None, metavar="ENC", callback=_encoding,
              help="the file's encoding (default UTF-8, with or without BOM); latin-1 for old exports")
@click.option("--max-new-units", type=click.IntRange(0, 100_000), default=lib.MAX_NEW_UNITS, show_default=True,
              help="refuse a feed that would create more new units than this (a typo in a unit column "
                   "would otherwise grow the tree)")
@format_option()
@click.pass_obj
def import_hr(obj, file: Path, org: str, into: str, full: bool, dry_run: bool, encoding: str | None,
              max_new_units: int, fmt: str) -> None:
    """Sync an HR feed (CSV, comma or semicolon, the columns of docs/feed.md) into subjects, person
    records, employments and the unit tree kolom › directie › afdeling › team of --org.

    Every row is checked before anything is written; a file with any invalid row writes nothing
    and lists every problem with its line, field and reason (exit 1), quoting at most a short,
    escaped excerpt of a bad value. Only a regular file is read (no symbolic link, FIFO or
    device), with at most 64 columns and 64 KiB per line. The import runs as
    dossier_importer in one transaction: new people are inserted, changed ones updated, an
    end_date records a leaver; re-importing the same file changes nothing (and audits nothing).

    Example: dossier import hr staff.csv --org DEMO-LOP --into TP --full --dry-run
    """
    show = fmt == "table" and sys.stderr.isatty()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with obj.connect() as conn, Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                         TimeElapsedColumn(), disable=not show, transient=True) as bar:
        task = bar.add_task("reading", total=_count_lines(file) if show else None)

        def progress(phase: str, n: int) -> None:
            # reading: rows streamed to the server; then checking every row, then the merge
            bar.update(task, completed=n, description=phase if phase == "reading" else f"{phase} {n} rows")

        try:
            summary = lib.import_hr(conn, file, org, into=into, full=full, dry_run=dry_run, encoding=encoding,
                                    progress=progress, max_new_units=max_new_units)
        except lib.FeedError as e:
            bar.stop()
            if e.problems:
                emit([vars(p) for p in e.problems], fmt, ["line", "field", "value", "problem"],
                     title="rows that cannot be imported")
            raise click.ClickException(str(e)) from None
    title = f"import {file.name} into {into} of {org}" + (" (dry run: nothing written)" if dry_run else "")
    emit_record({k.replace("_count", ""): summary[k] for k in lib.SUMMARY} | {"dry_run": dry_run}, fmt, title=title)
