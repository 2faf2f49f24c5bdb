"""Issue 6: the retention run on 1,000,000 person records of which 100,000 expired, with a
concurrent reader (a scoped school manager looking people up in a loop) measured in the same run:
its latencies before the run (baseline) and during it. Target: no reader waits 1 s or more.
Run: make bench (or .venv/bin/python bench/bench_retention.py)."""

from __future__ import annotations

import random
import statistics
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_cluster  # noqa: E402

from dossier.demo import generate  # noqa: E402

PERSONS = 455_000          # A2 + A3 each, TP for one in five: ~1,000,000 records
EXPIRED = 100_000
SCHOOL = "DEMO-EDU-S1"


def reader(dsn: str, subjects: list[int], stop: threading.Event, out: list[float]) -> None:
    rnd = random.Random(5)
    with psycopg.connect(dsn, autocommit=True) as conn:
        q = ("select r.id, r.surname, e.position from dossier.person_record r "
             "left join dossier.employment e on e.record_id = r.id and e.annex = r.annex "
             "where r.annex = 'A2' and r.subject_id = %s")
        while not stop.is_set():
            t = time.perf_counter()
            conn.execute(q, (rnd.choice(subjects),)).fetchall()
            out.append(time.perf_counter() - t)


def summary(name: str, xs: list[float]) -> None:
    xs = sorted(xs)
    print(f"  {name:<26} n={len(xs):6d}  median {statistics.median(xs) * 1000:7.2f} ms   "
          f"p99 {xs[int(len(xs) * 0.99)] * 1000:7.2f} ms   max {xs[-1] * 1000:8.2f} ms")


def main() -> None:
    with bench_cluster() as c:
        dsn = c.dsn()
        with psycopg.connect(dsn) as conn:
            t = time.perf_counter()
            generate(conn, PERSONS, absences_per_person=0)
            print(f"generated {PERSONS} persons in {time.perf_counter() - t:.0f} s")
        with psycopg.connect(dsn, autocommit=True) as conn:
            total = conn.execute("select count(*) from dossier.person_record").fetchone()[0]
            # half annex 2, half annex 3, ten years and a day past the end of employment
            conn.execute("""update dossier.person_record set ended_on = current_date - interval '10 years 1 day'
                             where (annex, id) in (select annex, id from dossier.person_record
                                                    where annex in ('A2', 'A3') order by id limit %s)""", (EXPIRED,))
            conn.execute("vacuum analyze")
            due = conn.execute("select count(*) from privacy.retention_status(current_date) where state = 'due'").fetchone()[0]
            print(f"{total} person records, {due} due")
            conn.execute("select privacy.grant_access('bench_reader', 'school_manager', %s, null, 'bench', null)", (SCHOOL,))
            subjects = [r[0] for r in conn.execute(
                """select r.subject_id from dossier.person_record r join dossier.org_unit u on u.id = r.unit_id
                    where r.annex = 'A2' and u.code like %s""", (SCHOOL + "%",))]
        reader_dsn = c.dsn(user="bench_reader")
        baseline: list[float] = []
        stop = threading.Event()
        th = threading.Thread(target=reader, args=(reader_dsn, subjects, stop, baseline))
        th.start()
        time.sleep(10)
        stop.set()
        th.join()
        during: list[float] = []
        stop = threading.Event()
        th = threading.Thread(target=reader, args=(reader_dsn, subjects, stop, during))
        th.start()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("set role dossier_retention")
            t = time.perf_counter()
            conn.execute("call privacy.run_retention(current_date, 5000)")
            elapsed = time.perf_counter() - t
            conn.execute("reset role")
            log = conn.execute("select annex, action, sum(records), sum(audit_redacted) from privacy.retention_log "
                               "group by 1, 2 order by 1, 2").fetchall()
        stop.set()
        th.join()
        print(f"\nretention run: {elapsed:.1f} s for {due} records ({due / elapsed:.0f} records/s, batches of 5000)")
        for annex, action, n, red in log:
            print(f"  {annex} {action:<12} {n:8d} records, {red:8d} audit payloads redacted")
        print("concurrent reader (school manager, one person's A2 record and employment):")
        summary("before the run (baseline)", baseline)
        summary("during the run", during)
        print(f"  longest wait during the run: {max(during):.3f} s   (target < 1 s)")


if __name__ == "__main__":
    main()
