"""`dossier backup FILE` / `dossier restore FILE` (issue 17 item 11): one file that brings a
dossier database back in another cluster, and the checks that say it came back whole.

The file is a tar archive of two members: `manifest.json` (the roles the database needs, their
memberships and role settings, which pg_dump leaves out because roles are cluster-wide; the row
count of every table, taken in the dump's own snapshot) and `database.dump` (pg_dump, custom
format). pg_cron's jobs live in the extension's own tables in the cron database and name a server
port, so they are not restored: the restore schedules them anew (db/policies/1900_cron.sql).
Passwords are not in the file: a restored login gets a new one with `dossier password LOGIN`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row

from .cluster import pg_bindir

FORMAT = "dossier-backup/1"
SCHEMAS = ("dossier", "privacy", "audit", "mis", "dossier_migrate")

# The roles the database refers to (owners, privileges, policies: pg_shdepend), the logins of the
# grants register, pgaudit's role, and every role those are members of.
ROLES = """
with recursive direct as (
    select d.refobjid as oid from pg_catalog.pg_shdepend d
     where d.refclassid = 'pg_catalog.pg_authid'::regclass
       and d.dbid = (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database())
    union select r.oid from pg_catalog.pg_roles r
     where r.rolname in (select g.login from privacy.role_grant g where g.revoked_at is null)
        or r.rolname = pg_catalog.current_setting('pgaudit.role', true)
), closure as (
    select oid from direct
    union select m.roleid from pg_catalog.pg_auth_members m join closure c on c.oid = m.member
)
select r.rolname as name, r.rolcanlogin as login, r.rolinherit as inherit, r.rolcreaterole as createrole,
       r.rolbypassrls as bypassrls, r.rolconnlimit as connection_limit, r.rolvaliduntil::text as valid_until,
       coalesce(r.rolconfig, '{}') as config, pg_catalog.shobj_description(r.oid, 'pg_authid') as comment
  from pg_catalog.pg_roles r join closure c on c.oid = r.oid
 where not r.rolsuper and r.rolname !~ '^pg_'
 order by r.rolname
"""
MEMBERSHIPS = """
select g.rolname as role, m.rolname as member, a.admin_option
  from pg_catalog.pg_auth_members a
  join pg_catalog.pg_roles g on g.oid = a.roleid
  join pg_catalog.pg_roles m on m.oid = a.member
 where g.rolname = any(%(names)s) and m.rolname = any(%(names)s)
 order by 1, 2
"""
TABLES = """
select n.nspname as schema, c.relname as name
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where c.relkind = 'r' and n.nspname = any(%s)
 order by 1, 2
"""


class BackupError(RuntimeError):
    """A backup or restore problem, worded for the user (one line)."""


def _superuser(conn: psycopg.Connection, what: str) -> None:
    if not conn.execute("select rolsuper from pg_catalog.pg_roles where rolname = current_user").fetchone()[0]:
        raise BackupError(f"{what} needs a superuser (roles are cluster-wide and pg_dump reads every row); "
                          f"{conn.info.user} is not one")


def _tool(name: str, args: list[str]) -> subprocess.CompletedProcess:
    p = subprocess.run([str(pg_bindir() / name), *args], capture_output=True, text=True)
    if p.returncode != 0:
        lines = [x for x in p.stderr.strip().splitlines() if x.strip()] or [f"exit status {p.returncode}"]
        raise BackupError(f"{name} failed: {lines[0]}" + (f" (and {len(lines) - 1} more lines)" if len(lines) > 1 else ""))
    return p


def counts(conn: psycopg.Connection) -> dict[str, int]:
    """The rows of every table of the product's schemas."""
    out = {}
    for schema, name in conn.execute(TABLES, (list(SCHEMAS),)).fetchall():
        out[f"{schema}.{name}"] = conn.execute(
            sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(name))).fetchone()[0]
    return out


