"""Every command has help with an example; bad usage exits 2; json output is JSON."""

import json

import click
import pytest
from click.testing import CliRunner

from dossier.cli import cli

from .conftest import org_today, run_cli


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


# -- in-process behaviour (Click's CliRunner); the real entry point above ------------------------
import csv  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import psycopg  # noqa: E402

from dossier.cli import reference  # noqa: E402
from dossier.cli.output import Phases  # noqa: E402
from dossier.cluster import Cluster, ClusterError  # noqa: E402

from .conftest import ROOT, invoke_cli  # noqa: E402


def one_error(p: subprocess.CompletedProcess, code: int, expect: str) -> None:
    """Exit `code`, exactly one `Error:` line naming `expect`, no traceback."""
    assert p.returncode == code, f"exit {p.returncode}, not {code}: {p.stdout}{p.stderr}"
    errors = [x for x in p.stderr.splitlines() if x.startswith("Error: ")]
    assert len(errors) == 1 and expect in errors[0], p.stderr
    assert "Traceback" not in p.stderr + p.stdout


def test_the_cli_reference_is_up_to_date_and_lists_every_command():
    text = (ROOT / "docs" / "cli.md").read_text()
    assert text == reference.render(), "docs/cli.md is out of date: run `make cli-docs`"
    for path, _ in COMMANDS:
        assert f"\n## dossier {' '.join(path)}\n" in text, f"dossier {' '.join(path)} missing from docs/cli.md"


def test_help_lists_whole_first_sentences_and_keeps_examples_unwrapped():
    top = CliRunner().invoke(cli, ["--help"], terminal_width=100).stdout
    assert "access-register  Art. 9.2: who holds which role" in top, "summary cut at the first full stop"
    for path, cmd in COMMANDS:
        out = CliRunner().invoke(cli, [*path, "--help"], terminal_width=60).stdout
        example = cmd.help.split("Example:", 1)[1].strip().splitlines()[0].strip()
        assert f"Example: {example}" in out, f"dossier {' '.join(path)}: the example was re-wrapped"


