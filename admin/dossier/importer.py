"""The HR importer feed (docs/feed.md; 000 "via een koppeling, de HR-importer").

Python reads the file (encoding, BOM, delimiter, header) and streams its rows with COPY into a
staging table; SQL does the rest in the same transaction, as `dossier_importer`: every row is
checked at once (`dossier.import_problems()`), and only a file without problems is applied
(`dossier.import_apply()`: units, subjects, records, employment, set-based MERGE). A problem,
an error or a killed process rolls everything back: nothing is partly written.
"""

from __future__ import annotations

import codecs
import csv
import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# the feed's header, in contract order: dossier.feed_field() is the list (db/functions/1300_import.sql);
# tests/test_feed_fields.py checks this copy against it
FIELDS = ("person_id", "surname", "prefix", "initials", "first_names", "partner_surname", "partner_prefix",
          "salutation", "title_before", "title_after", "gender", "birth_date", "birth_place", "email",
          "start_date", "end_date", "function", "kolom", "directie", "afdeling", "team")
SUMMARY = ("rows_read", "inserted", "updated", "unchanged", "left_count", "units_created")


# Bounds on what a feed may be, so a hostile or broken file (a symbolic link to a secret, a
# device, one endless line) costs little and shows nothing: a line of at most MAX_LINE bytes (a
# record of at most MAX_LINE characters), a header of at most MAX_COLUMNS names, at most
# MAX_PROBLEMS problems kept to report (the rest counted), values quoted only as EXCERPT-character
# excerpts, and no file other than a regular one. The file is streamed: memory stays bounded.
MAX_LINE = 64 * 1024
MAX_COLUMNS = 64
MAX_PROBLEMS = 1000
EXCERPT = 24
# new units one feed may create unless --max-new-units says otherwise (the demo feed makes 52)
MAX_NEW_UNITS = 100


def excerpt(value: str | None, n: int = EXCERPT) -> str | None:
    """A short, escaped excerpt of a bad value: at most n characters, control characters and
    other unprintables as escapes, so no file content is echoed at length or raw."""
    if value is None:
        return None
    cut = value[:n]
    out = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in cut)
    return out + ("…" if len(value) > n else "")


@dataclass
class Problem:
    line: int
    field: str
    value: str | None
    problem: str

    def __post_init__(self) -> None:
        self.field, self.value = excerpt(self.field), excerpt(self.value)


@dataclass
class FeedError(ValueError):
    """The file cannot be imported; `problems` names every bad row and field."""

    message: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


def check_encoding(encoding: str | None) -> str:
    """The codec's name, or ValueError: only encodings that spell , ; and newlines as ASCII."""
    name = encoding or "utf-8-sig"  # utf-8-sig reads UTF-8 with or without a byte-order mark
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding {excerpt(name)!r} (try utf-8 or latin-1)") from None
    try:
        probe = "utf-8" if info.name == "utf-8-sig" else name  # its encoder would write a BOM
        ascii_ok = "a,;\r\n".encode(probe) == b"a,;\r\n"
    except (UnicodeError, LookupError):
        ascii_ok = False
    if not ascii_ok:
        raise ValueError(f"encoding {name!r} is not ASCII-compatible; a feed is UTF-8 or a single-byte encoding")
    return name