def backup(dsn: str, path: Path) -> dict:
    """Write the backup of the database `dsn` names to PATH (mode 0600: it holds personal data).
    The counts and roles are read in the snapshot pg_dump dumps; returns the manifest."""
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} is a directory")
    with psycopg.connect(dsn, application_name="dossier backup") as conn:
        _superuser(conn, "backup")
        conn.rollback()
        conn.execute("set transaction isolation level repeatable read, read only")
        snapshot = conn.execute("select pg_catalog.pg_export_snapshot()").fetchone()[0]
        cur = conn.cursor(row_factory=dict_row)
        roles = cur.execute(ROLES).fetchall()
        names = [r["name"] for r in roles]
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": conn.info.dbname,
            "server_version": conn.info.server_version,
            "migration": conn.execute("select max(name) from dossier_migrate.applied where kind = 'versioned'")
                             .fetchone()[0],
            "roles": roles,
            "memberships": cur.execute(MEMBERSHIPS, {"names": names}).fetchall(),
            "counts": counts(conn),
            # the audit chain is sealed by transaction ids (audit.seal): a restored database needs
            # a cluster whose next id lies beyond this one's (restore advances it)
            "next_txid": conn.execute("select txid_snapshot_xmax(txid_current_snapshot())").fetchone()[0],
        }
        with tempfile.TemporaryDirectory(prefix="dossier-backup-") as tmp:
            dump = Path(tmp) / "database.dump"
            _tool("pg_dump", ["--format=custom", f"--snapshot={snapshot}", "--no-password",
                              f"--file={dump}", "--dbname", dsn or conn.info.dsn])
            conn.rollback()
            data = json.dumps(manifest, indent=1, ensure_ascii=False, default=str).encode()
            part = path.with_name(f".{path.name}.part")
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w") as tar:
                    info = tarfile.TarInfo("manifest.json")
                    info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
                    tar.addfile(info, io.BytesIO(data))
                    tar.add(dump, arcname="database.dump")
                os.replace(part, path)
            finally:
                part.unlink(missing_ok=True)
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, mode="r:") as tar:
            names = tar.getnames()
            if names[:2] != ["manifest.json", "database.dump"]:
                raise BackupError(f"{path}: not a dossier backup (members {names[:3]})")
            manifest = json.loads(tar.extractfile("manifest.json").read())
    except tarfile.TarError:
        raise BackupError(f"{path}: not a dossier backup (not a tar archive)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BackupError(f"{path}: not a dossier backup (manifest.json: {' '.join(str(e).split())})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r}, this dossier reads {FORMAT}")
    missing = [k for k in ("roles", "memberships", "counts", "next_txid") if k not in manifest]
    if missing:
        raise BackupError(f"{path}: manifest.json lacks {', '.join(missing)}")
    return manifest


# entries of the archive that belong to pg_cron: its extension (created before the restore, in the
# cron database only) and its tables' rows (the jobs are scheduled anew: a job row names the old
# server's port). Its functions' privileges are restored.
_CRON_ENTRY = re.compile(r"^\d+; \d+ \d+ (EXTENSION - pg_cron |COMMENT - EXTENSION pg_cron |"
                         r"TABLE DATA cron |SEQUENCE SET cron )")


_LIST_SETTINGS = {"search_path", "temp_tablespaces", "local_preload_libraries", "session_preload_libraries"}


def _create_roles(conn: psycopg.Connection, manifest: dict) -> list[str]:
    """Create the roles the database needs that the cluster lacks (without passwords), their
    memberships and role settings; one transaction. Returns the roles created."""
    have = {r for (r,) in conn.execute("select rolname from pg_catalog.pg_roles")}
    made = []
    with conn.transaction():
        for r in manifest["roles"]:
            name = sql.Identifier(r["name"])
            if r["name"] not in have:
                opts = [("LOGIN" if r["login"] else "NOLOGIN"), ("INHERIT" if r["inherit"] else "NOINHERIT"),
                        ("CREATEROLE" if r["createrole"] else "NOCREATEROLE"),
                        ("BYPASSRLS" if r["bypassrls"] else "NOBYPASSRLS")]
                stmt = sql.SQL("create role {} " + " ".join(opts) + " connection limit {}").format(
                    name, sql.Literal(int(r["connection_limit"])))
                if r["valid_until"]:
                    stmt = stmt + sql.SQL(" valid until {}").format(sql.Literal(r["valid_until"]))
                conn.execute(stmt)
                made.append(r["name"])
            for setting in r["config"]:
                key, _, value = setting.partition("=")
                if not re.fullmatch(r"[a-z_][a-z0-9_.]*", key):
                    raise BackupError(f"role {r['name']}: setting {key!r} is not a parameter name")
                # a list parameter is stored as its items joined by ", " (pg_dumpall splits it too)
                items = [v.strip() for v in value.split(",")] if key in _LIST_SETTINGS else [value]
                conn.execute(sql.SQL("alter role {} set {} = {}").format(
                    name, sql.SQL(key), sql.SQL(", ").join(sql.Literal(v) for v in items)))
            if r["comment"]:
                conn.execute(sql.SQL("comment on role {} is {}").format(name, sql.Literal(r["comment"])))
        for m in manifest["memberships"]:
            conn.execute(sql.SQL("grant {} to {}" + (" with admin option" if m["admin_option"] else "")).format(
                sql.Identifier(m["role"]), sql.Identifier(m["member"])))
    return made


def _holds_data(conn: psycopg.Connection) -> int:
    """Subjects and grants in the target database (0 for an empty or freshly migrated one)."""
    if conn.execute("select to_regclass('dossier.subject') is null").fetchone()[0]:
        return 0
    return conn.execute("select (select count(*) from dossier.subject) + "
                        "(select count(*) from privacy.role_grant)").fetchone()[0]


def scheduler_runs(conn: psycopg.Connection) -> bool:
    """Whether pg_cron's scheduler (a background worker of the cron database) runs. Dropping that
    database ends it for good: pg_cron starts it only with the server."""
    return conn.execute("select exists (select from pg_catalog.pg_stat_activity "
                        "where backend_type = 'pg_cron launcher')").fetchone()[0]


