"""Issue 4: row-level security cost. On 100,000 persons and 1,000,000 absence rows, a school
manager's "absence % per team for my school" and "one person's dossier" against the same
queries run by a superuser (no row security) with the equivalent explicit filter.
And an organisation-wide role (hr_officer): headcount per unit over the whole organisation.
The superuser reads the tables themselves (dossier_store), the roles the views of schema dossier
over them (security_barrier, security_invoker): the ratio is the whole price of the design.
Target: within 1.3x. Run: make bench (or .venv/bin/python bench/bench_rls.py; BENCH_PLANS=1 prints
the headcount plans of both)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_cluster, compare, report  # noqa: E402

from dossier.demo import generate  # noqa: E402

SCHOOL = "DEMO-EDU-S1"
PER_TEAM = """
select a.unit_id, round(100 * sum((coalesce(a.last_day, date '2026-01-01') - a.first_day + 1)
                                 * a.percentage / 100.0) / (count(distinct a.subject_id) * 365.0), 2)
  from dossier.absence a
 where a.first_day >= date '2024-01-01' {extra}
 group by a.unit_id order by a.unit_id"""
HEADCOUNT = """
select r.unit_id, count(distinct r.subject_id)
  from dossier.person_record r
 where r.annex = 'A2' and (r.ended_on is null or r.ended_on >= date '2026-01-01') {extra}
 group by r.unit_id order by r.unit_id"""
# the same through LATERAL: a join condition is not pushed into a security_barrier view, the
# condition of a LATERAL subquery is, once `offset 0` keeps PostgreSQL from flattening the
# subquery into a join again (docs/security.md, "Reading through views")
DOSSIER_LATERAL = """
select r.annex, r.surname, r.first_names, r.birth_date, e.position, e.fte,
       (select count(*) from dossier.absence a where a.record_id = r.id) as absences
  from dossier.person_record r
  left join lateral (select e.position, e.fte from dossier.employment e where e.record_id = r.id offset 0) e on true
 where r.subject_id = %(subject)s {extra}"""
DOSSIER = """
select r.annex, r.surname, r.first_names, r.birth_date, e.position, e.fte,
       (select count(*) from dossier.absence a where a.record_id = r.id) as absences
  from dossier.person_record r left join dossier.employment e on e.record_id = r.id
 where r.subject_id = %(subject)s {extra}"""


def raw(query: str) -> str:
    """The same query on the tables behind the views (what the superuser's side reads)."""
    return query.replace("dossier.absence", "dossier_store.absence").replace(
        "dossier.person_record", "dossier_store.person_record").replace("dossier.employment", "dossier_store.employment")


def main() -> int:
    with bench_cluster() as c:
        with psycopg.connect(c.dsn()) as conn:
            t = time.perf_counter()
            totals = generate(conn, 100_000, absences_per_person=10)
            print(f"generated 100,000 persons in {time.perf_counter() - t:.1f} s: {totals}")
            conn.execute("select privacy.grant_access('bench_manager', 'school_manager', %s)", (SCHOOL,))
            conn.execute("select privacy.grant_access('bench_hr', 'hr_officer', 'DEMO-EDU')")
            conn.commit()
            conn.autocommit = True
            # seal the load's audit entries now, as the seal job (every minute) would have: it then
            # has nothing heavy to do while the queries are timed
            conn.execute("select audit.seal()")
            conn.execute("vacuum analyze")  # what autovacuum does after a load: statistics, visibility map
            subtree = conn.execute(
                "select array_agg(id) from dossier.org_unit where path like "
                "(select path from dossier.org_unit where code = %s) || '%%'", (SCHOOL,)).fetchone()[0]
            subject = conn.execute(
                "select r.subject_id from dossier.person_record r where r.annex = 'A2' and r.unit_id = any(%s) "
                "and r.source = 'generated' order by r.id limit 1", (subtree,)).fetchone()[0]
        owner = psycopg.connect(c.dsn(), autocommit=True)
        manager = psycopg.connect(c.dsn(user="bench_manager"), autocommit=True)
        explicit = f"and a.unit_id = any('{{{','.join(map(str, subtree))}}}'::bigint[]) and a.annex = 'A2'"
        rows_m = manager.execute(PER_TEAM.format(extra="")).fetchall()
        rows_o = owner.execute(raw(PER_TEAM.format(extra=explicit))).fetchall()
        assert rows_m == rows_o and rows_m, "the scoped role and the filtered owner query disagree"
        n_abs = owner.execute("select count(*) from dossier.absence").fetchone()[0]
        n_scope = owner.execute(f"select count(*) from dossier.absence a where true {explicit}").fetchone()[0]
        print(f"absence rows: {n_abs:,}; in {SCHOOL}'s subtree: {n_scope:,}")

        r1 = report("absence % per team for my school (1M absence rows)", compare({
            "superuser, the table, explicit filter": lambda: owner.execute(raw(PER_TEAM.format(extra=explicit))).fetchall(),
            "school_manager, row security": lambda: manager.execute(PER_TEAM.format(extra="")).fetchall(),
        }, runs=15), "superuser, the table, explicit filter", "<= 1.3x")

        explicit_r = (f"and r.unit_id = any('{{{','.join(map(str, subtree))}}}'::bigint[]) "
                      "and r.annex = 'A2'")
        a = manager.execute(DOSSIER.format(extra=""), {"subject": subject}).fetchall()
        b = owner.execute(raw(DOSSIER.format(extra=explicit_r)), {"subject": subject}).fetchall()
        assert a == b and a
        if os.environ.get("BENCH_PLANS"):
            for who, conn_, q in (("school_manager, join", manager, DOSSIER.format(extra="")),
                                  ("school_manager, LATERAL", manager, DOSSIER_LATERAL.format(extra=""))):
                plan = conn_.execute("explain (analyze, costs off) " + q, {"subject": subject})
                print(f"-- {who}\n" + "\n".join(r[0] for r in plan))
        c_ = manager.execute(DOSSIER_LATERAL.format(extra=""), {"subject": subject}).fetchall()
        assert sorted(c_) == sorted(a)
        owner_dossier = raw(DOSSIER.format(extra=explicit_r))
        r2, r2l = (report(title, compare({
            "superuser, the table, explicit filter": lambda: owner.execute(owner_dossier, {"subject": subject}).fetchall(),
            "school_manager, row security": lambda q=q: manager.execute(q, {"subject": subject}).fetchall(),
        }, runs=1000), "superuser, the table, explicit filter", "<= 1.3x")
            for title, q in (("one person's dossier", DOSSIER.format(extra="")),
                             ("one person's dossier, written with LATERAL", DOSSIER_LATERAL.format(extra=""))))

        hr = psycopg.connect(c.dsn(user="bench_hr"), autocommit=True)
        org = owner.execute("select id from dossier.org_unit where code = 'DEMO-EDU'").fetchone()[0]
        explicit_o = f"and r.org_id = {org}"
        a = hr.execute(HEADCOUNT.format(extra="")).fetchall()
        b = owner.execute(raw(HEADCOUNT.format(extra=explicit_o))).fetchall()
        assert a == b and a
        if os.environ.get("BENCH_PLANS"):  # the two plans side by side, to see where the time goes
            for who, conn_, extra in (("superuser", owner, explicit_o), ("hr_officer", hr, "")):
                query = HEADCOUNT.format(extra=extra)
                plan = conn_.execute("explain (analyze, buffers, costs off) " + (raw(query) if conn_ is owner else query))
                print(f"-- {who}\n" + "\n".join(r[0] for r in plan))
        r3 = report("headcount per unit, whole organisation (hr_officer)", compare({
            "superuser, the table, explicit filter": lambda: owner.execute(raw(HEADCOUNT.format(extra=explicit_o))).fetchall(),
            "hr_officer, row security": lambda: hr.execute(HEADCOUNT.format(extra="")).fetchall(),
        }, runs=15), "superuser, the table, explicit filter", "<= 1.3x")
        owner.close()
        manager.close()
        hr.close()
        ok = r1 <= 1.3 and r2 <= 1.3 and r3 <= 1.3
        print(f"\nRESULT rls: per-team {r1:.2f}x, dossier {r2:.2f}x (with LATERAL {r2l:.2f}x), org headcount {r3:.2f}x "
              f"-> {'within' if ok else 'OVER'} 1.3x")
        return 0


if __name__ == "__main__":
    sys.exit(main())
