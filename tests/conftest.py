"""The test harness: one throw-away PostgreSQL 15 cluster for the whole session, started by the
same code as `dossier up` (as the `postgres` OS user when we are root), a template database
migrated once, and per test an isolated database cloned from it. pgTAP files in tests/pgtap/ are
collected as pytest items and run with psql against their own clone.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from dossier.cluster import Cluster, pg_bindir
from dossier.migrate import Migrator

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "dossier_template"
FAST = ("fsync = off", "synchronous_commit = off", "full_page_writes = off",
        "max_connections = 200")
_counter = itertools.count()


# -- the cluster -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def cluster():
    home = Path(tempfile.mkdtemp(prefix="dossier-test-", dir="/tmp"))
    c = Cluster(home, dbname="dossier", extra_conf=FAST)
    c.init()
    c.start()
    try:
        yield c
    finally:
        c.destroy()


@pytest.fixture(scope="session")
def template(cluster):
    """A database migrated once (plus pgTAP); tests clone it."""
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(TEMPLATE)))
    with psycopg.connect(cluster.dsn(TEMPLATE), autocommit=True) as conn:
        Migrator(conn).run()
        conn.execute("create extension if not exists pgtap")
        # pgTAP's functions for every test persona (migrations revoke EXECUTE from PUBLIC)
        conn.execute("grant execute on all functions in schema public to public")
    return TEMPLATE


def clone(cluster: Cluster, template: str, prefix: str = "t") -> str:
    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} template {} strategy file_copy").format(
            sql.Identifier(name), sql.Identifier(template)))
    return name


def drop(cluster: Cluster, name: str) -> None:
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(
            sql.Identifier(name)))


def org_today():
    """Today in the organisation's zone (Europe/Amsterdam, privacy.scope_day), the day the database
    dates decisions and judges grants by; from 23:00 (22:00 in summer) to midnight UTC it is the
    machine's tomorrow."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


DEMO_TEMPLATE = "dossier_demo_template"
DEMO_TODAY = "2026-11-01"


@pytest.fixture(scope="session")
def demo_template(cluster, template):
    """The template plus the demo organisations (loaded once); tests clone it."""
    import datetime as dt

    from dossier.demo import load_demo

    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} template {}").format(
            sql.Identifier(DEMO_TEMPLATE), sql.Identifier(TEMPLATE)))
    with psycopg.connect(cluster.dsn(DEMO_TEMPLATE)) as conn:
        load_demo(conn, dt.date.fromisoformat(DEMO_TODAY))
    return DEMO_TEMPLATE


@pytest.fixture
def demo_db(cluster, demo_template):
    """A fresh clone of the demo database."""
    name = clone(cluster, demo_template, prefix="demo")
    yield name
    drop(cluster, name)


@pytest.fixture
def demo_dsn(cluster, demo_db) -> str:
    """A superuser DSN for a fresh clone of the demo database."""
    return cluster.dsn(demo_db)


@pytest.fixture
def demo_admin(demo_dsn):
    """A superuser connection (autocommit) to the test's clone of the demo database."""
    with psycopg.connect(demo_dsn, autocommit=True) as c:
        yield c


class Logins:
    """Logins holding roles through privacy.grant_access, connected over the socket; roles are
    cluster-wide, so every login made here is dropped afterwards (style rule 10)."""

    def __init__(self, cluster: Cluster, db: str):
        self.cluster, self.db = cluster, db
        self.admin = psycopg.connect(cluster.dsn(db), autocommit=True)
        self.made: list[str] = []
        self.conns: list[psycopg.Connection] = []

    def grant(self, login: str, role: str, unit: str, **kw) -> str:
        self.admin.execute("select privacy.grant_access(%s, %s, %s, %s, %s, %s)",
                           (login, role, unit, kw.get("until"), kw.get("reason"), kw.get("subject")))
        if login not in self.made:
            self.made.append(login)
        return login

    def connect(self, login: str, **kw) -> psycopg.Connection:
        c = psycopg.connect(self.cluster.dsn(self.db, user=login), autocommit=True, **kw)
        self.conns.append(c)
        return c

    def close(self) -> None:
        for c in self.conns:
            c.close()
        for login in self.made:
            self.admin.execute(sql.SQL("drop owned by {} cascade").format(sql.Identifier(login)))
            self.admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(login)))
        self.admin.close()


