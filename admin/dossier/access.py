"""Grants, revokes, the access register (art. 9.2) and the drift check, over the SQL functions of
db/functions/1030_grants.sql and 1020_policy_check.sql. Names travel as parameters; the SQL
quotes them with format('%I')."""

from __future__ import annotations

import datetime as dt

import psycopg
from psycopg.rows import dict_row


def grant(conn: psycopg.Connection, login: str, role: str, unit: str, until: dt.date | None = None,
          reason: str | None = None, subject: int | None = None) -> dict:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute("select * from privacy.grant_access(%s, %s, %s, %s, %s, %s)",
                       (login, role, unit, until, reason, subject)).fetchone()


def revoke(conn: psycopg.Connection, login: str, role: str, unit: str | None = None) -> int:
    return conn.execute("select privacy.revoke_access(%s, %s, %s)", (login, role, unit)).fetchone()[0]


def register(conn: psycopg.Connection, history: bool = False) -> list[dict]:
    cur = conn.cursor(row_factory=dict_row)
    if history:
        return cur.execute("select * from privacy.access_history order by granted_at, id").fetchall()
    return cur.execute("select * from privacy.access_register order by role, unit_code, login").fetchall()


def drift(conn: psycopg.Connection) -> list[dict]:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute("select * from privacy.policy_drift()").fetchall()
