"""`dossier register list|show`: the art. 30 register of processing activities."""

from __future__ import annotations

import click

from . import cli, lazy
from .output import emit, format_option, to_json

reg = lazy("dossier.register")


@cli.group()
def register() -> None:
    """The AVG art. 30 register of processing activities (A1-A6, FS, TP = M895).

    Example: dossier register show M895 --format md
    """


@register.command("list")
@format_option()
@click.pass_obj
def register_list(obj, fmt: str) -> None:
    """List every processing activity with its reference and legal bases.

    Example: dossier register list --format csv
    """
    with obj.connect() as conn:
        rows = reg.list_activities(conn)
    emit(rows, fmt, ["code", "reference", "name", "organisation", "purposes", "legal_basis",
                     "legal_reference"], title="Register van verwerkingsactiviteiten (AVG art. 30)")


@register.command("show")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True,
              help="md: a printable document; json: for machines")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="language of the document's labels and texts")
@click.pass_obj
def register_show(obj, code: str, fmt: str, lang: str) -> None:
    """Show one processing activity, by annex code (A1…A6, FS, TP) or reference (M895).

    Example: dossier register show M895 --format md > m895.md
    """
    with obj.connect() as conn:
        try:
            a = reg.load(conn, code)
        except reg.NotFound as e:
            raise click.BadParameter(str(e), param_hint="CODE") from None
    click.echo(to_json(a) if fmt == "json" else reg.render_markdown(a, lang))
