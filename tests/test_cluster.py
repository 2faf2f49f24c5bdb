"""The embedded cluster: `dossier up` / `down` / `status`, as a user runs them."""

import json
import os
import tempfile
from pathlib import Path

import psycopg
import pytest

from .conftest import run_cli


@pytest.fixture
def home():
    d = Path(tempfile.mkdtemp(prefix="dossier-home-", dir="/tmp"))
    yield d
    run_cli("down", env={"DOSSIER_HOME": str(d)})
    import shutil

    from dossier.cluster import Cluster

    shutil.rmtree(Cluster(d).server_dir, ignore_errors=True)
    shutil.rmtree(d, ignore_errors=True)


def status(home: Path) -> dict:
    p = run_cli("status", "--format", "json", env={"DOSSIER_HOME": str(home)}, check=True)
    return json.loads(p.stdout)


def test_up_down_up_cycle(home):
    env = {"DOSSIER_HOME": str(home)}
    first = run_cli("up", env=env, check=True)
    assert "created and started" in first.stdout
    st = status(home)
    assert st["running"] is True and st["migration"].startswith("V")
    assert "15." in st["version"]
    # the DSN printed by status is a working superuser DSN
    with psycopg.connect(st["dsn"]) as conn:
        assert conn.execute("select rolsuper from pg_roles where rolname = current_user"
                            ).fetchone()[0] is True
        libs = conn.execute("show shared_preload_libraries").fetchone()[0]
        assert "pg_cron" in libs and "pgaudit" in libs
        assert conn.execute("show log_destination").fetchone()[0] == "csvlog"
        server_user = conn.execute(
            "select pg_read_file('PG_VERSION') is not null").fetchone()[0]
        assert server_user
    # the server process does not run as root
    from dossier.cluster import Cluster

    pid = int((Cluster(home).datadir / "postmaster.pid").read_text().split()[0])
    assert os.stat(f"/proc/{pid}").st_uid != 0
    if os.geteuid() == 0:
        import pwd

        assert os.stat(f"/proc/{pid}").st_uid == pwd.getpwnam("postgres").pw_uid

    again = run_cli("up", env=env, check=True)
    assert "already running" in again.stdout and "up to date" in again.stdout
    assert status(home)["port"] == st["port"]

    assert run_cli("down", env=env, check=True).stdout.strip() == "stopped"
    assert status(home)["running"] is False
    assert run_cli("down", env=env, check=True).stdout.strip() == "not running"

    run_cli("up", env=env, check=True)
    assert status(home)["running"] is True


def test_tcp_needs_the_password(home):
    env = {"DOSSIER_HOME": str(home)}
    run_cli("up", env=env, check=True)
    port = status(home)["port"]
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"host=127.0.0.1 port={port} dbname=dossier user=postgres "
                        "password=wrong")
    with psycopg.connect(f"host=127.0.0.1 port={port} dbname=dossier user=postgres "
                         f"passfile={home / 'pgpass'}") as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_stale_pid_file_after_a_crash_is_handled(home):
    env = {"DOSSIER_HOME": str(home)}
    run_cli("up", env=env, check=True)
    run_cli("down", env=env, check=True)
    from dossier.cluster import Cluster

    datadir = Cluster(home).datadir
    pidfile = datadir / "postmaster.pid"
    # a pid file naming a process that is not a postgres server, as after a crash
    pidfile.write_text(f"{2**22 - 3}\n{datadir}\n")
    assert status(home)["running"] is False
    p = run_cli("up", env=env, check=True)
    assert "started" in p.stdout
    assert status(home)["running"] is True


def test_up_in_a_folder_the_server_user_cannot_reach():
    """As root, a home under a 0700 folder (a project in /root, a mkdtemp) still works: the
    server's files go where the postgres user can reach them. As an ordinary user the server runs
    as that user, so its own folders are always reachable."""
    import shutil

    from dossier.cluster import Cluster

    if os.geteuid() != 0:
        home = Path(tempfile.mkdtemp(prefix="dossier-own-", dir="/tmp")) / ".dossier"
        assert Cluster(home).server_dir == home
        shutil.rmtree(home.parent)
        return
    locked = Path(tempfile.mkdtemp(prefix="dossier-locked-", dir="/tmp"))  # mode 0700, root's
    home = locked / "project" / ".dossier"
    env = {"DOSSIER_HOME": str(home)}
    try:
        run_cli("up", env=env, check=True)
        st = status(home)
        assert st["running"] is True
        with psycopg.connect(st["dsn"]) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        assert (home / "cluster.json").exists() and (home / "pgpass").exists()
    finally:
        run_cli("down", env=env)
        server = Cluster(home).server_dir
        assert server != home
        shutil.rmtree(locked, ignore_errors=True)
        shutil.rmtree(server, ignore_errors=True)


def test_a_new_home_in_new_folders_finds_its_cluster_again():
    """As root, `DOSSIER_HOME=/tmp/new/home dossier up` (neither folder there yet) put the server
    under /var/lib/dossier; once `up` had made the folders the home was reachable, and every later
    command looked for the cluster in the home: "no database to connect to". The nearest folder
    that exists decides a new home's place, and a cluster once made is found where it is."""
    import hashlib
    import shutil

    from dossier.cluster import Cluster

    if os.geteuid() != 0:   # the server runs as this user: its place is the home, always
        home = Path(tempfile.mkdtemp(prefix="dossier-new-", dir="/tmp")) / "not" / "yet" / "home"
        assert Cluster(home).server_dir == home
        shutil.rmtree(home.parents[2])
        return
    base = Path(tempfile.mkdtemp(prefix="dossier-new-", dir="/tmp"))
    base.chmod(0o755)
    home = base / "not" / "yet" / "home"
    fallback = Path("/var/lib/dossier") / hashlib.sha1(str(home).encode()).hexdigest()[:12]
    try:
        assert Cluster(home).server_dir == home      # /tmp/dossier-new-… is reachable
        (fallback / "pgdata").mkdir(parents=True)    # a cluster made there before
        (fallback / "pgdata" / "PG_VERSION").write_text("15\n")
        home.mkdir(parents=True)
        assert Cluster(home).server_dir == fallback  # found where it is, though the home is reachable
    finally:
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(fallback, ignore_errors=True)