def open_feed(path: Path):
    """The file opened for reading as bytes: never through a symbolic link (O_NOFOLLOW), and only
    a regular file (fstat of the opened descriptor, so nothing can be swapped in between)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise FeedError(f"{path}: is a symbolic link; give the feed file itself") from None
        raise FeedError(f"{path}: cannot open: {e.strerror}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise FeedError(f"{path}: is {kind}, not a regular file; a feed is a CSV file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb", buffering=64 * 1024)


def _lines(path: Path, encoding: str | None):
    """The file's physical lines as text, each bounded by MAX_LINE; a line too long, a NUL byte
    or a byte the encoding does not allow stops the read with the line's number (no content)."""
    name = check_encoding(encoding)
    decoder = codecs.getincrementaldecoder(name)(errors="strict")
    with open_feed(path) as f:
        n = 0
        while True:
            raw = f.readline(MAX_LINE + 1)
            if not raw:
                tail = decoder.decode(b"", final=True)
                if tail:
                    yield tail
                return
            n += 1
            if len(raw) > MAX_LINE:
                raise FeedError(f"{path}, line {n}: longer than {MAX_LINE} bytes; not an HR feed line")
            if b"\0" in raw:
                raise FeedError(f"{path}, line {n}: contains a NUL byte; a feed is a text file")
            try:
                yield decoder.decode(raw)
            except UnicodeDecodeError as e:
                raise FeedError(f"{path}, line {n}: not valid {encoding or 'UTF-8'} at byte {e.start + 1} of the line; "
                                "for an old export try --encoding latin-1") from None


def _header(path: Path, first: str) -> tuple[list[str], str]:
    """The header's names and the delimiter (comma or semicolon, whichever the header uses)."""
    if not first.strip():
        raise FeedError(f"{path}: the file is empty (no header line)")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if first.count(delimiter) + 1 > MAX_COLUMNS:
        raise FeedError(f"{path}: the header has {first.count(delimiter) + 1} columns; the feed has "
                        f"{len(FIELDS)} (at most {MAX_COLUMNS} accepted)")
    try:
        names = [n.strip() for n in next(csv.reader([first], delimiter=delimiter))]
    except csv.Error as e:
        raise FeedError(f"{path}, line 1: not a CSV header ({e})") from None
    known = set(FIELDS)
    if not known.intersection(names):
        # not a feed at all: say so without echoing what the first line holds
        raise FeedError(f"{path}: line 1 is not a feed header (none of the {len(FIELDS)} column names of docs/feed.md)")
    problems, seen = [], set()
    for n in names:
        if n not in known:
            problems.append(Problem(1, n, n, "unknown column"))
        elif n in seen:
            problems.append(Problem(1, n, n, "column appears twice"))
        seen.add(n)
    problems += [Problem(1, n, None, "missing column") for n in FIELDS if n not in seen]
    if problems:
        raise FeedError(f"{path}: the header does not match the feed format (docs/feed.md)", problems)
    return names, delimiter


def _rows(path: Path, encoding: str | None, problems: list[Problem], counts: dict):
    """(line, fields in FIELDS order) for every data row; a row of the wrong width is a problem.
    The header is read from the same open file (one open: nothing can be swapped in between).
    A record (quoted fields may span lines) is bounded like a line: at most MAX_LINE characters."""
    lines = _lines(path, encoding)
    names, delimiter = _header(path, next(lines, ""))
    index = [names.index(f) for f in FIELDS]
    used = [0]

    def bounded():
        for text in lines:
            used[0] += len(text)
            if used[0] > MAX_LINE:
                raise FeedError(f"{path}, line {reader.line_num + 2}: a record longer than {MAX_LINE} characters "
                                "(an unclosed quote?)")
            yield text

    reader = csv.reader(bounded(), delimiter=delimiter)
    start = 2
    try:
        for row in reader:
            used[0] = 0
            line, start = start, reader.line_num + 2
            if not row or all(not v.strip() for v in row):
                continue
            if len(row) != len(names):
                counts["problems"] += 1
                if len(problems) < MAX_PROBLEMS:
                    problems.append(Problem(line, "(row)", None,
                                            f"{len(row)} fields where the header has {len(names)}"))
                continue
            yield line, [row[i] for i in index]
    except csv.Error as e:
        raise FeedError(f"{path}, line {reader.line_num + 1}: {excerpt(str(e))}") from None
    finally:
        lines.close()


