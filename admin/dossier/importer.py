"""The HR importer feed (contract §5; 000 "via een koppeling, de HR-importer").

Python reads the file (encoding, BOM, delimiter, header) and streams its rows with COPY into a
staging table; SQL does the rest in the same transaction, as `dossier_importer`: every row is
checked at once (`dossier.import_problems()`), and only a file without problems is applied
(`dossier.import_apply()`: units, subjects, records, employment, set-based MERGE). A problem,
an error or a killed process rolls everything back: nothing is partly written.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

FIELDS = ("person_id", "surname", "prefix", "initials", "first_names", "partner_surname", "partner_prefix",
          "salutation", "title_before", "title_after", "gender", "birth_date", "birth_place", "email",
          "start_date", "end_date", "function", "kolom", "directie", "afdeling", "team")
SUMMARY = ("rows_read", "inserted", "updated", "unchanged", "left_count", "units_created")


@dataclass
class Problem:
    line: int
    field: str
    value: str | None
    problem: str


@dataclass
class FeedError(ValueError):
    """The file cannot be imported; `problems` names every bad row and field."""

    message: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


def _open(path: Path, encoding: str | None):
    # utf-8-sig reads UTF-8 with or without a byte-order mark
    return open(path, encoding=encoding or "utf-8-sig", newline="", errors="strict")


def read_header(path: Path, encoding: str | None) -> tuple[list[str], str]:
    """The header's names and the delimiter (comma or semicolon, whichever the header uses)."""
    try:
        with _open(path, encoding) as f:
            first = f.readline()
    except UnicodeDecodeError as e:
        raise FeedError(f"{path}: not valid {encoding or 'UTF-8'} at byte {e.start} of the first line; "
                        "for an old export try --encoding latin-1") from None
    if not first.strip():
        raise FeedError(f"{path}: the file is empty (no header line)")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    names = [n.strip() for n in next(csv.reader([first], delimiter=delimiter))]
    problems = []
    for i, n in enumerate(names):
        if n not in FIELDS:
            problems.append(Problem(1, n, n, "unknown column"))
        elif n in names[:i]:
            problems.append(Problem(1, n, n, "column appears twice"))
    problems += [Problem(1, n, None, "missing column") for n in FIELDS if n not in names]
    if problems:
        raise FeedError(f"{path}: the header does not match the feed format (contract §5)", problems)
    return names, delimiter


def _rows(path: Path, encoding: str | None, delimiter: str, names: list[str], problems: list[Problem]):
    """(line, fields in FIELDS order) for every data row; a row of the wrong width is a problem."""
    index = [names.index(f) for f in FIELDS]
    with _open(path, encoding) as f:
        reader = csv.reader(f, delimiter=delimiter)
        next(reader)
        start = reader.line_num + 1
        try:
            for row in reader:
                line, start = start, reader.line_num + 1
                if not row or all(not v.strip() for v in row):
                    continue
                if len(row) != len(names):
                    problems.append(Problem(line, "(row)", None,
                                            f"{len(row)} fields where the header has {len(names)}"))
                    continue
                yield line, [row[i] for i in index]
        except UnicodeDecodeError as e:
            raise FeedError(f"{path}: not valid {encoding or 'UTF-8'} after line {start - 1} "
                            f"(byte {e.start} of a read block); for an old export try --encoding latin-1") from None
        except csv.Error as e:
            raise FeedError(f"{path}, line {reader.line_num}: {e}") from None


def import_hr(conn: psycopg.Connection, path: Path, org: str, into: str = "TP", full: bool = False,
              dry_run: bool = False, encoding: str | None = None,
              progress: Callable[[int], None] | None = None) -> dict:
    """Import one feed in one transaction; returns the counts (with dry_run, what would happen).
    Raises FeedError listing every problem when any row is invalid (nothing written)."""
    names, delimiter = read_header(path, encoding)
    problems: list[Problem] = []
    with conn.transaction() as tx:
        # the organisation the run may touch (its row policies), then the importer's own privileges,
        # whoever runs the shell (contract §3, privacy.technical_access)
        conn.execute("select privacy.begin_import(%s)", (org,))
        conn.execute("set local role dossier_importer")
        conn.execute("select dossier.import_stage()")
        n = 0
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in ("line", *FIELDS))
        with conn.cursor().copy(sql.SQL("copy pg_temp.hr_staging ({}) from stdin").format(cols)) as cp:
            for line, values in _rows(path, encoding, delimiter, names, problems):
                cp.write_row((line, *values))
                n += 1
                if progress and n % 5000 == 0:
                    progress(n)
        if progress:
            progress(n)
        if n == 0 and not problems:
            raise FeedError(f"{path}: the file has a header but no rows")
        cur = conn.cursor(row_factory=dict_row)
        problems += [Problem(**r) for r in cur.execute("select * from dossier.import_problems()")]
        if problems:
            problems.sort(key=lambda p: (p.line, p.field))
            raise FeedError(f"{path}: {len(problems)} problem(s) in {len({p.line for p in problems})} row(s); "
                            "nothing was written", problems)
        summary = cur.execute("select * from dossier.import_apply(%s, %s, %s, %s)",
                              (org, into, full, os.path.basename(path))).fetchone()
        if dry_run:
            raise psycopg.Rollback(tx)
    return summary
