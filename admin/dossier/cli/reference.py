"""docs/cli.md: every command's --help, generated (`make cli-docs`; tests/test_cli.py checks it
is up to date). Run: python -m dossier.cli.reference > docs/cli.md"""

from __future__ import annotations

import click

from . import cli

WIDTH = 100


def commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    """(path, command) for every command and group, depth first, sorted by name."""
    ctx = click.Context(group, info_name="dossier")
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*path, name))


def help_text(path: tuple[str, ...]) -> str:
    """`dossier PATH --help` as a terminal WIDTH columns wide shows it."""
    ctx = click.Context(cli, info_name="dossier", terminal_width=WIDTH, max_content_width=WIDTH,
                        **cli.context_settings)
    cmd: click.Command = cli
    for name in path:
        cmd = cmd.get_command(ctx, name)
        ctx = click.Context(cmd, info_name=name, parent=ctx, terminal_width=WIDTH, max_content_width=WIDTH)
    return cmd.get_help(ctx)


def render() -> str:
    out = ["# The `dossier` command reference",
           "",
           "Generated from `--help` by `make cli-docs` (`python -m dossier.cli.reference`); do not edit.",
           "", "## dossier", "", "```", help_text(()), "```"]
    for path, _ in commands():
        out += ["", f"## dossier {' '.join(path)}", "", "```", help_text(path), "```"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    click.echo(render(), nl=False)
