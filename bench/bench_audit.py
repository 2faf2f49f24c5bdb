"""Issue 5: the cost of the change audit, measured side by side in one run.
1. Bulk load of 1,000,000 person records: audited vs the same load with the audit trigger
   disabled. Target: audited throughput >= 0.5x.
2. Single-row UPDATEs with pgbench (custom script, 2 clients): audited vs unaudited TPS, median of 5.
   Target >= 0.7x.
3. `audit verify` (whole entries, issue 15.1) over every entry written: seconds per million, < 30.
Run: make bench (or .venv/bin/python bench/bench_audit.py)."""

from __future__ import annotations

import re
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

N = 1_000_000
ROUNDS = 5
LOAD = f"""
insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, admin_number,
                                   surname, first_names, gender, birth_date, city)
select 'A2', s.id, s.org_id, s.org_id, 'contract', 'bench', 'B' || s.id, 'Bench', 'Persoon',
       case when s.id %% 2 = 0 then 'V' else 'M' end, date '1970-01-01' + (s.id %% 10000)::int, 'Demostad'
  from dossier.subject s where s.id > %(first)s order by s.id limit {N}"""


def load(conn, first: int, audited: bool) -> float:
    with conn.transaction():
        if not audited:
            conn.execute("alter table dossier_store.person_record disable trigger audit_insert")
        t = time.perf_counter()
        conn.execute(LOAD, {"first": first})
        elapsed = time.perf_counter() - t
        if not audited:
            conn.execute("alter table dossier_store.person_record enable trigger audit_insert")
    # empty the table for the next run (a DELETE would cascade row by row into 25 detail tables)
    conn.execute("truncate dossier_store.person_record cascade")
    return elapsed


def pgbench(c, seconds: int, script: str) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    p = subprocess.run([str(pg_bindir() / "pgbench"), "-n", "-c", "2", "-j", "2", "-T", str(seconds), "-f", f.name,
                        "-h", c.state()["socket_dir"], "-p", str(c.port), "-U", "postgres", "dossier"],
                       capture_output=True, text=True)
    m = re.search(r"tps = ([\d.]+)", p.stdout)
    if not m:
        raise RuntimeError(p.stdout + p.stderr)
    return float(m.group(1))


def main() -> int:
    with bench_cluster() as c:
        with psycopg.connect(c.dsn(), autocommit=True) as conn:
            org = conn.execute("select id from dossier.org_unit where code = 'DEMO-EDU'").fetchone()[0]
            first = conn.execute("select max(id) from dossier.subject").fetchone()[0]
            conn.execute("insert into dossier.subject (org_id) select %s from generate_series(1, %s)", (org, N))
            conn.execute("analyze")
            times = {"unaudited": [], "audited": []}
            for _ in range(2):
                for mode in ("unaudited", "audited"):
                    times[mode].append(load(conn, first, mode == "audited"))
                    print(f"  load {mode}: {times[mode][-1]:.1f} s", flush=True)
            best = {k: min(v) for k, v in times.items()}
            entries = conn.execute("select count(*) from audit.change where table_name = 'person_record'").fetchone()[0]
            r1 = best["unaudited"] / best["audited"]
            print(f"\nbulk load of {N:,} person records (best of 2 each, interleaved)")
            print(f"  unaudited {N / best['unaudited']:,.0f} rows/s, audited {N / best['audited']:,.0f} rows/s")
            print(f"  audited/unaudited throughput: {r1:.2f}x (target >= 0.5x); audit entries written: {entries:,}")

            conn.execute(LOAD, {"first": first})  # rows for the update benchmark
            ids = conn.execute("select min(id), max(id) from dossier.person_record where annex = 'A2'").fetchone()
            conn.execute("vacuum analyze")
            # seal the loads now: the seal job (every minute) then has only the updates to seal
            t = time.perf_counter()
            sealed = conn.execute("select audit.seal()").fetchone()[0]
            print(f"  sealed {sealed:,} entries in {time.perf_counter() - t:.1f} s", flush=True)
        script = (f"\\set id random({ids[0]}, {ids[1]})\n"
                  "update dossier.person_record set city = 'Stad ' || :id % 100, updated_at = now() "
                  "where id = :id and annex = 'A2';\n")
        tps = {"unaudited": [], "audited": []}
        for _ in range(ROUNDS):
            for mode in ("unaudited", "audited"):
                with psycopg.connect(c.dsn(), autocommit=True) as conn:
                    conn.execute(f"alter table dossier_store.person_record {'enable' if mode == 'audited' else 'disable'} "
                                 "trigger audit_update")
                tps[mode].append(pgbench(c, 10, script))
                print(f"  pgbench {mode}: {tps[mode][-1]:.0f} tps", flush=True)
        med = {k: statistics.median(v) for k, v in tps.items()}
        r2 = med["audited"] / med["unaudited"]
        print(f"\nsingle-row UPDATEs, pgbench, 2 clients, {ROUNDS} x 10 s each interleaved (median)")
        print(f"  unaudited {med['unaudited']:.0f} tps, audited {med['audited']:.0f} tps: {r2:.2f}x (target >= 0.7x)")
        with psycopg.connect(c.dsn(), autocommit=True) as conn:
            conn.execute("select audit.seal()")
            t = time.perf_counter()
            bad = conn.execute("select * from audit.verify()").fetchone()
            took = time.perf_counter() - t
            n = conn.execute("select count(*) from audit.change").fetchone()[0]
            per_m = took / n * 1_000_000
            print(f"  audit verify of {n:,} entries: {took:.1f} s = {per_m:.1f} s per million (target < 30 s)")
        print(f"  audit verify after the run: {'OK' if bad is None else bad}")
        print(f"\nRESULT audit: bulk {r1:.2f}x (>= 0.5), updates {r2:.2f}x (>= 0.7), "
              f"verify {per_m:.1f} s per million entries (< 30)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
