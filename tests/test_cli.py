"""Every command has help with an example; bad usage exits 2; json output is JSON."""

import json

import click
import pytest
from click.testing import CliRunner

from dossier.cli import cli

from .conftest import run_cli


def walk(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from walk(cmd, (*prefix, name))


COMMANDS = list(walk(cli))


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_with_an_example(path, cmd):
    r = CliRunner().invoke(cli, [*path, "--help"])
    assert r.exit_code == 0, r.output
    assert "Example:" in (cmd.help or ""), f"`dossier {' '.join(path)}` help lacks an Example:"


@pytest.mark.parametrize("args", [["no-such-command"], ["status", "--format", "xml"],
                                  ["migrate", "--bogus"]])
def test_bad_usage_exits_2(args):
    assert CliRunner().invoke(cli, args).exit_code == 2


def test_errors_are_one_line_without_traceback():
    p = run_cli("--dsn", "host=/nonexistent port=1 dbname=x", "migrate", "status")
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert p.stderr.startswith("Error: ") and len(p.stderr.strip().splitlines()) == 1


def test_json_listings_are_valid_json(dsn):
    for args in (["migrate", "status"], ["migrate", "--dry-run"]):
        json.loads(run_cli(*args, "--format", "json", dsn=dsn, check=True).stdout)
