"""Issue 7: the HR importer on a 100,000-row feed, measured side by side in one run.
1. Full import (staging COPY, validation of every row, units, MERGE, audit) against a raw
   `\\copy` of the same file into a plain table. Target: import throughput >= 0.25x of raw.
2. Re-import of the unchanged file against the first import. Target: <= 0.5x its time.
Each round imports into a fresh organisation, so every first import inserts 100,000 people.
Run: make bench (or .venv/bin/python bench/bench_import.py)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_cluster  # noqa: E402

from dossier.cluster import pg_bindir  # noqa: E402
from dossier.demo import write_hr_feed  # noqa: E402
from dossier.importer import FIELDS, import_hr  # noqa: E402

ROWS = 100_000
ROUNDS = 3


def raw_copy(dsn: str, feed: Path) -> float:
    cols = ", ".join(f"{c} text" for c in FIELDS)
    t = time.perf_counter()
    subprocess.run([str(pg_bindir() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", dsn, "-c",
                    f"create temp table raw ({cols})", "-c", f"\\copy raw from '{feed}' csv header"],
                   check=True)
    return time.perf_counter() - t


def floor(dsn: str, feed: Path, org: str) -> dict[str, float]:
    """What the person_record rows alone cost, without validation, units, employments or MERGE:
    the feed's rows inserted into dossier.person_record from a staged copy (a fresh organisation,
    its subjects made beforehand), with and without the audit trigger, each rolled back."""
    cols = ", ".join(f"{c} text" for c in FIELDS)
    out = {}
    with psycopg.connect(dsn) as conn:
        conn.execute(f"create temp table raw ({cols})")
        with feed.open("rb") as f, conn.cursor().copy("copy raw from stdin (format csv, header)") as cp:
            while chunk := f.read(1 << 20):
                cp.write(chunk)
        conn.execute("insert into dossier.org_unit (code, name, kind) values (%s, %s, 'organisation')", (org, org))
        conn.execute("insert into dossier.subject (org_id) select id from dossier.org_unit, generate_series(1, %s) "
                     "where code = %s", (ROWS, org))
        conn.commit()
        insert = """insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source,
                                                       admin_number, surname, first_names)
                    select 'TP', s.id, s.org_id, s.org_id, 'consent', 'bench', r.person_id, r.surname, r.first_names
                      from (select row_number() over () as n, * from raw) r
                      join (select row_number() over (order by id) as n, id, org_id from dossier.subject
                             where org_id = (select id from dossier.org_unit where code = %s)) s using (n)"""
        for audited in (False, True, False, True):
            with conn.transaction(force_rollback=True):
                if not audited:
                    conn.execute("alter table dossier_store.person_record disable trigger audit_insert")
                t = time.perf_counter()
                n = conn.execute(insert, (org,)).rowcount
                key = "audited" if audited else "unaudited"
                out[key] = min(out.get(key, 1e9), time.perf_counter() - t)
                assert n == ROWS, n
    return out


def main() -> None:
    feed = Path(tempfile.mkdtemp(prefix="dossier-bench-")) / "feed.csv"
    t = time.perf_counter()
    write_hr_feed(feed, ROWS, seed=11)
    print(f"feed: {ROWS} rows, {feed.stat().st_size / 1e6:.1f} MB (written in {time.perf_counter() - t:.1f} s)")
    with bench_cluster() as c:
        dsn = c.dsn()
        raw, first, again = [], [], []
        for i in range(ROUNDS):
            org = f"BENCH-IMPORT-{i}"
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("insert into dossier.org_unit (code, name, kind) values (%s, %s, 'organisation')",
                             (org, org))
            raw.append(raw_copy(dsn, feed))
            with psycopg.connect(dsn) as conn:
                t = time.perf_counter()
                s = import_hr(conn, feed, org)
                first.append(time.perf_counter() - t)
                assert s["inserted"] == ROWS, s
                t = time.perf_counter()
                s = import_hr(conn, feed, org)
                again.append(time.perf_counter() - t)
                assert s["unchanged"] == ROWS, s
            print(f"  round {i + 1}: raw \\copy {raw[-1]:.2f} s, import {first[-1]:.2f} s, re-import {again[-1]:.2f} s")
        r, f, a = statistics.median(raw), statistics.median(first), statistics.median(again)
        print(f"\nimport of {ROWS} rows (median of {ROUNDS} rounds)")
        print(f"  raw \\copy into a plain table   {r:8.2f} s   {ROWS / r:10.0f} rows/s")
        print(f"  full import (validate, MERGE, audit) {f:8.2f} s   {ROWS / f:10.0f} rows/s")
        print(f"  re-import, unchanged file      {a:8.2f} s")
        print(f"  throughput ratio import / raw: {r / f:.3f}x   (target >= 0.25x)")
        print(f"  re-import / first import:      {a / f:.2f}x   (target <= 0.5x)")
        fl = floor(dsn, feed, "BENCH-FLOOR")
        print(f"\nthe floor: {ROWS} rows inserted into person_record alone from a staged copy (best of 2)")
        print(f"  unaudited {fl['unaudited']:.2f} s ({r / fl['unaudited']:.3f}x the raw \\copy's throughput), "
              f"audited {fl['audited']:.2f} s ({r / fl['audited']:.3f}x); the 0.25x target allows {4 * r:.2f} s "
              "for everything")


if __name__ == "__main__":
    main()