# how far restore advances a cluster's transaction ids by itself (about 30,000 a second)
MAX_TXID_GAP = 50_000_000


def _next_txid(conn: psycopg.Connection) -> int:
    return conn.execute("select txid_snapshot_xmax(txid_current_snapshot())").fetchone()[0]


def _advance_txids(conn: psycopg.Connection, beyond: int, log) -> int:
    """Spend transaction ids until the cluster's next one lies beyond `beyond`: the restored audit
    chain's seals cover ranges of the old cluster's ids, and a new entry must not fall into one."""
    spent = 0
    conn.execute("set synchronous_commit = off")
    while (gap := beyond - _next_txid(conn)) > 0:
        n = min(gap, 200_000)
        conn.execute(sql.SQL("do $$ begin for i in 1..{} loop perform pg_catalog.txid_current(); commit; "
                             "end loop; end $$").format(sql.Literal(n)))
        spent += n
        log(f"transaction ids: {spent} of {spent + max(gap - n, 0)} advanced")
    conn.execute("reset synchronous_commit")
    return spent


def restore(dsn: str, path: Path, force: bool = False, log=lambda _m: None) -> dict:
    """Restore the backup PATH into the database `dsn` names, replacing it: first the roles, then
    the database (one transaction), then the pg_cron jobs and any newer migration; then compare the
    row counts with the backup's. Returns {"roles_created", "counts": differences, "cron"}."""
    from .migrate import Migrator, discover

    manifest = read_manifest(path)
    with tempfile.TemporaryDirectory(prefix="dossier-restore-") as tmp:
        with tarfile.open(path, mode="r") as tar:
            tar.extract("database.dump", tmp, filter="data")
        dump = Path(tmp) / "database.dump"
        toc = _tool("pg_restore", ["--list", str(dump)]).stdout   # a damaged archive stops here
        listing = Path(tmp) / "restore.list"
        listing.write_text("".join(line for line in toc.splitlines(keepends=True) if not _CRON_ENTRY.match(line)))

        with psycopg.connect(dsn, autocommit=True, application_name="dossier restore") as conn:
            _superuser(conn, "restore")
            target = conn.info.dbname
            held = _holds_data(conn)
            if held and not force:
                raise BackupError(f"database {target} holds data ({held} subjects and grants): restore replaces "
                                  "a database only when it is empty or new (--force to replace it anyway)")
            gap = manifest["next_txid"] - _next_txid(conn)
            if gap > MAX_TXID_GAP:
                raise BackupError(f"this cluster's transaction ids are {gap} behind the backup's (the audit chain is "
                                  f"sealed by them): more than restore advances ({MAX_TXID_GAP}); stop the new "
                                  "cluster and raise its epoch with pg_resetwal --epoch (docs/operations.md)")
            made = _create_roles(conn, manifest)
            log(f"roles: {len(made)} created, {len(manifest['roles']) - len(made)} already there")
        maintenance = make_conninfo(dsn, dbname="postgres")
        with psycopg.connect(maintenance, autocommit=True, application_name="dossier restore") as m:
            m.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target)))
            m.execute(sql.SQL("create database {} template template0 encoding 'UTF8'").format(sql.Identifier(target)))
        log(f"database {target}: created anew")
        with psycopg.connect(dsn, autocommit=True, application_name="dossier restore") as conn:
            cron_db = conn.execute("select current_setting('cron.database_name', true) = current_database()").fetchone()[0]
            if cron_db:  # before the data: its objects may refer to the extension
                conn.execute("create extension if not exists pg_cron")
        target_dsn = make_conninfo(dsn, dbname=target) if conninfo_to_dict(dsn).get("dbname") != target else dsn
        _tool("pg_restore", ["--exit-on-error", "--single-transaction", "--no-password", f"--use-list={listing}",
                             "--dbname", target_dsn, str(dump)])
        log(f"database {target}: restored from {path.name} (taken {manifest.get('created_at')})")

    with psycopg.connect(dsn, autocommit=True, application_name="dossier restore") as conn:
        _advance_txids(conn, manifest["next_txid"], log)   # before anything writes an audit entry
        now = counts(conn)
        differ = {t: {"backup": n, "restored": now.get(t)} for t, n in manifest["counts"].items() if now.get(t) != n}
        steps = discover()
        done = Migrator(conn, steps=steps, log=lambda msg: log(f"  {msg}")).run()
        if done:
            log(f"migrations: {len(done)} applied (the backup was at {manifest.get('migration')})")
        cron = None
        if cron_db:
            Migrator(conn, steps=steps)._apply(next(s for s in steps if s.name == "policies/1900_cron.sql"))
            cron = [j for (j,) in conn.execute("select jobname from cron.job where jobname like 'dossier-%' order by 1")]
            log(f"pg_cron: {len(cron)} jobs scheduled")
            if not scheduler_runs(conn):
                log("pg_cron: its scheduler ended with the replaced database; it starts again with the server")
        else:
            log("pg_cron: this database is not cron.database_name: no jobs scheduled (docs/operations.md)")
    return {"roles_created": made, "counts": differ, "cron": cron}
