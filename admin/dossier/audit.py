"""Write audit (audit.change, audit.verify) and read audit (pgaudit lines in the csv server log).

Reads: pgaudit object auditing logs every statement touching a relation dossier_auditor may
SELECT (every personal-data table). `reads()` fetches the csv log through SQL (pg_ls_logdir,
pg_read_file: a superuser or a member of pg_read_server_files), parses the AUDIT lines and names,
per read, the login, the relation, the processing activity (the partition's annex, the annex the
statement filters on, else the annexes the login's grants may read) and — where the statement
names them — the subjects; a statement without a subject filter read every row its scope allowed,
shown as subject "*".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import psycopg
from psycopg.rows import dict_row

CSV_FIELDS = ["log_time", "user_name", "database_name", "process_id", "connection_from", "session_id",
              "session_line_num", "command_tag", "session_start_time", "virtual_transaction_id",
              "transaction_id", "error_severity", "sql_state_code", "message", "detail", "hint",
              "internal_query", "internal_query_pos", "context", "query", "query_pos", "location",
              "application_name", "backend_type", "leader_pid", "query_id"]
ANNEX_RE = re.compile(r"annex\s*=\s*'(A[1-6]|FS|TP)'", re.I)
SUBJECT_RE = re.compile(r"subject_id\s*(?:=\s*(\d+)|in\s*\(([\d,\s]+)\))", re.I)


def change_log(conn: psycopg.Connection, subject: int | None = None, limit: int = 200) -> list[dict]:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute(
        """select id, at, session_user_name as login, current_user_name as role, application_name,
                  table_name, operation, annex, subject_id, record_id, row_id,
                  case when payload is null and operation <> 'TRUNCATE' then '(redacted)'
                       else payload::text end as change
             from audit.change where %(s)s::bigint is null or subject_id = %(s)s
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
    otherwise be made again by the next seal. The first seal logged for this database that the
    chain lacks or has with another hash, {} when all match, None when this login cannot read
    the server log (a superuser or pg_read_server_files)."""
    try:
        with conn.transaction():
            lines = _log_lines(conn, prefix="dossier audit seal: ")
    except psycopg.errors.InsufficientPrivilege:
        return None
    db = conn.execute("select oid::bigint from pg_database where datname = current_database()").fetchone()[0]
    chain = {seq: h for seq, h in conn.execute("select seq, encode(chain_hash, 'hex') from audit.chain")}
    for row in lines:
        m = SEAL_RE.match(row["message"])
        if not m or int(m.group(1)) != db:
            continue
        seq, logged = int(m.group(2)), m.group(3)
        if chain.get(seq) != logged:
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


def reads(conn: psycopg.Connection, subject: int | None = None, login: str | None = None,
          since: dt.date | None = None) -> list[dict]:
    # the annexes a login could read through its grants: what a statement without an annex
    # filter touched (Logboek Dataverwerkingen: name the processing activity)
    may_read = {login_: annexes for login_, annexes in conn.execute(
        """select g.login, string_agg(distinct r.annex, ',' order by r.annex)
             from privacy.role_grant g join privacy.access_rule r on r.role = g.role and r.can_read
            group by g.login""")}
    out = []
    for row in _log_lines(conn):
        fields = next(csv.reader(io.StringIO(row["message"][len("AUDIT: "):])))
        if len(fields) < 8 or fields[0] != "OBJECT" or fields[3] != "READ":
            continue
        relation, statement = fields[6], fields[7]
        when = row["log_time"]
        if since and when[:10] < since.isoformat():
            continue
        if login and row["user_name"] != login:
            continue
        part = re.search(r"person_record_(a[1-6]|fs|tp)$", relation)
        annex = (part.group(1).upper() if part else
                 m.group(1).upper() if (m := ANNEX_RE.search(statement)) else
                 may_read.get(row["user_name"], "*"))
        m = SUBJECT_RE.search(statement)
        subjects = ([m.group(1)] if m.group(1) else [s.strip() for s in m.group(2).split(",")]) if m else ["*"]
        if subject is not None and str(subject) not in subjects and subjects != ["*"]:
            continue
        out.append({"at": when, "login": row["user_name"], "database": row["database_name"],
                    "relation": relation, "annex": annex, "subjects": ",".join(subjects),
                    "application": row.get("application_name"), "statement": statement})
    return out
