"""`dossier backup` / `dossier restore` (issue 17 item 11): a backup of the demo database, with a
registered login, restored into a fresh cluster of its own (another home, its own pg_cron): the same
rows, the login and its scope back, policy check and audit verify pass, the retention job scheduled."""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path

import psycopg
import pytest

from dossier.backup import counts
from dossier.cluster import Cluster

from .conftest import FAST, run_cli


@pytest.fixture
def fresh_cluster():
    """A second cluster, as `dossier up` makes one in another DOSSIER_HOME (its database is the
    pg_cron database)."""
    c = Cluster(Path(tempfile.mkdtemp(prefix="dossier-restore-", dir="/tmp")), dbname="dossier", extra_conf=FAST)
    c.init()
    c.start()
    try:
        yield c
    finally:
        c.destroy()


def test_backup_restores_into_a_fresh_cluster_whole(demo_dsn, logins, fresh_cluster, tmp_path):
    logins.grant("bi_reader", "school_manager", "DEMO-EDU-S1")
    seen = logins.connect("bi_reader").execute("select count(*) from dossier.person_record").fetchone()[0]
    assert seen > 0
    run_cli("audit", "verify", dsn=demo_dsn, check=True)   # sealed: the chain has links to carry over
    with psycopg.connect(demo_dsn, autocommit=True) as src:
        before = counts(src)
        links = src.execute("select count(*) from audit.chain").fetchone()[0]
    assert links > 0 and before["dossier.person_record_a2"] > 0

    file = tmp_path / "dossier.backup"
    p = run_cli("backup", str(file), dsn=demo_dsn)
    assert p.returncode == 0, p.stderr
    assert file.stat().st_mode & 0o077 == 0, "the file holds personal data: no access for others"

    # `dossier restore` into the embedded cluster of another DOSSIER_HOME, as an operator would
    home = {"DOSSIER_HOME": str(fresh_cluster.home)}
    p = run_cli("restore", str(file), env=home)
    assert p.returncode == 0, p.stderr
    assert "policy check and audit verify pass" in p.stdout
    target = fresh_cluster.dsn()
    with psycopg.connect(target, autocommit=True) as new:
        after = counts(new)
        # every table as it was; the audit only grew (the restore's own steps are audited and sealed)
        assert {t: n for t, n in after.items() if not t.startswith("audit.")} == \
            {t: n for t, n in before.items() if not t.startswith("audit.")}
        assert all(after[t] >= n for t, n in before.items() if t.startswith("audit.")), after
        # the registered login is back with its role; it sees what it saw (no password: documented)
        assert new.execute("select pg_has_role('bi_reader', 'school_manager', 'member')").fetchone()[0]
        assert new.execute("select count(*) from privacy.role_grant where login = 'bi_reader' "
                           "and revoked_at is null").fetchone()[0] == 1
        # the retention job, scheduled in this cluster's pg_cron as dossier_cron
        job = new.execute("select username, database, active from cron.job "
                          "where jobname = 'dossier-retention'").fetchone()
        assert job == ("dossier_cron", "dossier", True)
        # and pg_cron's scheduler runs them (it ended with the replaced database; restore restarted the server)
        assert new.execute("select count(*) from pg_stat_activity where backend_type = 'pg_cron launcher'"
                           ).fetchone()[0] == 1
        # a new audit entry seals and verifies after the carried-over chain
        new.execute("select privacy.grant_access('bi_two', 'school_manager', 'DEMO-EDU-S2', null, null, null)")
    with psycopg.connect(fresh_cluster.dsn(user="bi_reader"), autocommit=True) as bi:
        assert bi.execute("select count(*) from dossier.person_record").fetchone()[0] == seen
    for check in (("policy", "check"), ("audit", "verify")):
        p = run_cli(*check, dsn=target)
        assert p.returncode == 0, p.stdout + p.stderr
    with psycopg.connect(target, autocommit=True) as new:
        assert new.execute("select count(*) from audit.chain").fetchone()[0] > links

    # a database that holds data is not replaced without --force; nothing changes
    p = run_cli("restore", str(file), env=home)
    assert p.returncode == 1 and "holds data" in p.stderr and "Traceback" not in p.stderr
    with psycopg.connect(target, autocommit=True) as new:
        assert new.execute("select count(*) from privacy.role_grant where login = 'bi_two'").fetchone()[0] == 1


def test_a_scoped_login_cannot_take_a_backup_and_a_bad_file_is_refused(demo_dsn, logins, cluster, demo_db,
                                                                         tmp_path):
    logins.grant("mallory", "privacy_officer", "DEMO-EDU")
    out = tmp_path / "stolen.backup"
    p = run_cli("backup", str(out), dsn=cluster.dsn(demo_db, user="mallory"))
    assert p.returncode == 1 and "needs a superuser" in p.stderr and "Traceback" not in p.stderr
    assert not out.exists() and not list(tmp_path.iterdir())
    # not a backup: one line, and the database is untouched
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"no tar here" * 100)
    with psycopg.connect(demo_dsn) as c:
        subjects = c.execute("select count(*) from dossier.subject").fetchone()[0]
    p = run_cli("restore", str(junk), dsn=demo_dsn)
    assert p.returncode == 1 and "not a dossier backup" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    # a tar with the right names but a damaged dump: refused before the database is replaced
    bad = tmp_path / "bad.backup"
    with tarfile.open(bad, "w") as tar:
        m = tmp_path / "manifest.json"
        m.write_text('{"format": "dossier-backup/1", "roles": [], "memberships": [], "counts": {}, "next_txid": 1}')
        d = tmp_path / "database.dump"
        d.write_bytes(b"PGDMP garbage")
        tar.add(m, arcname="manifest.json")
        tar.add(d, arcname="database.dump")
    p = run_cli("restore", str(bad), dsn=demo_dsn)
    assert p.returncode == 1 and "pg_restore failed" in p.stderr, p.stderr
    with psycopg.connect(demo_dsn) as c:
        assert c.execute("select count(*) from dossier.subject").fetchone()[0] == subjects
