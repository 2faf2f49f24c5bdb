"""Write audit (audit.change, audit.verify) and read audit (pgaudit lines in the csv server log).

Reads: pgaudit object auditing logs every statement touching a relation dossier_auditor may
SELECT (every personal-data table). audit.collect_reads() (SQL, db/functions/1100_audit.sql)
copies those lines from the csv log into audit.read incrementally, with the relation, the
processing activity (the partition's annex, the annex the statement filters on, else the annexes
the login's grants may read) and the subjects the statement named exactly, by literal or bound
parameter; a statement that names none exactly read any row its scope allowed, shown as "*".
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

CSV_FIELDS = ["log_time", "user_name", "database_name", "process_id", "connection_from", "session_id",
              "session_line_num", "command_tag", "session_start_time", "virtual_transaction_id",
              "transaction_id", "error_severity", "sql_state_code", "message", "detail", "hint",
              "internal_query", "internal_query_pos", "context", "query", "query_pos", "location",
              "application_name", "backend_type", "leader_pid", "query_id"]


def change_log(conn: psycopg.Connection, subject: int | None = None, limit: int = 200) -> list[dict]:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute(
        """select id, at, session_user_name as login, current_user_name as role, application_name,
                  table_name, operation, annex, subject_id, record_id, row_id,
                  case when payload is null and operation <> 'TRUNCATE' then '(redacted)'
                       else payload::text end as change
             from audit.change where schema_name = 'dossier' and (%(s)s::bigint is null or subject_id = %(s)s)
            order by id desc limit %(n)s""", {"s": subject, "n": limit}).fetchall()


def control_log(conn: psycopg.Connection, subject: int | None = None, limit: int = 200) -> list[dict]:
    """The audit of the controls (issue 15.3): grants, matrix, technical access, retention rules
    and settings, holds, restrictions, requests, migrations, re-hashes and redactions."""
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute(
        """select id, at, session_user_name as login, current_user_name as role, application_name,
                  schema_name || '.' || table_name as "table", operation, subject_id, row_id,
                  case when payload is null then '(redacted)' else payload::text end as change
             from audit.control_change where %(s)s::bigint is null or subject_id = %(s)s
            order by id desc limit %(n)s""", {"s": subject, "n": limit}).fetchall()


def seal(conn: psycopg.Connection) -> int | None:
    """Seal what has been committed since the last seal (pg_cron does it every minute); the
    number of entries sealed, or None when this login may not seal."""
    try:
        with conn.transaction():
            return conn.execute("select audit.seal()").fetchone()[0]
    except psycopg.errors.InsufficientPrivilege:
        return None


def verify(conn: psycopg.Connection) -> dict | None:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute("select * from audit.verify()").fetchone()


SEAL_RE = re.compile(r"dossier audit seal: database (\d+) seq (\d+) chain_hash ([0-9a-f]{64})$")


def witness(conn: psycopg.Connection) -> dict | None:
    """Hold the chain to the seals written to the server log: a link deleted from the tail would
    otherwise be made again by the next seal. Only lines written by a sealing backend count: a
    session whose login (csvlog user_name: the session user, which no login can choose, unlike
    application_name) is a superuser, as `dossier migrate` is, or pg_cron's job worker (backend_type
    pg_cron, which no login can be). Any login
    can `raise log` a line that looks like a seal (issue 14.4); such lines are ignored. The first
    seal logged for this database that the chain lacks or has with another hash (seals re-hashed
    by V1600 match their old hash), {} when all match, None when this login cannot read the server
    log (a superuser or pg_read_server_files)."""
    try:
        with conn.transaction():
            lines = _log_lines(conn, prefix="dossier audit seal: ")
    except psycopg.errors.InsufficientPrivilege:
        return None
    db, dbname = conn.execute(
        "select oid::bigint, datname from pg_database where datname = current_database()").fetchone()
    sealers = {r[0] for r in conn.execute("select rolname from pg_roles where rolsuper")}
    chain = {seq: h for seq, h in conn.execute("select seq, encode(chain_hash, 'hex') from audit.chain")}
    old = {seq: h for seq, h in conn.execute("select seq, encode(old_chain_hash, 'hex') from audit.rehashed_link")}
    for row in lines:
        m = SEAL_RE.match(row["message"])
        if not m or int(m.group(1)) != db or row["database_name"] != dbname:
            continue
        # a superuser's session, or pg_cron's job worker (a background worker: no login, no user_name)
        cron_worker = row["user_name"] == "" and (row.get("backend_type") or "").startswith("pg_cron")
        if row["user_name"] not in sealers and not cron_worker:
            continue
        seq, logged = int(m.group(2)), m.group(3)
        if chain.get(seq) != logged and old.get(seq) != logged:
            what = "is missing from the chain (links deleted)" if seq not in chain else "differs from the chain"
            return {"problem": f"seal {seq}, written to the server log at {row['log_time']}, {what}",
                    "chain_seq": seq, "change_id": None}
    return {}


def counts(conn: psycopg.Connection) -> dict:
    return dict(zip(("entries", "links", "unsealed"), conn.execute(
        """select (select count(*) from audit.change), (select count(*) from audit.chain),
                  (select count(*) from audit.change
                    where txid >= coalesce((select upto_txid from audit.chain order by seq desc limit 1), 0))"""
    ).fetchone(), strict=True))


def _log_lines(conn: psycopg.Connection, prefix: str = "AUDIT: ") -> list[dict]:
    files = [r[0] for r in conn.execute(
        "select name from pg_ls_logdir() where name like '%%.csv' order by modification, name")]
    rows = []
    for f in files:
        text = conn.execute("select pg_read_file('log/' || %s)", (f,)).fetchone()[0]
        for rec in csv.reader(io.StringIO(text)):
            row = dict(zip(CSV_FIELDS, rec, strict=False))
            if row.get("message", "").startswith(prefix):
                rows.append(row)
    return rows


def collect_reads(conn: psycopg.Connection) -> int | None:
    """Copy the new read lines of the server log into audit.read (pg_cron does so every five
    minutes); how many, or None when this login may not read the server log."""
    try:
        with conn.transaction():
            return conn.execute("select audit.collect_reads()").fetchone()[0]
    except psycopg.errors.InsufficientPrivilege:
        return None


def reads(conn: psycopg.Connection, subject: int | None = None, login: str | None = None,
          since: dt.date | None = None, limit: int = 200, unattributed: bool = False,
          maintenance: bool = False) -> tuple[list[dict], int]:
    """Reads of personal data from audit.read, newest first, and how many reads that named no
    subject were left out (with --subject and not --unattributed). A read is listed under a
    subject only when its statement named that subject exactly; "*" is any subject in the
    login's scope. The product's own maintenance is left out unless asked for."""
    collect_reads(conn)
    # the annexes a login could read through its grants: what a statement without an annex
    # filter touched (Logboek Dataverwerkingen: name the processing activity)
    where = ["r.database_name = current_database()"]
    args: dict = {"limit": limit}
    if not maintenance:
        where.append("not r.maintenance")
    if login:
        where.append("r.login = %(login)s")
        args["login"] = login
    if since:
        where.append("r.at >= %(since)s::date")
        args["since"] = since
    base = " and ".join(where)
    skipped = 0
    if subject is not None:
        args["subject"] = subject
        cond = "(r.subject_ids @> array[%(subject)s::bigint]" + (" or r.subject_ids is null)" if unattributed else ")")
        if not unattributed:
            skipped = conn.execute(f"select count(*) from audit.read r where {base} and r.subject_ids is null",
                                   args).fetchone()[0]
        base += " and " + cond
    rows = conn.cursor(row_factory=dict_row).execute(
        f"""select r.at, r.login, r.database_name as database, r.relation,
                   coalesce(r.annex, (select string_agg(distinct a.annex, ',' order by a.annex)
                                        from privacy.role_grant g join privacy.access_rule a
                                          on a.role = g.role and a.can_read where g.login = r.login), '*') as annex,
                   coalesce(array_to_string(r.subject_ids, ','), '*') as subjects,
                   r.application_name as application, r.statement
              from audit.read r where {base} order by r.at desc, r.id desc limit %(limit)s""", args).fetchall()
    return rows, skipped


# -- digests outside the database (issue 15.2) --------------------------------------------------
DIGEST_FORMAT = "dossier-audit-digest/1"
KEY_ENV, PUBLIC_KEY_ENV = "DOSSIER_AUDIT_KEY", "DOSSIER_AUDIT_PUBLIC_KEY"


class DigestError(Exception):
    """A key or digest problem, worded for the user (one line)."""


def public_key_path(key: Path) -> Path:
    return key.with_name(key.name + ".pub")


def keygen(key: Path) -> Path:
    """Write a new Ed25519 private key (PEM, mode 0600) to KEY and its public key to KEY.pub;
    refuses to overwrite. The private key stays with whoever takes digests, never on the server."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pub = public_key_path(key)
    for p in (key, pub):
        if p.exists():
            raise DigestError(f"{p} exists: refusing to overwrite a key")
    k = Ed25519PrivateKey.generate()
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))
    pub.write_bytes(k.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo))
    return pub


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def take_digest(conn: psycopg.Connection, key: Path) -> dict:
    """Seal, then sign the chain head (seal number, txid range, chain hash, time, database
    identity) with the private key in KEY."""
    from cryptography.hazmat.primitives import serialization

    try:
        private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise DigestError(f"cannot read the private key {key}: {e}") from None
    seal(conn)
    head = conn.cursor(row_factory=dict_row).execute("select * from audit.head()").fetchone()
    if head is None or head["seq"] is None:
        raise DigestError("the audit chain has no seal yet: nothing to digest")
    body = {"format": DIGEST_FORMAT,
            "database": {"system_identifier": head["system_identifier"], "oid": head["database_oid"],
                         "name": head["database_name"]},
            "seq": head["seq"], "from_txid": head["from_txid"], "upto_txid": head["upto_txid"],
            "chain_hash": head["chain_hash"], "sealed_at": head["sealed_at"].isoformat(),
            "entries": head["n_entries"],
            "taken_at": dt.datetime.now(dt.UTC).isoformat()}
    sig = private.sign(_canonical(body))
    return {"digest": body, "signature": base64.b64encode(sig).decode()}


