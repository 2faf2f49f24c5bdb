"""The migration runner, on real databases."""

import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from dossier.migrate import MigrationError, Migrator, discover

from .conftest import run_cli


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


RUN_AS = "-- dossier:run-as superuser\n"


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "db"
    write(root, {
        "schema/V0001__one.sql": RUN_AS + "create schema t;\ncreate table t.a (x int);\n",
        "schema/V0002__two.sql": RUN_AS + "insert into t.a values (1);\n",
        "functions/0001_f.sql": RUN_AS + (
            "create or replace function t.f() returns int language sql immutable\n"
            "    set search_path = pg_catalog as $$ select 42 $$;\n"),
    })
    return root


def migrator(cluster, db, root):
    conn = psycopg.connect(cluster.dsn(db), autocommit=True)
    return conn, Migrator(conn, discover(root))


def test_fresh_apply_then_reapply_is_a_no_op(cluster, empty_db, tree):
    conn, m = migrator(cluster, empty_db, tree)
    with conn:
        done = m.run()
        assert [p.step.name for p in done] == [
            "schema/V0001__one.sql", "schema/V0002__two.sql", "functions/0001_f.sql"]
        assert conn.execute("select t.f(), count(*) from t.a").fetchone() == (42, 1)
        assert m.run() == []
        assert conn.execute("select count(*) from t.a").fetchone()[0] == 1
        assert m.level() == "V0002__two"


def test_changed_repeatable_is_reapplied(cluster, empty_db, tree):
    conn, m = migrator(cluster, empty_db, tree)
    with conn:
        m.run()
        write(tree, {"functions/0001_f.sql": RUN_AS + (
            "create or replace function t.f() returns int language sql immutable\n"
            "    set search_path = pg_catalog as $$ select 43 $$;\n")})
        m2 = Migrator(conn, discover(tree))
        assert [(p.step.name, p.action) for p in m2.run()] == [
            ("functions/0001_f.sql", "reapply")]
        assert conn.execute("select t.f()").fetchone()[0] == 43


def test_edited_versioned_file_is_refused(cluster, empty_db, tree):
    conn, m = migrator(cluster, empty_db, tree)
    with conn:
        m.run()
        write(tree, {"schema/V0001__one.sql": RUN_AS + "create schema t;\n-- sneaky edit\n",
                     "schema/V0003__three.sql": RUN_AS + "insert into t.a values (3);\n"})
        with pytest.raises(MigrationError, match=r"V0001__one.sql: edited after it was applied"):
            Migrator(conn, discover(tree)).run()
        # nothing ran: V0003 was not applied
        assert conn.execute("select count(*) from t.a").fetchone()[0] == 1


def test_broken_file_names_file_and_line_and_keeps_the_last_good_step(cluster, empty_db, tree):
    write(tree, {"schema/V0003__broken.sql": RUN_AS + (
        "insert into t.a values (2);\n"
        "\n"
        "select x\n"
        "  from t.no_such_table;\n")})
    conn, m = migrator(cluster, empty_db, tree)
    with conn:
        with pytest.raises(MigrationError) as e:
            m.run()
        msg = str(e.value)
        assert "schema/V0003__broken.sql:5:" in msg, msg
        assert 't.no_such_table" does not exist' in msg and "42P01" in msg
        # V0001 and V0002 stay, V0003's first insert was rolled back with its file
        assert conn.execute("select array_agg(x) from t.a").fetchone()[0] == [1]
        assert m.level() == "V0002__two"


def test_syntax_error_names_the_line(cluster, empty_db, tree):
    write(tree, {"schema/V0003__typo.sql": RUN_AS + "select 1;\nselec 2;\n"})
    conn, m = migrator(cluster, empty_db, tree)
    with conn, pytest.raises(MigrationError, match=r"V0003__typo.sql:3: syntax error"):
        m.run()


def test_runs_as_dossier_owner_by_default(cluster, dbname, tmp_path):
    root = tmp_path / "db"
    write(root, {"schema/V9001__owned.sql": "create table dossier.probe (x int);\n"})
    conn = psycopg.connect(cluster.dsn(dbname), autocommit=True)
    with conn:
        steps = discover() + discover(root)
        Migrator(conn, steps).run()
        owner = conn.execute("select tableowner from pg_tables where tablename = 'probe'"
                             ).fetchone()[0]
        assert owner == "dossier_owner"