# New units the staged feed would create under the organisation: every distinct path prefix
# kolom › directie › afdeling › team that does not resolve, level by level, to an existing unit
# (the same matching as dossier.import_apply(): parent and name). NULL for an unknown organisation.
NEW_UNITS = """
with recursive paths as (
    select distinct t.unit_names as names from pg_temp.hr_typed t  -- first: 10^5 rows, a few paths
), pre as (
    select distinct p.names[1:n] as path, p.names[1:n - 1] as parent, p.names[n] as name
      from paths p cross join lateral pg_catalog.generate_series(1, cardinality(p.names)) n
), found(path, id) as (
    select '{}'::text[], u.id from dossier.org_unit u where u.code = %s and u.kind = 'organisation'
    union all
    select p.path, c.id from found f join pre p on p.parent = f.path
      join dossier.org_unit c on c.parent_id = f.id and c.name = p.name
)
select case when exists (select from found) then
       (select count(*) from pre where not exists (select from found f where f.path = pre.path)) end as new_units
"""


def import_hr(conn, path: Path, org: str, into: str = "TP", full: bool = False,
              dry_run: bool = False, encoding: str | None = None,
              progress: Callable[[str, int], None] | None = None, max_new_units: int = MAX_NEW_UNITS) -> dict:
    """Import one feed in one transaction; returns the counts (with dry_run, what would happen).
    Raises FeedError listing every problem when any row is invalid, or when the feed would
    create more than max_new_units units (nothing written). progress(phase, rows) is called
    while rows are read and once as each later phase starts ("checking", "merging")."""
    import psycopg  # here, not at the top: `dossier --help` reads this module's limits only
    from psycopg import sql
    from psycopg.rows import dict_row

    problems: list[Problem] = []
    counts = {"problems": 0}
    with conn.transaction() as tx:
        # the organisation the run may touch (its row policies), then the importer's own privileges,
        # whoever runs the shell (contract §3, privacy.technical_access)
        conn.execute("select privacy.begin_import(%s)", (org,))
        conn.execute("set local role dossier_importer")
        conn.execute("select dossier.import_stage()")
        n = 0
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in ("line", *FIELDS))
        with conn.cursor().copy(sql.SQL("copy pg_temp.hr_staging ({}) from stdin").format(cols)) as cp:
            for line, values in _rows(path, encoding, problems, counts):
                cp.write_row((line, *values))
                n += 1
                if progress and n % 5000 == 0:
                    progress("reading", n)
        if progress:
            progress("reading", n)
        if n == 0 and not problems:
            raise FeedError(f"{path}: the file has a header but no rows")
        if progress:
            progress("checking", n)
        cur = conn.cursor(row_factory=dict_row)
        # at most MAX_PROBLEMS rows come to the client, with the count of them all
        rows = cur.execute("select p.line, p.field, p.value, p.problem, count(*) over () as total "
                           "from dossier.import_problems() p order by p.line, p.field limit %s",
                           (MAX_PROBLEMS,)).fetchall()
        counts["problems"] += rows[0]["total"] if rows else 0
        for r in rows:
            r.pop("total")
            if len(problems) < MAX_PROBLEMS:
                problems.append(Problem(**r))
        if problems:
            problems.sort(key=lambda p: (p.line, p.field))
            more = counts["problems"] - len(problems)
            raise FeedError(f"{path}: {counts['problems']} problem(s)"
                            + (f" (the first {len(problems)} listed)" if more else
                               f" in {len({p.line for p in problems})} row(s)") + "; nothing was written", problems)
        new_units = cur.execute(NEW_UNITS, (org,)).fetchone()["new_units"]
        if new_units is not None and new_units > max_new_units:
            raise FeedError(f"{path}: the feed would create {new_units} new units under {org}, more than "
                            f"--max-new-units {max_new_units}; nothing was written (raise the limit if that is intended)")
        if progress:
            progress("merging", n)
        summary = cur.execute("select * from dossier.import_apply(%s, %s, %s, %s)",
                              (org, into, full, os.path.basename(path))).fetchone()
        if dry_run:
            raise psycopg.Rollback(tx)
    return summary
