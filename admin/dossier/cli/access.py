"""`dossier grant`, `revoke`, `password`, `access-register`, `policy check`, `psql --as`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import click

from ..cluster import pg_bindir
from . import DATE, cli, lazy
from .output import emit, format_option

access = lazy("dossier.access")

REGISTER_COLUMNS = ["login", "role", "unit_code", "valid_from", "valid_until", "reason", "in_force",
                    "granted_by", "granted_at"]
HISTORY_COLUMNS = ["id", "login", "role", "unit_code", "valid_from", "valid_until", "reason",
                   "granted_by", "granted_at", "revoked_by", "revoked_at"]


def _new_password(login: str) -> tuple[str, bool]:
    """A password for LOGIN: prompted on a terminal (empty: generate one), else generated.
    Returns it and whether it was generated (then it is printed once)."""
    if sys.stdin.isatty():
        pw = click.prompt(f"password for {login} (empty: generate one)", hide_input=True,
                          confirmation_prompt=True, default="", show_default=False)
        if pw:
            if len(pw) < 12:
                raise click.ClickException("password: at least 12 characters")
            return pw, False
    return access.generate_password(), True


def _tell_password(login: str, pw: str, generated: bool) -> None:
    if generated:
        click.echo(f"password for {login} (shown once, store it now): {pw}")
    click.echo(f"connect over TCP with: user={login} (scram-sha-256); see docs/connect.md", err=True)


@cli.command("grant")
@click.argument("login")
@click.argument("role")
@click.option("--unit", required=True, metavar="CODE", help="unit whose subtree the grant covers")
@click.option("--until", type=DATE, default=None,
              help="last day the grant works (interns); it stops working after that day by itself")
@click.option("--reason", default=None, help="why (default: the role's Annex 7 motivation)")
@click.option("--subject", type=int, default=None, help="employee_self only: the subject id the login is")
@click.option("--connection-limit", type=click.IntRange(1, 1000), default=None, metavar="N",
              help="most sessions the login may have at once (default 10, privacy.setting)")
@click.option("--password", "with_password", is_flag=True,
              help="also give the login a password for TCP: prompted on a terminal, else generated and printed once")
@click.pass_obj
def grant_cmd(obj, login: str, role: str, unit: str, until, reason: str | None, subject: int | None,
              connection_limit: int | None, with_password: bool) -> None:
    """Create LOGIN if needed and grant it ROLE for the subtree of a unit, recorded in the
    access register (art. 9.2) with who granted it and when. A new login gets a connection
    limit and the login settings of docs/operations.md ("Limits"). Technical logins and a grant
    that already exists are refused; nothing is changed then.

    A second role for a login that already holds one is refused when the two would mix:
    PostgreSQL adds up a login's roles column by column and row by row, so a school manager of
    one school who is also the absence registrar of another would read the manager's columns on
    the other school's rows. A role within the first (fewer columns, or the same rows) is
    accepted; otherwise give the second role its own login.

    A grant is also refused when the login would read units (or organisations) on both sides
    of one it does not read, as a school manager of S1 and S3 but not S2: the database bounds
    a login's rows by its lowest and highest unit, and EXPLAIN (ANALYZE) would count the rows
    between. Grant the school between first, or give the grant its own login.

    \b
    Example: dossier grant j.jansen school_manager --unit DEMO-EDU-S1 --reason "schooldirecteur"
    Example: dossier grant bi.school school_manager --unit DEMO-EDU-S1 --password
    """
    pw, generated = _new_password(login) if with_password else (None, False)
    with obj.connect() as conn:
        g = access.grant(conn, login, role, unit, until.date() if until else None, reason, subject)
        if connection_limit is not None:
            access.set_connection_limit(conn, login, connection_limit)
        if pw is not None:
            access.set_password(conn, login, pw)
        # Bijlage 7: "per school 1 medewerker" registers absence; a second one is allowed but said
        conflicts = conn.execute("select school_code, array_to_string(logins, ', ') from privacy.registrar_conflicts "
                                 "where %s = any (logins)", (login,)).fetchall() if role == "absence_registrar" else []
    click.echo(f"granted {g['role']} to {g['login']} for {unit}"
               + (f" until {g['valid_until']}" if g["valid_until"] else "") + f" (grant {g['id']})")
    for school, logins in conflicts:
        click.echo(f"warning: {school} now has more than one absence registrar ({logins}); Bijlage 7 says one "
                   "per school (`dossier policy check` reports it)", err=True)
    if pw is not None:
        _tell_password(login, pw, generated)


@cli.command("password")
@click.argument("login")
@click.pass_obj
def password_cmd(obj, login: str) -> None:
    """Give LOGIN (a login with a grant) a new password: prompted on a terminal, else generated
    and printed once. Only its SCRAM-SHA-256 verifier is sent to the server.

    Example: dossier password bi.school
    """
    pw, generated = _new_password(login)
    with obj.connect() as conn:
        access.set_password(conn, login, pw)
    click.echo(f"password of {login} changed")
    _tell_password(login, pw, generated)


@cli.command("revoke")
@click.argument("login")
@click.argument("role")
@click.option("--unit", default=None, metavar="CODE", help="only the grant for this unit (default: all)")
@click.pass_obj
def revoke_cmd(obj, login: str, role: str, unit: str | None) -> None:
    """Close LOGIN's grants of ROLE (for one unit or all); the membership goes with the last one.
    The closed grants stay in the register's history. A revoke is never refused, but one that
    leaves the login units on both sides of one it no longer reads (S2 of S1, S2 and S3) warns:
    EXPLAIN (ANALYZE) would count the rows between; revoke one side too.

    Example: dossier revoke j.jansen school_manager --unit DEMO-EDU-S1
    """
    with obj.connect() as conn:
        n, warnings = access.revoke(conn, login, role, unit)
    click.echo(f"revoked {n} grant(s) of {role} from {login}")
    for w in warnings:
        click.echo(f"warning: {w}", err=True)


@cli.command("access-register")
@click.option("--history", is_flag=True, help="every grant and revoke, with who and when")
@format_option()
@click.pass_obj
def access_register(obj, history: bool, fmt: str) -> None:
    """Art. 9.2: who holds which role, for which units, since/until when and why.

    Example: dossier access-register --format csv
    """
    with obj.connect() as conn:
        rows = access.register(conn, history)
    emit(rows, fmt, HISTORY_COLUMNS if history else REGISTER_COLUMNS,
         title="Toegangsregister (art. 9.2, Bijlage 7)")


@cli.group()
def policy() -> None:
    """The access matrix against the live database.

    Example: dossier policy check
    """


@policy.command("check")
@format_option()
@click.pass_obj
def policy_check(obj, fmt: str) -> None:
    """Compare the declared access matrix with live privileges, row security, policies and role
    memberships; exit 1 naming every difference.

    Example: dossier policy check --format json
    """
    with obj.connect() as conn:
        rows = access.drift(conn)
    if rows or fmt != "table":
        emit(rows, fmt, ["kind", "object", "detail"], title="policy drift")
    else:
        click.echo("no drift: privileges, row security and policies match the access matrix")
    if rows:
        raise SystemExit(1)


@cli.command("psql")
@click.option("--as", "role", required=True, help="the role to try")
@click.option("--unit", default=None, metavar="CODE",
              help="unit the throw-away grant covers (default: the first organisation)")
@click.option("--subject", type=int, default=None, help="employee_self: the subject to be")
@click.pass_obj
def psql_as(obj, role: str, unit: str | None, subject: int | None) -> None:
    """Open psql as a throw-away login holding ROLE for UNIT, to try the policies. The login
    connects over the Unix socket only, is valid for 60 minutes (privacy.setting
    trial_login_minutes) and is dropped with what it owns when psql exits, also on SIGHUP or
    SIGTERM; after a SIGKILL the tidy job (pg_cron, every minute) drops it once psql is gone
    too (no session for 2 minutes) or it has expired.
    The grant stays in the register's history.

    Example: dossier psql --as school_manager --unit DEMO-EDU-S1
    """
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from ..conn import resolve_dsn

    with obj.connect() as conn:
        if unit is None:
            unit = conn.execute("select code from dossier.org_unit where parent_id is null "
                                "order by id limit 1").fetchone()
            if not unit:
                raise click.ClickException("no organisation units: load the demo first (dossier up --demo)")
            unit = unit[0]
        if role == "employee_self" and subject is None:
            row = conn.execute(
                "select s.id from dossier.subject s join dossier.org_unit u on u.org_id = s.org_id "
                "where u.code = %s order by s.id limit 1", (unit,)).fetchone()
            if row is None:
                raise click.ClickException(f"no data subject in the organisation of unit {unit}: pass --subject ID")
            subject = row[0]
        login = access.open_trial_login(conn, role, unit, subject)
    params = conninfo_to_dict(resolve_dsn(obj.dsn))
    params.pop("password", None)
    params.pop("passfile", None)
    params["user"] = login
    psql = shutil.which("psql") or str(pg_bindir() / "psql")
    click.echo(f"connected as {login} ({role} for {unit}); \\q to leave", err=True)

    def hang_up(signum, _frame):
        raise SystemExit(128 + signum)

    old = {s: signal.signal(s, hang_up) for s in (signal.SIGHUP, signal.SIGTERM)}
    # Ctrl-C belongs to psql (it cancels the query there); a handler, not SIG_IGN, so psql
    # gets the default disposition back at exec
    old[signal.SIGINT] = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        subprocess.run([psql, "-X", make_conninfo(**params)], env={**os.environ, "PGAPPNAME": "dossier psql"})
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        with obj.connect(autocommit=True) as conn:
            access.close_trial_login(conn, login)
