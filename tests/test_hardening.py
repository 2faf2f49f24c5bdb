"""Locks no application login can hold (issue 14.3, 18.3), throw-away logins that cannot outlive
their shell (14.5), resource limits and the watchdog (19.4), no large objects (19.5). Each
attack runs as the application role the issue names."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from .conftest import run_cli

SCHOOL = "DEMO-EDU-S1"
ORG = "DEMO-EDU"


def drift_kinds(cluster, db) -> tuple[int, set[tuple[str, str]]]:
    p = run_cli("policy", "check", "--format", "json", dsn=cluster.dsn(db))
    return p.returncode, {(r["kind"], r["object"]) for r in json.loads(p.stdout or "[]")}


# -- 14.3 / 18.3: the product's locks -----------------------------------------------------
def test_application_login_holding_every_lock_key_blocks_nothing(cluster, demo_db, logins):
    admin = logins.admin
    logins.grant("Lock_Lena", "hr_officer", ORG)
    logins.grant("Ins_Ivo", "hr_officer", ORG)
    lena = logins.connect("Lock_Lena")
    # no advisory lock at all for an application login (V1980): not the old product keys, not
    # the one `dossier migrate` serialises on
    from dossier.migrate import LOCK_KEY
    for stmt, args in (("select pg_advisory_lock(849301, %s)", (1,)), ("select pg_advisory_lock_shared(849301, %s)", (2,)),
                       ("select pg_try_advisory_lock(%s)", (LOCK_KEY,)), ("select pg_advisory_lock(%s)", (LOCK_KEY,)),
                       ("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            lena.execute(stmt, args)
    lena.execute("begin")
    for attack in ("lock table privacy.product_lock in access exclusive mode",
                   "select * from privacy.product_lock for update",
                   "select * from privacy.product_lock for share",
                   "select privacy.take_product_lock('grant_unit')"):
        lena.execute("savepoint s")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            lena.execute(attack)
        lena.execute("rollback to savepoint s")
    # ... while Lena keeps her transaction and every advisory key open, the product goes on
    admin.execute("set statement_timeout = '20s'")
    logins.grant("New_Nina", "school_manager", SCHOOL)                       # grants
    admin.execute("select privacy.revoke_access('New_Nina', 'school_manager')")  # revokes
    ivo = logins.connect("Ins_Ivo")
    ivo.execute("set statement_timeout = '20s'")
    record = admin.execute("select r.id from dossier.person_record r join dossier.org_unit u on u.id = r.unit_id "
                           "where r.annex = 'A2' and u.code like 'DEMO-EDU%%' order by r.id limit 1").fetchone()[0]
    ivo.execute("insert into dossier.absence (record_id, first_day, reason_code) values (%s, '2026-03-02', 'leave')",
                (record,))                                                   # inserts
    subject = admin.execute("select subject_id from dossier.person_record where id = %s", (record,)).fetchone()[0]
    admin.execute("insert into privacy.restriction (subject_id) values (%s)", (subject,))  # restriction
    admin.execute("select audit.seal()")                                     # sealing
    p = run_cli("audit", "verify", dsn=cluster.dsn(demo_db))                 # verify
    assert p.returncode == 0, p.stdout + p.stderr
    lena.execute("rollback")


def test_product_lock_wait_is_bounded_with_a_clear_error(cluster, demo_db, logins):
    """A product transaction holding a lock (here the superuser's) makes another wait 30 s at
    most, then fail naming the lock."""
    holder = psycopg.connect(cluster.dsn(demo_db))
    try:
        holder.execute("select privacy.take_product_lock('audit_seal')")
        started = time.monotonic()
        with pytest.raises(psycopg.errors.LockNotAvailable, match="dossier lock audit_seal is busy"):
            logins.admin.execute("select audit.seal()")
        assert 25 < time.monotonic() - started < 45
    finally:
        holder.close()
    with pytest.raises(psycopg.errors.UndefinedObject):
        logins.admin.execute("select privacy.take_product_lock('no_such_lock')")


# -- 14.5: throw-away logins -------------------------------------------------------------
def start_psql_as(cluster, db: str, role: str = "school_manager") -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DOSSIER_"))}
    env["DOSSIER_DSN"] = cluster.dsn(db)
    exe = Path(sys.executable).parent / "dossier"
    return subprocess.Popen([str(exe), "psql", "--as", role, "--unit", SCHOOL], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def trial_logins(admin) -> list[str]:
    return [r[0] for r in admin.execute(
        "select m.rolname from pg_auth_members am join pg_roles m on m.oid = am.member "
        "where am.roleid = 'dossier_trial'::regrole order by 1").fetchall()]


def wait_for(pred, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out")


def session_of(admin, login: str) -> bool:
    return bool(admin.execute("select 1 from pg_stat_activity where usename = %s", (login,)).fetchone())


def test_psql_as_login_with_a_large_object_and_a_password_goes_away(cluster, demo_db, demo_admin):
    p = start_psql_as(cluster, demo_db)
    login = wait_for(lambda: trial_logins(demo_admin) and session_of(demo_admin, trial_logins(demo_admin)[0])
                     and trial_logins(demo_admin)[0])
    valid = demo_admin.execute("select rolvaliduntil - now() from pg_roles where rolname = %s", (login,)).fetchone()[0]
    assert 0 < valid.total_seconds() <= 3600
    # a large object it owns (made for it: lo_create is refused to it, below) and a password it sets
    oid = demo_admin.execute("select lo_create(0)").fetchone()[0]
    demo_admin.execute(f'alter large object {oid} owner to "{login}"')
    out, err = p.communicate("select lo_create(0);\nalter role current_user password 'Secret-Secret-1';\n"
                             "\\q\n", timeout=60)
    assert "permission denied for function lo_create" in err
    assert p.returncode == 0, err
    assert trial_logins(demo_admin) == []
    assert not demo_admin.execute("select 1 from pg_roles where rolname = %s", (login,)).fetchone()
    assert not demo_admin.execute("select 1 from pg_largeobject_metadata where oid = %s", (oid,)).fetchone()


def test_psql_as_login_never_connects_over_tcp(cluster, demo_db, demo_admin):
    p = start_psql_as(cluster, demo_db)
    try:
        login = wait_for(lambda: trial_logins(demo_admin) and trial_logins(demo_admin)[0])
        wait_for(lambda: session_of(demo_admin, login))
        p.stdin.write("alter role current_user password 'Secret-Secret-1';\n")
        p.stdin.flush()
        wait_for(lambda: demo_admin.execute("select rolpassword is not null from pg_authid where rolname = %s",
                                            (login,)).fetchone()[0])
        with pytest.raises(psycopg.OperationalError, match="pg_hba.conf rejects"):
            psycopg.connect(host="127.0.0.1", port=cluster.port, dbname=demo_db, user=login,
                            password="Secret-Secret-1", sslmode="disable")
        with pytest.raises(psycopg.Error, match="dossier psql --as"):
            demo_admin.execute("select privacy.set_password(%s, 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5')", (login,))
    finally:
        p.communicate("\\q\n", timeout=60)
    assert trial_logins(demo_admin) == []


def test_psql_as_login_goes_away_on_sighup(cluster, demo_db, demo_admin):
    p = start_psql_as(cluster, demo_db)
    login = wait_for(lambda: trial_logins(demo_admin) and trial_logins(demo_admin)[0])
    wait_for(lambda: session_of(demo_admin, login))
    p.send_signal(signal.SIGHUP)
    p.communicate(timeout=60)
    assert trial_logins(demo_admin) == []
    assert run_cli("policy", "check", dsn=cluster.dsn(demo_db)).returncode == 0


@pytest.fixture
def no_tidy_job(cluster):
    """The pg_cron job that tidies trial logins (cluster-wide roles) paused, so that the test's own
    call is the one that tidies: the job would otherwise race it, once a minute."""
    with psycopg.connect(cluster.dsn("dossier"), autocommit=True) as conn:
        has_job = conn.execute("select to_regnamespace('cron') is not null").fetchone()[0] and conn.execute(
            "select count(*) from cron.job where jobname = 'dossier-tidy-trial-logins'").fetchone()[0]
        if has_job:
            conn.execute("update cron.job set active = false where jobname = 'dossier-tidy-trial-logins'")
        try:
            yield
        finally:
            if has_job:
                conn.execute("update cron.job set active = true where jobname = 'dossier-tidy-trial-logins'")


def test_psql_as_login_after_sigkill_is_reported_then_tidied(cluster, demo_db, demo_admin, no_tidy_job):
    p = start_psql_as(cluster, demo_db)
    login = wait_for(lambda: trial_logins(demo_admin) and trial_logins(demo_admin)[0])
    wait_for(lambda: session_of(demo_admin, login))
    p.kill()                                  # no clean-up runs: psql lives on, orphaned
    p.wait(timeout=30)
    p.stdin.close()                           # then psql goes too
    wait_for(lambda: not session_of(demo_admin, login))
    assert trial_logins(demo_admin) == [login]
    assert demo_admin.execute("select privacy.tidy_trial_logins()").fetchone()[0] == 0  # opened just now
    # time passes: its validity ends (60 minutes)
    demo_admin.execute(f"alter role \"{login}\" valid until '2000-01-01'")
    rc, found = drift_kinds(cluster, demo_db)
    assert rc == 1 and ("trial login", login) in found
    assert demo_admin.execute("select privacy.tidy_trial_logins()").fetchone()[0] == 1
    assert trial_logins(demo_admin) == []
    assert run_cli("policy", "check", dsn=cluster.dsn(demo_db)).returncode == 0


# -- 19.4: resource limits and the watchdog ------------------------------------------------
def set_limits(admin, **limits: str) -> None:
    for key, value in limits.items():
        admin.execute("update privacy.setting set value = %s where key = %s", (value, key))


def test_temp_file_limit_is_enforced_and_not_settable(logins):
    admin = logins.admin
    set_limits(admin, login_temp_file_limit="1MB")
    logins.grant("Big_Sort", "finance_advisor", ORG)
    me = logins.connect("Big_Sort")
    assert me.execute("show temp_file_limit").fetchone()[0] == "1MB"
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        me.execute("set temp_file_limit = -1")
    me.execute("set work_mem = '64kB'")
    with pytest.raises(psycopg.errors.ConfigurationLimitExceeded, match="temp_file_limit"):
        me.execute("select count(*) from (select g from generate_series(1, 500000) g order by g desc) x")


def test_watchdog_ends_an_access_exclusive_lock_holder(logins):
    admin = logins.admin
    logins.grant("Hog_Hanna", "hr_officer", ORG)
    logins.grant("Read_Rik", "hr_advisor", ORG)
    hog = logins.connect("Hog_Hanna")
    hog.execute("begin")
    hog.execute("lock table dossier.person_record in access exclusive mode")
    reader = logins.connect("Read_Rik")
    result: dict = {}

    def read():
        result["n"] = reader.execute("select count(*) from dossier.person_record").fetchone()[0]

    t = threading.Thread(target=read)
    t.start()
    time.sleep(1.5)
    assert t.is_alive()                                     # blocked behind the lock
    set_limits(admin, watchdog_lock_wait_limit="1 second")
    done = admin.execute("select pid, login, action from privacy.watchdog()").fetchall()
    assert [(r[1], r[2]) for r in done] == [("Hog_Hanna", "terminate")]
    t.join(timeout=20)
    assert result.get("n", 0) > 0
    with pytest.raises(psycopg.OperationalError):
        hog.execute("select 1")


def test_watchdog_ends_idle_transactions_and_cancels_long_statements(logins):
    admin = logins.admin
    logins.grant("Idle_Ida", "hr_advisor", ORG)
    logins.grant("Slow_Sem", "hr_advisor", ORG)
    idle = logins.connect("Idle_Ida")
    idle.execute("begin")
    idle.execute("select count(*) from dossier.person_record")
    slow = logins.connect("Slow_Sem")
    slow.execute("set statement_timeout = 0")                # its own setting does not help it
    errors: list = []

    def sleep():
        try:
            slow.execute("select pg_sleep(60)")
        except psycopg.Error as e:
            errors.append(e)

    t = threading.Thread(target=sleep)
    t.start()
    time.sleep(2)
    set_limits(admin, watchdog_idle_in_transaction_limit="1 second", watchdog_statement_limit="1 second")
    done = {(r[0], r[1]) for r in admin.execute("select login, action from privacy.watchdog()").fetchall()}
    assert done == {("Idle_Ida", "terminate"), ("Slow_Sem", "cancel")}
    t.join(timeout=20)
    assert errors and isinstance(errors[0], psycopg.errors.QueryCanceled)
    with pytest.raises(psycopg.OperationalError):
        idle.execute("select 1")
    slow.execute("select 1")                                 # cancelled, not ended


def test_watchdog_leaves_the_products_own_sessions_alone(cluster, demo_db, logins):
    admin = logins.admin
    set_limits(admin, watchdog_idle_in_transaction_limit="1 second", watchdog_statement_limit="1 second")
    owner = psycopg.connect(cluster.dsn(demo_db))
    try:
        owner.execute("select 1")                           # a superuser idle in a transaction
        time.sleep(1.5)
        assert admin.execute("select count(*) from privacy.watchdog()").fetchone()[0] == 0
    finally:
        owner.close()


def test_embedded_cluster_checks_for_vanished_clients(logins):
    admin = logins.admin
    assert admin.execute("show client_connection_check_interval").fetchone()[0] == "10s"


# -- 19.5: large objects -----------------------------------------------------------------
@pytest.mark.parametrize("role, unit", [("school_manager", SCHOOL), ("finance_advisor", ORG)])
def test_application_roles_create_and_read_no_large_objects(cluster, demo_db, logins, role, unit):
    admin = logins.admin
    oid = admin.execute("select lo_from_bytea(0, 'staff list')").fetchone()[0]
    admin.execute(f"grant select on large object {oid} to public")
    login = logins.grant(f"Lo_{role}", role, unit)
    me = logins.connect(login)
    for attack in ("select lo_from_bytea(0, 'names, birth dates')", "select lo_create(0)", "select lo_creat(-1)",
                   f"select lo_get({oid})", f"select lo_open({oid}, 262144)", "select lo_import('/etc/passwd')"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            me.execute(attack)
    rc, found = drift_kinds(cluster, demo_db)
    assert rc == 1 and ("large object", str(oid)) in found
    admin.execute(f"select lo_unlink({oid})")
    assert drift_kinds(cluster, demo_db)[0] == 0
