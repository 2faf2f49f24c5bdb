"""`dossier import hr`: the HR importer feed (contract §5)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import importer as lib
from . import cli
from .output import emit, emit_record, format_option


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
@click.option("--encoding", default=None, metavar="ENC",
              help="the file's encoding (default UTF-8, with or without BOM); latin-1 for old exports")
@format_option()
@click.pass_obj
def import_hr(obj, file: Path, org: str, into: str, full: bool, dry_run: bool, encoding: str | None,
              fmt: str) -> None:
    """Sync an HR feed (CSV, comma or semicolon, header as contract §5) into subjects, person
    records, employments and the unit tree kolom › directie › afdeling › team of --org.

    Every row is checked before anything is written; a file with any invalid row writes nothing
    and lists every problem with its line, field and reason (exit 1). The import runs as
    dossier_importer in one transaction: new people are inserted, changed ones updated, an
    end_date records a leaver; re-importing the same file changes nothing (and audits nothing).

    Example: dossier import hr staff.csv --org DEMO-LOP --into TP --full --dry-run
    """
    show = fmt == "table" and sys.stderr.isatty()
    with obj.connect() as conn, Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
                                         TimeElapsedColumn(), disable=not show, transient=True) as bar:
        total = None
        if show:
            with open(file, "rb") as f:
                total = max(sum(1 for _ in f) - 1, 0)
        task = bar.add_task("rows", total=total)
        try:
            summary = lib.import_hr(conn, file, org, into=into, full=full, dry_run=dry_run, encoding=encoding,
                                    progress=lambda n: bar.update(task, completed=n))
        except lib.FeedError as e:
            bar.stop()
            if e.problems:
                emit([vars(p) for p in e.problems], fmt, ["line", "field", "value", "problem"],
                     title="rows that cannot be imported")
            raise click.ClickException(str(e)) from None
    title = f"import {file.name} into {into} of {org}" + (" (dry run: nothing written)" if dry_run else "")
    emit_record({k.replace("_count", ""): summary[k] for k in lib.SUMMARY} | {"dry_run": dry_run}, fmt, title=title)
