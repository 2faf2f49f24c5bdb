"""`dossier demo load|generate`: synthetic, obviously fictitious people (contract §6)."""

from __future__ import annotations

import time

import click

from . import cli, lazy
from .output import Phases, emit_record, format_option

demo_lib = lazy("dossier.demo")  # Faker: loaded by the commands that use it


@cli.group()
def demo() -> None:
    """Synthetic demo organisations and people (Faker nl_NL, fixed seed; no real data).

    Example: dossier demo generate --persons 100000
    """


@demo.command("load")
@click.pass_obj
def demo_load(obj) -> None:
    """Load the two demo organisations once (the same as `dossier up --demo`).

    Example: dossier demo load
    """
    with obj.connect() as conn:
        click.echo(f"demo data: {demo_lib.load_demo(conn)}")


@demo.command("generate")
@click.option("--persons", type=click.IntRange(1, 10_000_000), required=True,
              help="how many synthetic people to add")
@click.option("--org", default="DEMO-EDU", show_default=True, help="organisation unit code")
@click.option("--absences", type=click.IntRange(0, 100), default=10, show_default=True,
              help="absence rows per person")
@format_option()
@click.pass_obj
def demo_generate(obj, persons: int, org: str, absences: int, fmt: str) -> None:
    """Add many synthetic people for benchmarks: A2 and A3 records each, TP for one in five,
    an employment and ABSENCES absence rows per person, set-based in one transaction.

    Example: dossier demo generate --persons 100000 --absences 10
    """
    started = time.monotonic()
    phase = Phases("demo generate")
    with obj.connect() as conn:
        totals = demo_lib.generate(conn, persons, org=org, absences_per_person=absences, progress=phase)
    phase.done()
    emit_record({"persons_added": persons, "seconds": round(time.monotonic() - started, 1),
                 **{f"total_{k}": v for k, v in totals.items()}}, fmt, title="generated")


@demo.command("feed")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--persons", type=click.IntRange(1, 10_000_000), default=100, show_default=True,
              help="how many synthetic people the feed lists")
@click.option("--seed", type=int, default=7, show_default=True, help="the same seed gives the same file")
@click.option("--delimiter", type=click.Choice([",", ";"]), default=",", show_default=True)
@click.option("--encoding", default="utf-8", show_default=True, help="e.g. latin-1 for an old-style export")
def demo_feed(file: str, persons: int, seed: int, delimiter: str, encoding: str) -> None:
    """Write a synthetic HR importer feed (docs/feed.md) to FILE, to try `dossier import hr`.

    Example: dossier demo feed /tmp/staff.csv --persons 1000 && dossier import hr /tmp/staff.csv --org DEMO-LOP
    """
    demo_lib.write_hr_feed(file, persons, seed=seed, delimiter=delimiter, encoding=encoding)
    click.echo(f"wrote {persons} synthetic people to {file}")
