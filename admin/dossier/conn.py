"""Where to connect: --dsn, else DOSSIER_DSN, else libpq's PG* variables / service file,
else the embedded cluster (contract §2)."""

from __future__ import annotations

import os

import psycopg

from .cluster import Cluster, ClusterError, default_home

LIBPQ_VARS = ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGSERVICEFILE")


def resolve_dsn(dsn: str | None = None) -> str:
    if dsn:
        return dsn
    if os.environ.get("DOSSIER_DSN"):
        return os.environ["DOSSIER_DSN"]
    if any(os.environ.get(v) for v in LIBPQ_VARS):
        return ""  # libpq reads the environment and the service file itself
    cluster = Cluster(default_home())
    if not cluster.initialised or not cluster.running():
        raise ClusterError(
            "no database to connect to: pass --dsn, set DOSSIER_DSN or PG* variables, "
            f"or start the embedded cluster with `dossier up` (home: {cluster.home})")
    return cluster.dsn()


def connect(dsn: str | None = None, **kw) -> psycopg.Connection:
    kw.setdefault("application_name", "dossier")
    return psycopg.connect(resolve_dsn(dsn), **kw)


def org_today(conn: psycopg.Connection):
    """Today in the organisation's zone (privacy.scope_day: setting time_zone, Europe/Amsterdam),
    the day the database judges grants, deadlines and decisions by. Not the machine's date: between
    midnight in Amsterdam and midnight UTC the two differ (a decision dated 2 December was listed as
    closed on 1 December)."""
    return conn.execute("select privacy.scope_day()").fetchone()[0]
