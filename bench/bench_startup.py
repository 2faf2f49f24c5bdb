"""Issue 18 item 7: start-up cost of the shell. `dossier --help` and `dossier status` (against a
running embedded cluster) each run 7 times as real processes; prints the median CPU seconds
(user + system, the process and its children, from os.wait4) and wall seconds. Target: under
0.3 s CPU each. Also `dossier retention --help`, which loads one command module's library.
The cluster is migrated (no demo data: `status` does not read it).
Run: make bench (or .venv/bin/python bench/bench_startup.py)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dossier.cluster import Cluster

RUNS = 7
TARGET = 0.3
EXE = Path(sys.executable).parent / "dossier"


def measure(args: list[str], env: dict) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one `dossier` process, children included."""
    started = time.perf_counter()
    p = subprocess.Popen([str(EXE), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"dossier {' '.join(args)} exited {p.returncode}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - started


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="dossier-bench-startup-", dir="/tmp"))
    c = Cluster(home)
    c.init()
    c.start()
    import psycopg  # this process's imports are not measured: each sample is a new `dossier`

    from dossier.migrate import Migrator

    with psycopg.connect(c.dsn(), autocommit=True) as conn:
        Migrator(conn).run()  # `status` then reports a real migration level
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DOSSIER_"))} | {"DOSSIER_HOME": str(home)}
    worst = 0.0
    try:
        print(f"\nstart-up of the shell, median of {RUNS} runs (target: under {TARGET} s CPU)")
        for args in (["--help"], ["status"], ["retention", "--help"]):
            samples = [measure(args, env) for _ in range(RUNS)]
            cpu = statistics.median(s[0] for s in samples)
            wall = statistics.median(s[1] for s in samples)
            if args in (["--help"], ["status"]):
                worst = max(worst, cpu)
            print(f"  dossier {' '.join(args):<22} {cpu:6.3f} s CPU   {wall:6.3f} s wall")
    finally:
        c.destroy()
    print(f"  worst of `--help` and `status`: {worst:.3f} s CPU "
          + ("(within target)" if worst < TARGET else "(OVER TARGET)"))
    return 0 if worst < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