def check_digests(conn: psycopg.Connection, files: list[Path], public_key: Path) -> dict:
    """Hold the chain to signed digests: the first problem, or {}. A digest that does not verify
    with the public key (signed with another key, or edited) is refused; so is one of another
    database. The chain must still hold the digest's seal with the same hash, range and time."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization

    try:
        public = serialization.load_pem_public_key(public_key.read_bytes())
    except (OSError, ValueError, TypeError) as e:
        raise DigestError(f"cannot read the public key {public_key}: {e}") from None
    me = conn.cursor(row_factory=dict_row).execute(
        "select system_identifier, database_oid as oid, database_name as name from audit.head()").fetchone()
    for f in files:
        try:
            doc = json.loads(Path(f).read_text())
            body, sig = doc["digest"], base64.b64decode(doc["signature"], validate=True)
            public.verify(sig, _canonical(body))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise DigestError(f"digest {f}: unreadable ({e.__class__.__name__}: {e})") from None
        except InvalidSignature:
            raise DigestError(f"digest {f}: refused, its signature does not verify with {public_key} "
                              "(signed with another key, or edited)") from None
        if body.get("format") != DIGEST_FORMAT:
            raise DigestError(f"digest {f}: unknown format {body.get('format')!r}")
        if body["database"] != me:
            raise DigestError(f"digest {f}: refused, it is of database {body['database']}, not {me}")
        link = conn.cursor(row_factory=dict_row).execute(
            "select upto_txid, encode(chain_hash, 'hex') as chain_hash, sealed_at from audit.chain where seq = %s",
            (body["seq"],)).fetchone()
        where = f"seal {body['seq']} of digest {f} (taken {body['taken_at']})"
        if link is None:
            return {"problem": f"{where} is missing from the chain (seals deleted)", "chain_seq": body["seq"],
                    "change_id": None}
        if (link["chain_hash"] != body["chain_hash"] or link["upto_txid"] != body["upto_txid"]
                or link["sealed_at"].isoformat() != body["sealed_at"]):
            return {"problem": f"{where} differs from the chain (entries or seals changed, or re-sealed)",
                    "chain_seq": body["seq"], "change_id": None}
    return {}


# -- audit retention (issue 15.5) ---------------------------------------------------------------
AUDIT_RETENTION_JOB = "dossier-audit-retention"


def retention_status(conn: psycopg.Connection) -> dict:
    """The monthly audit retention job (pg_cron), its last run, the period and what was dropped,
    for `dossier retention status`; `problem` when the job is missing or inactive."""
    cur = conn.cursor(row_factory=dict_row)
    out = cur.execute(
        """select (select value::integer from privacy.setting where key = 'audit_retention_months') as months,
                  (select count(*) from audit.dropped_partition) as partitions_dropped,
                  (select max(upto) from audit.dropped_partition) as dropped_before,
                  (select min(at) from audit.change) as oldest_entry""").fetchone()
    out |= {"job": AUDIT_RETENTION_JOB, "schedule": None, "active": None, "last_run": None,
            "last_status": None, "problem": None}
    if cur.execute("select to_regnamespace('cron') is not null as c").fetchone()["c"]:
        job = cur.execute("select jobid, schedule, active from cron.job where jobname = %s",
                          (AUDIT_RETENTION_JOB,)).fetchone()
        if job is None:
            out["problem"] = f"no pg_cron job named {AUDIT_RETENTION_JOB}: run `dossier migrate`"
        else:
            out |= {"schedule": job["schedule"], "active": job["active"]}
            if not job["active"]:
                out["problem"] = f"the job {AUDIT_RETENTION_JOB} is not active"
            run = cur.execute("""select status, end_time from cron.job_run_details where jobid = %s
                                  order by start_time desc nulls last limit 1""", (job["jobid"],)).fetchone()
            if run:
                out |= {"last_run": run["end_time"], "last_status": run["status"]}
    return out
