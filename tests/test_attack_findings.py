"""What the second independent attack found (issues 14.3, 15, 19.2, 19.4), each tried again as
the attacking login: an unwitnessed seal, a product lock held by an idle writer, a request
backdated by the session's time zone, another organisation's subjects probed, a password a login
gave itself."""

from __future__ import annotations

import time

import psycopg
import pytest

from .conftest import run_cli
from .test_access import ORG
from .test_hardening import set_limits


def test_a_privacy_officer_cannot_seal_but_verifies(cluster, demo_db, logins):
    """Its seals were not witnessed in the server log, so deleting one went unseen (F1)."""
    logins.grant("Seal_Pia", "privacy_officer", ORG)
    pia = logins.connect("Seal_Pia")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        pia.execute("select audit.seal()")
    p = run_cli("audit", "verify", dsn=cluster.dsn(demo_db))   # the superuser's seals are witnessed
    assert p.returncode == 0, p.stderr


def test_the_watchdog_ends_an_idle_writing_transaction(logins):
    """A write left open holds the product's locks (a restriction waits for it): it goes after
    watchdog_idle_writer_limit, not after the five minutes of an idle reader (F2)."""
    admin = logins.admin
    logins.grant("Idle_Writer", "hr_officer", ORG)
    logins.grant("Idle_Reader", "hr_advisor", ORG)
    writer = logins.connect("Idle_Writer")
    writer.execute("begin")
    writer.execute("update dossier.person_record set surname = surname where id = "
                   "(select min(id) from dossier.person_record where annex = 'A2')")
    reader = logins.connect("Idle_Reader")
    reader.execute("begin")
    reader.execute("select count(*) from dossier.person_record")
    time.sleep(1.5)
    set_limits(admin, watchdog_idle_writer_limit="1 second")
    done = {(r[0], r[1]) for r in admin.execute("select login, action from privacy.watchdog()").fetchall()}
    assert done == {("Idle_Writer", "terminate")}
    with pytest.raises(psycopg.OperationalError):
        writer.execute("select 1")
    reader.execute("select 1")


@pytest.mark.parametrize("zone", ["Etc/GMT+12", "Pacific/Kiritimati"])
def test_request_dates_are_the_organisations_day_whatever_the_session_zone(logins, zone):
    """A privacy officer in a far western zone closed a request "yesterday" (F3)."""
    admin = logins.admin
    logins.grant("Zone_Pia", "privacy_officer", ORG)
    pia = logins.connect("Zone_Pia")
    pia.execute(psycopg.sql.SQL("set timezone = {}").format(psycopg.sql.Literal(zone)))
    subject = admin.execute("select r.subject_id from dossier.person_record r join dossier.org_unit o "
                            "on o.id = r.org_id where o.code = %s and r.annex = 'A2' order by r.id limit 1",
                            (ORG,)).fetchone()[0]
    rid = pia.execute("select privacy.open_request(%s, 'access', null, null, true, null)", (subject,)).fetchone()[0]
    pia.execute("select privacy.close_request(%s, 'granted', 'ok')", (rid,))
    day = admin.execute("select privacy.scope_day()").fetchone()[0]
    got = admin.execute("select received_on, closed_on from privacy.subject_request where id = %s", (rid,)).fetchone()
    assert got == (day, day)


def test_an_officer_cannot_tell_another_organisations_subjects_from_missing_ones(logins):
    """The organisation is checked before the subject's records (F4)."""
    admin = logins.admin
    logins.grant("Probe_Pia", "privacy_officer", ORG)
    pia = logins.connect("Probe_Pia")
    theirs = admin.execute("select r.subject_id from dossier.person_record r join dossier.org_unit o "
                           "on o.id = r.org_id where o.code = 'DEMO-LOP' order by r.id limit 1").fetchone()[0]
    answers = set()
    for subject, annex in ((theirs, None), (theirs, "A6"), (987654321, None)):
        with pytest.raises(psycopg.Error) as e:
            pia.execute("select privacy.open_request(%s, 'access', %s, null, true, null)", (subject, annex))
        answers.add((type(e.value).__name__, e.value.diag.message_primary.replace(str(subject), "N")))
    assert len(answers) == 1, answers


def test_policy_check_reports_a_password_a_login_gave_itself(cluster, demo_db, logins):
    """PostgreSQL lets every role set its own password; dossier records the ones it set (F5)."""
    logins.grant("Self_Pw", "school_manager", "DEMO-EDU-S1")
    me = logins.connect("Self_Pw")
    assert run_cli("policy", "check", dsn=cluster.dsn(demo_db)).returncode == 0
    me.execute("alter role current_user password 'chosen-by-me'")
    p = run_cli("policy", "check", "--format", "json", dsn=cluster.dsn(demo_db))
    assert p.returncode == 1 and "Self_Pw" in p.stdout and "password" in p.stdout


def test_a_second_absence_registrar_for_a_school_is_said_and_reported(cluster, demo_db, logins):
    """Bijlage 7: "per school 1 medewerker" registers absence (issue 16 item 5)."""
    dsn = cluster.dsn(demo_db)
    first = run_cli("grant", "Reg_One", "absence_registrar", "--unit", "DEMO-EDU-S1", dsn=dsn, check=True)
    logins.made.append("Reg_One")
    assert "warning" not in first.stderr
    second = run_cli("grant", "Reg_Two", "absence_registrar", "--unit", "DEMO-EDU-S1", dsn=dsn, check=True)
    logins.made.append("Reg_Two")
    assert "more than one absence registrar" in second.stderr
    p = run_cli("policy", "check", "--format", "json", dsn=dsn)
    assert p.returncode == 1 and "Reg_One, Reg_Two" in p.stdout
