"""Output is data, never markup and never a formula (issue 14 item 7): hostile values fed through
names, application names and reasons come out of `audit log`, `audit reads`, `import hr` and
`access-register` as typed, in a table and in CSV, without crashing a listing."""

from __future__ import annotations

import csv
import io
import time

import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.cli.output import FORMULA_START, cell_text, csv_cell
from dossier.importer import FIELDS

FORMULA = "=cmd|' /C calc'!A0"
SUM = "@SUM(1)"
CLOSE_TAG = "[/evil]"
BOLD = "[bold]x"
HOSTILE = (FORMULA, SUM, CLOSE_TAG, BOLD)
SCHOOL = "DEMO-EDU-S1"


def invoke(dsn: str, *args: str):
    r = CliRunner().invoke(cli, ["--dsn", dsn, *args])
    assert r.exit_code in (0, 1), f"dossier {' '.join(args)}: exit {r.exit_code}\n{r.output}\n{r.exception!r}"
    return r


def cells(csv_text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_text)))


def assert_formula_safe(rows: list[dict]) -> None:
    for r in rows:
        for k, v in r.items():
            assert not (v or "").startswith(FORMULA_START), f"column {k}: {v!r} would run as a formula"


def test_csv_cells_are_inert_and_typed_like_json():
    assert [csv_cell(v) for v in HOSTILE] == ["'" + FORMULA, "'" + SUM, CLOSE_TAG, BOLD]
    assert [csv_cell(v) for v in ("+1", "-x", "\tx", "\rx")] == ["'+1", "'-x", "'\tx", "'\rx"]
    assert [csv_cell(v) for v in (True, False, None, -3, {"a": "=b"})] == ["true", "false", "", "-3", '{"a": "=b"}']
    assert cell_text("\x1b[31mred\x00") == "\\x1b[31mred\\x00", "terminal escapes shown, not sent"


def test_audit_log_shows_hostile_application_names_and_values_as_typed(logins, demo_dsn):
    rec = logins.admin.execute("select id from dossier.person_record where annex = 'A2' order by id limit 1").fetchone()[0]
    logins.grant("w_hostile", "hr_officer", "DEMO-EDU")
    for i, payload in enumerate(HOSTILE):
        me = logins.connect("w_hostile", application_name=payload)
        me.execute("update dossier.person_record set surname = %s where id = %s", (f"{payload} {i}", rec))
    table = invoke(demo_dsn, "audit", "log", "--limit", "4")
    assert table.exit_code == 0, table.output  # a `[/evil]` application name used to crash the listing
    for payload in HOSTILE:
        assert payload in table.stdout, f"{payload!r} not shown as typed"
    rows = cells(invoke(demo_dsn, "audit", "log", "--limit", "4", "--format", "csv").stdout)
    assert {r["application_name"] for r in rows} == {"'" + FORMULA, "'" + SUM, CLOSE_TAG, BOLD}
    assert_formula_safe(rows)


def test_audit_reads_shows_a_hostile_application_name_as_typed(logins, demo_dsn):
    logins.grant("r_hostile", "school_manager", SCHOOL)
    for payload in HOSTILE:
        logins.connect("r_hostile", application_name=payload).execute(
            "select surname from dossier.person_record").fetchall()
    for _ in range(100):  # the logging collector writes asynchronously
        rows = cells(invoke(demo_dsn, "audit", "reads", "--login", "r_hostile", "--format", "csv").stdout)
        if len(rows) >= len(HOSTILE):
            break
        time.sleep(0.1)
    assert {r["application"] for r in rows} == {"'" + FORMULA, "'" + SUM, CLOSE_TAG, BOLD}
    assert_formula_safe(rows)
    table = invoke(demo_dsn, "audit", "reads", "--login", "r_hostile")
    assert table.exit_code == 0, table.output  # `[/evil]` used to crash it: a reader could hide
    for payload in HOSTILE:
        assert payload in table.stdout


def test_access_register_shows_hostile_logins_and_reasons_as_typed(logins, demo_dsn):
    logins.grant(SUM, "school_manager", SCHOOL, reason=FORMULA)
    logins.grant(BOLD, "school_manager", SCHOOL, reason=CLOSE_TAG)
    table = invoke(demo_dsn, "access-register")
    assert table.exit_code == 0, table.output
    for payload in HOSTILE:
        assert payload in table.stdout
    rows = [r for r in cells(invoke(demo_dsn, "access-register", "--format", "csv").stdout)
            if r["login"] in ("'" + SUM, BOLD)]
    assert {(r["login"], r["reason"]) for r in rows} == {("'" + SUM, "'" + FORMULA), (BOLD, CLOSE_TAG)}
    assert_formula_safe(rows)


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_import_hr_problems_and_summary_show_hostile_values_as_typed(demo_dsn, tmp_path, fmt):
    base = dict.fromkeys(FIELDS, "") | dict(initials="A.", first_names="Anna", birth_date="1980-02-03",
                                            start_date="2010-01-01", function="Medewerker", kolom="Rijk",
                                            directie="VWS", afdeling="Afdeling 1", team="Team 1")
    bad = [base | dict(person_id="B1", surname=FORMULA, gender=CLOSE_TAG, email=SUM),
           base | dict(person_id="B2", surname=BOLD, gender=BOLD, email="b2@example.org")]
    feed = tmp_path / f"{BOLD}.csv"
    with open(feed, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(bad)
    r = invoke(demo_dsn, "import", "hr", str(feed), "--org", "DEMO-LOP", "--format", fmt)
    assert r.exit_code == 1 and "nothing was written" in r.stderr
    if fmt == "csv":
        rows = cells(r.stdout)
        assert {(x["line"], x["field"], x["value"]) for x in rows} == {
            ("2", "gender", CLOSE_TAG), ("2", "email", "'" + SUM), ("3", "gender", BOLD)}
        assert_formula_safe(rows)
    else:
        for payload in (CLOSE_TAG, SUM, BOLD):
            assert payload in r.stdout
    good = [base | dict(person_id="G1", surname=FORMULA, gender="V", email="g1@example.org")]
    with open(feed, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(good)
    r = invoke(demo_dsn, "import", "hr", str(feed), "--org", "DEMO-LOP", "--format", fmt, "--dry-run")
    assert r.exit_code == 0, r.output
    if fmt == "table":
        assert f"import {BOLD}.csv" in r.stdout, "the file name in the title is not markup"