def test_command_modules_load_no_driver_or_faker_for_help():
    """Start-up (bench/bench_startup.py measures it): --help and a group's --help import neither
    psycopg, pglast, Faker nor rich."""
    code = ("import sys\nfrom dossier.cli import cli\n"
            "for args in (['--help'], ['retention', '--help'], ['import', 'hr', '--help'], ['request', 'open', '--help']):\n"
            "    cli.main(args, prog_name='dossier', standalone_mode=False)\n"
            "print(sorted(m for m in ('psycopg', 'pglast', 'faker', 'rich') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.strip().splitlines()[-1] == "[]"


def test_up_down_status_refuse_dsn_and_leave_the_local_cluster_alone(tmp_path, monkeypatch):
    c = Cluster(tmp_path / "home", dbname="dossier")
    c.init()
    c.start()
    try:
        monkeypatch.setenv("DOSSIER_HOME", str(c.home))
        for cmd in ("down", "up", "status"):
            one_error(invoke_cli(cmd, dsn="host=127.0.0.1 port=1 dbname=x"), 2, f"--dsn does not apply to `dossier {cmd}`")
        assert c.running(), "`dossier --dsn … down` stopped the local cluster"
        # without --dsn, status reads the migration level (psql) like Migrator.level()
        assert invoke_cli("status", "--format", "json", check=True).stdout.count('"running": true') == 1
    finally:
        c.destroy()


def test_a_missing_preloaded_library_is_named_with_its_package(tmp_path):
    c = Cluster(tmp_path / "home", extra_conf=("shared_preload_libraries = 'pg_cron,pgaudit,dossier_no_such_lib'",))
    c.init()
    try:
        with pytest.raises(ClusterError, match="cannot load the library dossier_no_such_lib"):
            c.start()
        # the server's own line for pg_cron, as on a machine without postgresql-15-cron
        with open(c.logfile, "a") as f:
            f.write('FATAL:  could not access file "pg_cron": No such file or directory\n')
        msg = c._start_failure("pg_ctl failed: Examine the log output.")
        assert "library pg_cron" in msg and "apt-get install postgresql-15-cron" in msg and "make demo" in msg
    finally:
        c.destroy()


def test_bad_inputs_give_one_line_and_the_right_exit_code(demo_dsn, demo_admin):
    tomorrow = (org_today() + dt.timedelta(days=1)).isoformat()
    one_error(invoke_cli("request", "open", "--type", "access", "--subject", "5", "--received", tomorrow,
                         dsn=demo_dsn), 2, "is in the future")
    one_error(invoke_cli("request", "open", "--type", "access", "--subject", "999999", dsn=demo_dsn), 1,
              "no data subject 999999")
    one_error(invoke_cli("request", "verify", "999999", dsn=demo_dsn), 1, "no request 999999")
    one_error(invoke_cli("request", "lift", "999999", "--reason", "x", dsn=demo_dsn), 1, "no request 999999")
    one_error(invoke_cli("request", "show", "999999", dsn=demo_dsn), 1, "no request 999999")
    one_error(invoke_cli("retention", "hold", "add", "999999", "--reason", "x", dsn=demo_dsn), 1,
              "no data subject 999999")
    one_error(invoke_cli("retention", "plan", "--as-of", "2030-02-30", dsn=demo_dsn), 2, "that day does not exist")
    one_error(invoke_cli("request", "list", "--as-of", "30-01-2030", dsn=demo_dsn), 2, "of the form YYYY-MM-DD")
    rid = json.loads(invoke_cli("request", "open", "--type", "access", "--subject", "5", "--format", "json",
                                dsn=demo_dsn, check=True).stdout)["id"]
    # the decision's date is the database's (issue 19.2): there is no --on to backdate it with
    one_error(invoke_cli("request", "close", str(rid), "--decision", "granted", "--reason", "x", "--on", "1999-01-01",
                         dsn=demo_dsn), 2, "No such option")
    assert demo_admin.execute("select closed_on from privacy.subject_request where id = %s", (rid,)).fetchone() == (None,)


def test_request_show_includes_the_erasure_outcome(demo_dsn):
    rid = json.loads(invoke_cli("request", "open", "--type", "erasure", "--subject", "7", "--format", "json",
                                dsn=demo_dsn, check=True).stdout)["id"]
    invoke_cli("request", "close", str(rid), "--decision", "granted", "--reason", "gewist", dsn=demo_dsn, check=True)
    shown = json.loads(invoke_cli("request", "show", str(rid), "--format", "json", dsn=demo_dsn, check=True).stdout)
    assert shown["status"] == "closed" and shown["outcome"], "the outcome its help promises"
    assert {"annex", "deleted", "kept"} <= set(shown["outcome"][0])
    table = invoke_cli("request", "show", str(rid), dsn=demo_dsn, check=True).stdout
    assert "erasure: per annex" in table


def test_psql_as_employee_self_in_an_organisation_without_subjects(demo_dsn, demo_admin):
    demo_admin.execute("insert into dossier.org_unit (code, name, kind) values ('EMPTY-ORG', 'Leeg (fictief)', 'organisation')")
    one_error(invoke_cli("psql", "--as", "employee_self", "--unit", "EMPTY-ORG", dsn=demo_dsn), 1,
              "no data subject in the organisation of unit EMPTY-ORG")


def test_csv_booleans_are_spelled_like_json_and_tables_are_not_cut_when_piped(demo_dsn, logins):
    invoke_cli("request", "open", "--type", "access", "--subject", "5", dsn=demo_dsn, check=True)
    rows = list(csv.DictReader(io.StringIO(invoke_cli("request", "list", "--format", "csv", dsn=demo_dsn,
                                                      check=True).stdout)))
    assert rows and {r["overdue"] for r in rows} <= {"true", "false"}
    login = "a_login_name_that_is_quite_long_for_a_table_" + "x" * 18
    reason = "een lange motivering van de toegang, " * 5
    logins.grant(login, "school_manager", "DEMO-EDU-S1", reason=reason.strip())
    table = invoke_cli("access-register", dsn=demo_dsn, check=True).stdout
    assert login in table and reason.strip() in table and "…" not in table


def test_retention_status_csv_is_one_table_and_counts_manual_runs(cluster):
    """In the cron database (pg_cron lives there): a manual run is counted, and does not change
    the verdict on the scheduled job."""
    dsn = cluster.dsn("dossier")
    with psycopg.connect(dsn, autocommit=True) as conn:
        from dossier.migrate import Migrator

        Migrator(conn).run()

    def status() -> dict:
        out = invoke_cli("retention", "status", "--format", "csv", dsn=dsn).stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 1 and len(out.strip().splitlines()) == 2, "one header, one row"
        return rows[0]

    before = status()
    assert before["job"] == "dossier-retention" and before["ok"] in ("true", "false")
    invoke_cli("retention", "run", dsn=dsn, check=True)
    after = status()
    assert int(after["manual_runs"]) == int(before["manual_runs"]) + 1 and after["last_manual_run"]
    assert (after["ok"], after["state"]) == (before["ok"], before["state"]), "a manual run is not the job"


def test_phases_are_shown_on_a_terminal_only(capsys, demo_dsn, tmp_path):
    from dossier.demo import generate, write_hr_feed
    from dossier.importer import import_hr

    seen = []
    with psycopg.connect(demo_dsn) as conn:
        generate(conn, 10, progress=seen.append)
    assert seen == ["names", "10 people and their records", "employments", "10 absences per person",
                    "statistics (analyze)", "checking every detail row's record", "committing"]
    feed = tmp_path / "f.csv"
    write_hr_feed(feed, 5)
    phases = []
    with psycopg.connect(demo_dsn) as conn:
        import_hr(conn, feed, "DEMO-LOP", dry_run=True, progress=lambda p, n: phases.append((p, n)))
    assert [p for p, _ in phases] == ["reading", "checking", "merging"] and phases[-1][1] == 5
    Phases("x", enabled=True)("step one")
    Phases("x", enabled=False)("step two")
    err = capsys.readouterr().err
    assert "x: step one (" in err and "step two" not in err


def test_the_reference_generator_runs_as_a_module():
    p = subprocess.run([sys.executable, "-m", "dossier.cli.reference"], capture_output=True, text=True, check=True,
                       cwd=Path(ROOT))
    assert p.stdout == (ROOT / "docs" / "cli.md").read_text()
