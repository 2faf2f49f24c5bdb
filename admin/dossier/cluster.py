"""The embedded PostgreSQL 15 cluster under $DOSSIER_HOME (default ./.dossier/).

One code path for `dossier up` and the test harness. PostgreSQL refuses to run as root, so when
called as root every server-side command runs as the `postgres` OS user (runuser).

Layout of the home folder:
    pgdata/        the data directory (owned by the server's OS user, mode 0700)
    run/           the Unix socket (mode 0700: only the server's OS user and root can connect)
    cluster.json   port, socket folder, database name
    pgpass         the superuser's password for TCP (scram-sha-256), mode 0600
    server.log     pg_ctl's start-up log; the server's own csv log is in pgdata/log/

When run as root in a folder the `postgres` OS user cannot reach (a project under /root, a
0700 temporary folder), the server's part (pgdata/, run/, server.log) lives in
/var/lib/dossier/<hash of the home>/ instead; cluster.json and pgpass stay in the home.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

PG_MAJOR = "15"
SUPERUSER = "postgres"
DEFAULT_DB = "dossier"


# the libraries the cluster preloads and the Debian packages that ship them
PRELOAD_PACKAGES = {"pg_cron": f"postgresql-{PG_MAJOR}-cron", "pgaudit": f"postgresql-{PG_MAJOR}-pgaudit"}


class ClusterError(RuntimeError):
    """A cluster operation failed; the message is meant for the user."""


def default_home() -> Path:
    return Path(os.environ.get("DOSSIER_HOME") or Path.cwd() / ".dossier").absolute()


def pg_bindir() -> Path:
    """PostgreSQL 15's binaries: $DOSSIER_PG_BINDIR, else Debian's layout, else pg_config."""
    candidates = [os.environ.get("DOSSIER_PG_BINDIR"), f"/usr/lib/postgresql/{PG_MAJOR}/bin"]
    for c in candidates:
        if c and (Path(c) / "postgres").exists():
            return Path(c)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout
        if out.strip() and (Path(out.strip()) / "postgres").exists():
            return Path(out.strip())
    raise ClusterError(
        f"PostgreSQL {PG_MAJOR} server binaries not found; run `make demo` (it installs "
        f"postgresql-{PG_MAJOR}) or set DOSSIER_PG_BINDIR"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Cluster:
    home: Path
    dbname: str = DEFAULT_DB
    # extra postgresql.conf lines (the test harness trades durability for speed)
    extra_conf: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.home = Path(self.home).absolute()

    # -- paths and identity ---------------------------------------------------------------
    @cached_property
    def server_dir(self) -> Path:
        """Where the server's files live: the home, unless root runs in a folder `postgres`
        cannot reach."""
        if not self.as_root:
            return self.home
        fallback = Path("/var/lib/dossier") / hashlib.sha1(str(self.home).encode()).hexdigest()[:12]
        # a cluster once made stays where it is, even if the home became reachable since
        for made in (self.home, fallback):
            if (made / "pgdata" / "PG_VERSION").exists():
                return made
        # a home not made yet: what counts is the nearest folder that exists (`up` makes the rest)
        probe = next(p for p in (self.home, *self.home.parents) if p.exists())
        reach = subprocess.run(["runuser", "-u", SUPERUSER, "--", "test", "-x", str(probe)],
                               capture_output=True)
        if reach.returncode == 0:
            return self.home
        return fallback

    @property
    def datadir(self) -> Path:
        return self.server_dir / "pgdata"

    @property
    def state_file(self) -> Path:
        return self.home / "cluster.json"

    @property
    def pgpass(self) -> Path:
        return self.home / "pgpass"

    @property
    def logfile(self) -> Path:
        return self.server_dir / "server.log"

    def state(self) -> dict:
        if not self.state_file.exists():
            return {}
        return json.loads(self.state_file.read_text())

    def _sockdir(self) -> Path:
        # Unix socket paths are limited to 107 bytes: fall back to /tmp for deep homes.
        d = self.server_dir / "run"
        if len(str(d)) > 80:
            digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:10]
            d = Path("/tmp") / f"dossier-{digest}"
        return d

    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    def _server_user(self) -> pwd.struct_passwd:
        return pwd.getpwnam(SUPERUSER) if self.as_root else pwd.getpwuid(os.geteuid())

    def _run(self, args: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
        """Run a server-side binary, as `postgres` when we are root."""
        cmd = [str(pg_bindir() / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)
        if check and p.returncode != 0:
            raise ClusterError(f"{args[0]} failed: {(p.stderr or p.stdout).strip()}")
        return p

    def _own(self, path: Path, mode: int) -> None:
        path.chmod(mode)
        if self.as_root:
            u = self._server_user()
            os.chown(path, u.pw_uid, u.pw_gid)

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.datadir / "PG_VERSION").exists()

    def init(self) -> bool:
        """Create the cluster the first time; returns False when it already exists."""
        if self.initialised:
            return False
        self.home.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            self.server_dir.mkdir(parents=True, exist_ok=True)
            self.server_dir.chmod(0o755)  # postgres must traverse it; pgdata itself stays 0700
        self.datadir.mkdir(mode=0o700, exist_ok=True)
        self._own(self.datadir, 0o700)
        password = secrets.token_urlsafe(24)
        pwfile = self.server_dir / ".initdb-pw"
        pwfile.write_text(password + "\n")
        self._own(pwfile, 0o600)
        try:
            self._run([
                "initdb", "-D", str(self.datadir), "-U", SUPERUSER, "--encoding=UTF8",
                "--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
            ])
        finally:
            pwfile.unlink(missing_ok=True)
        self.pgpass.write_text(f"127.0.0.1:*:*:{SUPERUSER}:{password}\n")
        self.pgpass.chmod(0o600)
        self._write_conf()
        return True

    def _write_conf(self) -> None:
        sockdir = self._sockdir()
        conf = [
            "# written by dossier; see admin/dossier/cluster.py",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{sockdir}'",
            "unix_socket_permissions = 0700",
            "password_encryption = 'scram-sha-256'",
            "shared_preload_libraries = 'pg_cron,pgaudit'",
            f"cron.database_name = '{self.dbname}'",
            # jobs connect over the local socket (trust, like every local connection here): in
            # background-worker mode pg_cron 1.4 makes every job wait for the longest one
            # (citusdata/pg_cron#200), so a long read-audit run held back the watchdog, the seal
            # and the day's plan invalidation
            "cron.use_background_workers = off",
            f"cron.host = '{sockdir}'",
            "max_worker_processes = 16",
            "logging_collector = on",
            "log_destination = 'csvlog'",
            "log_directory = 'log'",
            # a new file per day and per rotation (pg_rotate_logfile): audit.remove_expired_logs() removes
            # whole files older than server_log_retention_days (issue 15.4), never the one being written
            "log_filename = 'postgresql-%Y-%m-%d_%H%M%S.log'",
            "log_rotation_age = '1d'",
            "log_rotation_size = 0",
            "log_file_mode = 0600",
            "timezone = 'UTC'",
            # read audit (pgaudit object auditing): statements touching relations that
            # dossier_auditor may SELECT are logged to the csv log (`dossier audit reads`)
            "pgaudit.role = 'dossier_auditor'",
            "pgaudit.log_relation = on",
            "pgaudit.log_parameter = on",
            "log_timezone = 'UTC'",
            # resource limits (docs/operations.md "Limits"): a backend whose client went away
            # stops at its next check instead of running on; slots kept for the superuser
            "client_connection_check_interval = '10s'",
            "superuser_reserved_connections = 3",
            *self.extra_conf,
        ]
        path = self.datadir / "dossier.conf"
        path.write_text("\n".join(conf) + "\n")
        self._own(path, 0o600)
        main = self.datadir / "postgresql.conf"
        text = main.read_text()
        if "include_if_exists = 'dossier.conf'" not in text:
            main.write_text(text + "\ninclude_if_exists = 'dossier.conf'\n")
        self._write_hba()

    HBA_TRIAL = "host all +dossier_trial all reject  # dossier psql --as logins: socket only"

    def _write_hba(self) -> None:
        """The throw-away logins of `dossier psql --as` (members of dossier_trial) never connect
        over TCP, whatever password one of them sets (issue 14.5): a reject line before initdb's."""
        hba = self.datadir / "pg_hba.conf"
        lines = hba.read_text().splitlines()
        if self.HBA_TRIAL in lines:
            return
        first_host = next((i for i, x in enumerate(lines) if x.startswith("host")), len(lines))
        lines.insert(first_host, self.HBA_TRIAL)
        hba.write_text("\n".join(lines) + "\n")

    def _pid(self) -> int | None:
        pidfile = self.datadir / "postmaster.pid"
        try:
            return int(pidfile.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def running(self) -> bool:
        pid = self._pid()
        if pid is None:
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return b"postgres" in cmdline

    def _clear_stale_pidfile(self) -> bool:
        """After a crash the pid file may name a dead (or reused) pid: remove it."""
        pidfile = self.datadir / "postmaster.pid"
        if pidfile.exists() and not self.running():
            pidfile.unlink()
            return True
        return False

    def start(self) -> bool:
        """Start the server; returns False when it was already running."""
        if not self.initialised:
            raise ClusterError(f"no cluster in {self.home}: run `dossier up` first")
        if self.running():
            return False
        self._clear_stale_pidfile()
        state = self.state()
        port = state.get("port")
        if not port or not port_is_free(port):
            port = free_port()
        sockdir = self._sockdir()
        sockdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._own(sockdir, 0o700)
        self._write_conf()  # sockdir or extra settings may have changed
        self.logfile.touch()
        self._own(self.logfile, 0o600)
        try:
            self._run([
                "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.datadir), "-l", str(self.logfile),
                "-o", f"-p {port}",
            ])
        except ClusterError as e:
            raise ClusterError(self._start_failure(str(e))) from None
        self.state_file.write_text(json.dumps(
            {"port": port, "socket_dir": str(sockdir), "dbname": self.dbname}, indent=2) + "\n")
        self._wait_ready()
        self._ensure_database()
        return True

    def _start_failure(self, message: str) -> str:
        """pg_ctl's "Examine the log output", made useful: a missing preloaded library is named
        with the package that installs it; otherwise the log's last FATAL line."""
        try:
            log = self.logfile.read_text(errors="replace")[-20000:]
        except OSError:
            return message
        missing = re.findall(r'could not access file "([^"]+)"', log)
        if missing:
            lib = missing[-1]
            package = PRELOAD_PACKAGES.get(lib)
            return (f"the server cannot load the library {lib} (shared_preload_libraries): "
                    + (f"install it with `sudo apt-get install {package}` (`make demo` does)" if package
                       else "install the package that provides it") + f"; log: {self.logfile}")
        fatal = [line for line in log.splitlines() if "FATAL:" in line]
        return f"{message}; {fatal[-1].strip()}" if fatal else message

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            p = subprocess.run(
                [str(pg_bindir() / "pg_isready"), "-q", "-h", str(self._sockdir()),
                 "-p", str(self.port)], capture_output=True)
            if p.returncode == 0:
                return
            time.sleep(0.1)
        raise ClusterError(f"server did not become ready; see {self.logfile}")

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "select 1 from pg_database where datname = %s", (self.dbname,)).fetchone()
            if not exists:
                from psycopg import sql

                conn.execute(sql.SQL("create database {}").format(sql.Identifier(self.dbname)))

    def stop(self) -> bool:
        """Stop the server (fast shutdown); returns False when it was not running."""
        if not self.initialised or not self.running():
            self._clear_stale_pidfile() if self.initialised else None
            return False
        self._run(["pg_ctl", "stop", "-w", "-t", "60", "-m", "fast", "-D", str(self.datadir)])
        return True

    def destroy(self) -> None:
        """Stop and remove everything (the test harness's teardown)."""
        try:
            self.stop()
        finally:
            sock = self._sockdir()
            for d in {self.home, self.server_dir, sock}:
                shutil.rmtree(d, ignore_errors=True)

    # -- connecting ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        port = self.state().get("port")
        if not port:
            raise ClusterError(f"the cluster in {self.home} has never been started")
        return int(port)

    def dsn(self, dbname: str | None = None, user: str = SUPERUSER) -> str:
        """A libpq DSN over the Unix socket (superuser by default)."""
        return (f"host={self._sockdir()} port={self.port} dbname={dbname or self.dbname} "
                f"user={user}")

    def tcp_dsn(self, dbname: str | None = None) -> str:
        return (f"host=127.0.0.1 port={self.port} dbname={dbname or self.dbname} "
                f"user={SUPERUSER} passfile={self.pgpass}")

    def migration_level(self) -> str | None:
        """The highest applied versioned file, as Migrator.level() says, read with psql (cheap
        for `dossier status`: no database driver to load)."""
        p = subprocess.run([str(pg_bindir() / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c",
                            "select max(name) from dossier_migrate.applied where kind = 'versioned'", self.dsn()],
                           capture_output=True, text=True)
        name = p.stdout.strip()
        if p.returncode != 0 or not name:
            return None
        return name.removeprefix("schema/").removesuffix(".sql")

    def version(self) -> str:
        return self._run(["postgres", "--version"]).stdout.strip()
