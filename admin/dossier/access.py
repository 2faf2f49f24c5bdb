"""Grants, revokes, passwords, throw-away logins, the access register (art. 9.2) and the drift
check, over the SQL functions of db/functions/1035_role_admin.sql, 1030_grants.sql and
1020_policy_check.sql. Names travel as parameters; the SQL quotes them with format('%I'). No
login needs CREATEROLE: the role administration is done by SECURITY DEFINER functions."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

import psycopg
from psycopg.rows import dict_row

SCRAM_ITERATIONS = 4096  # PostgreSQL's default (scram_iterations)


def grant(conn: psycopg.Connection, login: str, role: str, unit: str, until: dt.date | None = None,
          reason: str | None = None, subject: int | None = None) -> dict:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute("select * from privacy.grant_access(%s, %s, %s, %s, %s, %s)",
                       (login, role, unit, until, reason, subject)).fetchone()


def revoke(conn: psycopg.Connection, login: str, role: str, unit: str | None = None) -> tuple[int, list[str]]:
    """Close the grants; returns how many, and the warnings the database gave (a revoke between
    two grants leaves a gap in the login's units: privacy.scope_gap)."""
    warnings: list[str] = []

    def keep(d: psycopg.errors.Diagnostic) -> None:
        if d.severity_nonlocalized == "WARNING":
            warnings.append(d.message_primary + (f" (hint: {d.message_hint})" if d.message_hint else ""))

    conn.add_notice_handler(keep)
    try:
        n = conn.execute("select privacy.revoke_access(%s, %s, %s)", (login, role, unit)).fetchone()[0]
    finally:
        conn.remove_notice_handler(keep)
    return n, warnings


def set_connection_limit(conn: psycopg.Connection, login: str, connections: int) -> None:
    conn.execute("select privacy.set_connection_limit(%s, %s)", (login, connections))


def scram_verifier(password: str, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores (RFC 5802/7677), computed here so the
    password itself never reaches the server or its logs."""
    salt = salt or secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return (f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}"
            f"${b64(hashlib.sha256(client_key).digest())}:{b64(server_key)}")


def generate_password() -> str:
    return secrets.token_urlsafe(18)


def set_password(conn: psycopg.Connection, login: str, password: str) -> None:
    conn.execute("select privacy.set_password(%s, %s)", (login, scram_verifier(password)))


def open_trial_login(conn: psycopg.Connection, role: str, unit: str, subject: int | None = None) -> str:
    return conn.execute("select privacy.open_trial_login(%s, %s, %s)", (role, unit, subject)).fetchone()[0]


def close_trial_login(conn: psycopg.Connection, login: str) -> bool:
    return conn.execute("select privacy.close_trial_login(%s)", (login,)).fetchone()[0]


def register(conn: psycopg.Connection, history: bool = False) -> list[dict]:
    cur = conn.cursor(row_factory=dict_row)
    if history:
        return cur.execute("select * from privacy.access_history order by granted_at, id").fetchall()
    return cur.execute("select * from privacy.access_register order by role, unit_code, login").fetchall()


def drift(conn: psycopg.Connection) -> list[dict]:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute("select * from privacy.policy_drift()").fetchall()
