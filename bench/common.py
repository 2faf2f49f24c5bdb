"""Shared set-up for the benchmarks: a throw-away cluster (the same code as `dossier up`),
migrated, with the demo organisations; timing helpers that interleave the variants being
compared, so both see the same machine state, and report medians and their ratio."""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from pathlib import Path

import psycopg

from dossier.cluster import Cluster
from dossier.demo import load_demo
from dossier.migrate import Migrator

FAST = ("fsync = off", "synchronous_commit = off", "full_page_writes = off", "shared_buffers = '1GB'",
        "max_wal_size = '4GB'", "work_mem = '64MB'")


@contextlib.contextmanager
def bench_cluster(extra_conf: tuple[str, ...] = ()):
    home = Path(tempfile.mkdtemp(prefix="dossier-bench-", dir="/tmp"))
    c = Cluster(home, dbname="dossier", extra_conf=FAST + extra_conf)
    c.init()
    c.start()
    try:
        with psycopg.connect(c.dsn(), autocommit=True) as conn:
            Migrator(conn).run()
        with psycopg.connect(c.dsn()) as conn:
            load_demo(conn)
        yield c
    finally:
        c.destroy()


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def compare(variants: dict[str, callable], runs: int = 20, warmup: int = 2) -> dict[str, float]:
    """Median seconds per variant, runs interleaved (a, b, a, b, …)."""
    for _ in range(warmup):
        for fn in variants.values():
            fn()
    samples: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(runs):
        for k, fn in variants.items():
            samples[k].append(timed(fn))
    return {k: statistics.median(v) for k, v in samples.items()}


def report(title: str, medians: dict[str, float], base: str, target: str | None = None) -> float:
    print(f"\n{title}")
    for k, v in medians.items():
        print(f"  {k:<40} {v * 1000:9.2f} ms (median)")
    other = [k for k in medians if k != base][0]
    ratio = medians[other] / medians[base]
    print(f"  ratio {other} / {base}: {ratio:.2f}x" + (f"   (target {target})" if target else ""))
    return ratio