def test_dry_run_changes_nothing(cluster, empty_db, tree):
    conn, m = migrator(cluster, empty_db, tree)
    with conn:
        planned = m.run(dry_run=True)
        assert len(planned) == 3
        assert conn.execute("select to_regnamespace('t')").fetchone()[0] is None
        assert conn.execute("select to_regclass('dossier_migrate.applied')").fetchone()[0] is None


def test_two_concurrent_runs_do_not_interleave(cluster, empty_db):
    """Two real `dossier migrate` processes on one empty database: without the lock the second
    would fail on objects the first is creating; with it, one applies, the other waits."""
    dsn = cluster.dsn(empty_db)
    procs = [subprocess.Popen([str(Path(sys.executable).parent / "dossier"), "--dsn", dsn,
                               "migrate"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with psycopg.connect(dsn) as conn:
        n = conn.execute("select count(*) from dossier_migrate.applied").fetchone()[0]
    assert n == len(discover())


def test_concurrent_runners_serialise(cluster, empty_db, tree):
    """The second runner reports that it waits and then finds nothing to do."""
    write(tree, {"schema/V0003__slow.sql": RUN_AS + "select pg_sleep(1.5);\n"})
    logs: list[list[str]] = [[], []]
    results = [None, None]

    def go(i):
        with psycopg.connect(cluster.dsn(empty_db), autocommit=True) as c:
            results[i] = Migrator(c, discover(tree), log=logs[i].append).run()

    t0 = threading.Thread(target=go, args=(0,))
    t0.start()
    import time

    time.sleep(0.5)
    t1 = threading.Thread(target=go, args=(1,))
    t1.start()
    t0.join(60)
    t1.join(60)
    assert len(results[0]) == 4 and results[1] == []
    assert any("waiting" in m for m in logs[1])


def test_real_migrations_are_all_applied(conn):
    """Meta-test: every db/**.sql shipped in the package is applied to the template."""
    applied = {r[0]: r[1] for r in conn.execute(
        "select name, checksum from dossier_migrate.applied")}
    shipped = {s.name: s.checksum for s in discover()}
    assert shipped and applied == shipped
    here = Path(__file__).resolve().parent.parent / "db"
    on_disk = {str(p.relative_to(here)) for p in here.rglob("*.sql")}
    assert on_disk == set(shipped)


def test_cli_migrate_status_and_dry_run(dsn):
    p = run_cli("migrate", "--dry-run", "--format", "json", dsn=dsn, check=True)
    assert p.stdout.strip() == "[]"
    p = run_cli("migrate", "status", "--format", "csv", dsn=dsn, check=True)
    lines = p.stdout.splitlines()
    assert lines[0] == "file,kind,checksum,applied_at,duration_ms,state"
    assert any(x.startswith("schema/V0001__foundation.sql,versioned,") for x in lines)


def test_cron_jobs_are_scheduled_in_the_cron_database(cluster, template):
    """pg_cron lives in the cluster's `dossier` database (cron.database_name): migrating it
    schedules the audit seal, the nightly grant expiry and retention, the monthly audit partitions."""
    with psycopg.connect(cluster.dsn("dossier"), autocommit=True) as conn:
        Migrator(conn).run()
        jobs = dict(conn.execute("select jobname, command from cron.job where jobname like 'dossier-%'").fetchall())
    assert jobs == {"dossier-expire-grants": "select privacy.expire_grants()",
                    "dossier-audit-partitions": "select audit.ensure_partitions(3)",
                    "dossier-retention": "call privacy.run_retention()",
                    "dossier-audit-seal": "select audit.seal()",
                    "dossier-scope-day": "select privacy.turn_scope_day()",
                    "dossier-watchdog": "select count(*) from privacy.watchdog()",
                    "dossier-tidy-trial-logins": "select privacy.tidy_trial_logins()",
                    "dossier-audit-retention": "select audit.drop_expired_partitions()",
                    "dossier-server-log-retention": "select audit.remove_expired_logs()",
                    "dossier-audit-reads": "select audit.collect_reads()"}
