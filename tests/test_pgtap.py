"""Every pgTAP file under tests/pgtap/ (found by glob) runs as one pytest test."""

from pathlib import Path

import pytest

from .conftest import ROOT, check_tap, run_pgtap

PGTAP = sorted((ROOT / "tests" / "pgtap").glob("*.sql"))


@pytest.mark.parametrize("path", PGTAP, ids=[p.stem for p in PGTAP])
def test_pgtap(cluster, template, path: Path):
    run_pgtap(cluster, path)


def test_pgtap_files_follow_the_numbering():
    """tests/pgtap/NNNN_name.sql shares its number with a db/ file (style rule 1)."""
    assert PGTAP, "no pgTAP files found"
    db_numbers = {p.name.split("__")[0].lstrip("V")[:4] if p.name.startswith("V")
                  else p.name[:4] for p in (ROOT / "db").rglob("*.sql")}
    for p in PGTAP:
        assert p.name[:4] in db_numbers, f"{p.name}: no db/ file numbered {p.name[:4]}"


@pytest.mark.parametrize("out, rc, ok", [
    ("1..2\nok 1 - a\nok 2 - b\n", 0, True),
    ("1..2\nok 1 - a\nnot ok 2 - b\n", 0, False),
    ("1..3\nok 1 - a\nok 2 - b\n", 0, False),  # died before the plan was done
    ("ok 1 - a\n", 0, False),  # no plan
    ("1..1\nok 1 - a\n", 3, False),  # psql error
    ("1..1\nnot ok 1 - a # TODO later\n", 0, True),
])
def test_tap_parser_fails_what_it_must(out, rc, ok):
    try:
        check_tap(out, "boom", rc)
    except AssertionError:
        assert not ok
    else:
        assert ok