@pytest.fixture
def logins(cluster, demo_db):
    lg = Logins(cluster, demo_db)
    yield lg
    lg.close()


@pytest.fixture
def dbname(cluster, template):
    """A fresh, migrated database of this test's own."""
    name = clone(cluster, template)
    yield name
    drop(cluster, name)


@pytest.fixture
def dsn(cluster, dbname):
    return cluster.dsn(dbname)


@pytest.fixture
def conn(dsn):
    """A superuser connection to the test's own database."""
    with psycopg.connect(dsn, autocommit=True) as c:
        yield c


@pytest.fixture
def empty_db(cluster):
    """A database with nothing migrated."""
    name = f"empty_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield name
    drop(cluster, name)


def run_cli(*args: str, dsn: str | None = None, env: dict | None = None, input: str | None = None,
            check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed `dossier` command for real, as a user would."""
    e = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DOSSIER_"))}
    if dsn:
        e["DOSSIER_DSN"] = dsn
    e.update(env or {})
    exe = Path(sys.executable).parent / "dossier"
    p = subprocess.run([str(exe), *args], capture_output=True, text=True, env=e, input=input,
                       timeout=600)
    if check and p.returncode != 0:
        raise AssertionError(f"dossier {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p


def invoke_cli(*args: str, dsn: str | None = None, input: str | None = None,
               check: bool = False) -> subprocess.CompletedProcess:
    """Run `dossier` in-process (Click's CliRunner): the same parsing, errors and exit codes as
    run_cli, without a new Python per call. A bug's exception propagates (catch_exceptions off)."""
    from click.testing import CliRunner

    from dossier.cli import cli

    argv = [*(["--dsn", dsn] if dsn else []), *args]
    r = CliRunner().invoke(cli, argv, input=input, prog_name="dossier", catch_exceptions=False)
    p = subprocess.CompletedProcess(["dossier", *argv], r.exit_code, r.stdout, r.stderr)
    if check and p.returncode != 0:
        raise AssertionError(f"dossier {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p


# -- pgTAP ---------------------------------------------------------------------------------
class PgTapFailure(AssertionError):
    pass


def run_pgtap(cluster: Cluster, path: Path) -> str:
    """Run one pgTAP file with psql in a clone of the template; fail on any `not ok`, a plan
    mismatch, no plan, or a psql error. Returns the TAP output."""
    name = clone(cluster, TEMPLATE, prefix="tap")
    try:
        p = subprocess.run(
            [str(pg_bindir() / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-f", str(path), cluster.dsn(name)],
            capture_output=True, text=True, timeout=600)
    finally:
        drop(cluster, name)
    check_tap(p.stdout, p.stderr, p.returncode)
    return p.stdout


def check_tap(out: str, err: str, rc: int) -> None:
    lines = out.splitlines()
    plan = next((int(m[1]) for m in (re.match(r"^1\.\.(\d+)", x) for x in lines) if m), None)
    results = [x for x in lines if re.match(r"^(not )?ok \d+", x)]
    failed = [x for x in results if x.startswith("not ok") and "# TODO" not in x]
    problems = []
    if rc != 0:
        problems.append(f"psql exited {rc}: {err.strip()}")
    if plan is None:
        problems.append("no TAP plan printed")
    elif plan != len(results):
        problems.append(f"planned {plan} tests, ran {len(results)}")
    if not results:
        problems.append("no TAP results")
    if failed:
        problems.append("failed:\n" + "\n".join(failed))
    if problems:
        diag = "\n".join(x for x in lines if x.startswith("#"))
        raise PgTapFailure("\n".join(problems) + ("\n" + diag if diag else ""))
