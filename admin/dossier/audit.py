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


def verify(conn: psycopg.Connection) -> dict | None:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute("select * from audit.verify()").fetchone()


def counts(conn: psycopg.Connection) -> dict:
    return dict(zip(("entries", "links"), conn.execute(
        "select (select count(*) from audit.change), (select count(*) from audit.chain)").fetchone(),
        strict=True))


def _log_lines(conn: psycopg.Connection) -> list[dict]:
    files = [r[0] for r in conn.execute(
        "select name from pg_ls_logdir() where name like '%%.csv' order by modification, name")]
    rows = []
    for f in files:
        text = conn.execute("select pg_read_file('log/' || %s)", (f,)).fetchone()[0]
        for rec in csv.reader(io.StringIO(text)):
            row = dict(zip(CSV_FIELDS, rec, strict=False))
            if row.get("message", "").startswith("AUDIT: "):
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
