"""Data-subject requests (004 art. 13), issue 6: deadlines with suspension, overdue exit status,
the access export (everything of the subject, nothing of anyone else), restriction hiding records
from the roles that do not handle requests, and erasure reporting what it kept and why."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import psycopg
import pytest

from .conftest import org_today, run_cli

SCHOOL = "DEMO-EDU-S1"
D = dt.timedelta
TODAY = org_today()


def a2_subject(admin, school: str = SCHOOL, legitimate_interest: bool = False) -> int:
    """A subject with an A2 record in the school and records in other annexes too; with
    legitimate_interest its A2 record rests on art. 7f, so an objection may concern it (13.6)."""
    subject = admin.execute(
        """select r.subject_id from dossier.person_record r join dossier.org_unit u on u.id = r.unit_id
            where r.annex = 'A2' and u.code like %s
              and exists (select from dossier.person_record o where o.subject_id = r.subject_id and o.annex <> 'A2')
            order by r.subject_id limit 1""", (school + "%",)).fetchone()[0]
    if legitimate_interest:
        admin.execute("update dossier.person_record set legal_basis = 'legitimate_interest' "
                      "where subject_id = %s and annex = 'A2'", (subject,))
    return subject


def req(demo_dsn, *args) -> dict:
    p = run_cli("request", *args, "--format", "json", dsn=demo_dsn)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def overdue(demo_dsn, as_of: dt.date) -> tuple[int, list[int]]:
    p = run_cli("request", "list", "--overdue", "--as-of", str(as_of), "--format", "json", dsn=demo_dsn)
    return p.returncode, [r["id"] for r in json.loads(p.stdout)]


def test_deadline_four_weeks_and_overdue_exit_status(demo_dsn, logins):
    subject = a2_subject(logins.admin)
    received = TODAY - D(days=20)
    r = req(demo_dsn, "open", "--type", "access", "--subject", str(subject), "--received", str(received))
    assert r["deadline"] == str(received + D(weeks=4)) and r["status"] == "open"
    assert overdue(demo_dsn, received + D(weeks=4)) == (0, [])
    assert overdue(demo_dsn, received + D(weeks=4, days=1)) == (1, [r["id"]])
    closed = req(demo_dsn, "close", str(r["id"]), "--decision", "granted", "--reason", "inzage gegeven")
    assert (closed["status"], closed["decision"], closed["decision_reason"], closed["overdue"], closed["closed_on"]) == (
        "closed", "granted", "inzage gegeven", False, str(TODAY))
    assert overdue(demo_dsn, received + D(weeks=8)) == (0, [])
    p = run_cli("request", "close", str(r["id"]), "--decision", "refused", "--reason", "x", dsn=demo_dsn)
    assert p.returncode == 1 and "was closed on" in p.stderr
    p = run_cli("request", "open", "--type", "access", "--subject", str(subject), "--received",
                str(TODAY + D(days=1)), dsn=demo_dsn)
    assert p.returncode == 2 and "in the future" in p.stderr, "a future receipt would postpone the deadline"


def test_rectification_records_the_correction_and_its_recipients(demo_dsn, logins):
    """Art. 13.4/13.5, AVG art. 19: a granted rectification says what was corrected and to whom it
    was passed on; without them it is refused."""
    subject = a2_subject(logins.admin)
    r = req(demo_dsn, "open", "--type", "rectification", "--subject", str(subject))
    p = run_cli("request", "close", str(r["id"]), "--decision", "granted", "--reason", "adres onjuist", dsn=demo_dsn)
    assert p.returncode == 1 and "correction carried out and to whom it was passed on" in p.stderr
    req(demo_dsn, "close", str(r["id"]), "--decision", "granted", "--reason", "adres onjuist",
        "--correction", "straatnaam verbeterd in A2 en A3", "--passed-on", "salarisadministratie",
        "--passed-on", "pensioenfonds")
    assert logins.admin.execute("select correction, passed_on_to from privacy.subject_request where id = %s",
                                (r["id"],)).fetchone() == ("straatnaam verbeterd in A2 en A3",
                                                           ["salarisadministratie", "pensioenfonds"])


def test_suspension_while_identity_is_verified(demo_dsn, logins):
    subject = a2_subject(logins.admin)
    received = TODAY - D(days=10)
    r = req(demo_dsn, "open", "--type", "access", "--subject", str(subject), "--received", str(received), "--unverified")
    later = received + D(weeks=10)
    shown = req(demo_dsn, "show", str(r["id"]), "--as-of", str(later))
    assert (shown["status"], shown["overdue"]) == ("suspended", False), "the term stands still (art. 13.2)"
    assert overdue(demo_dsn, later) == (0, [])
    run_cli("request", "verify", str(r["id"]), dsn=demo_dsn, check=True)   # the proof arrived today
    deadline = received + D(weeks=4, days=10)
    assert req(demo_dsn, "show", str(r["id"]), "--as-of", str(later))["deadline"] == str(deadline)
    assert overdue(demo_dsn, deadline) == (0, [])
    assert overdue(demo_dsn, deadline + D(days=1)) == (1, [r["id"]])
    p = run_cli("request", "verify", str(r["id"]), dsn=demo_dsn)
    assert p.returncode == 1 and "not waiting for identity verification" in p.stderr


def test_export_has_every_record_of_the_subject_and_nothing_of_anyone_else(demo_dsn, logins, tmp_path):
    admin = logins.admin
    subject = a2_subject(admin)
    r = req(demo_dsn, "open", "--type", "access", "--subject", str(subject))
    p = run_cli("request", "export", str(r["id"]), "--format", "json", dsn=demo_dsn, check=True)
    doc = json.loads(p.stdout)
    # what the database holds about the subject: every record and every detail row
    expected = set(admin.execute("select 'person_record', id from dossier.person_record where subject_id = %s",
                                 (subject,)).fetchall())
    for (t,) in admin.execute("select table_name from privacy.personal_table where table_name <> 'person_record'"):
        expected |= {(t, i) for (i,) in admin.execute(f"select id from dossier.{t} where subject_id = %s", (subject,))}
    got, subjects = set(), set()
    for proc in doc["processing"]:
        for rec in proc["records"]:
            got.add(("person_record", rec["id"]))
            subjects.add(rec["subject_id"])
            for t, rows in rec["details"].items():
                for row in rows:
                    got.add((t, row["id"]))
                    subjects.add(row["subject_id"])
    assert got == expected and len(expected) > 3
    assert subjects == {subject}, "nothing about anyone else"
    # everything art. 13 lists, per processing activity
    assert doc["controller"] and all(c["controller"] for c in doc["controller"])
    for proc in doc["processing"]:
        assert proc["purposes"] and proc["categories"] and proc["recipients"] is not None
        assert proc["origin"]["register_nl"] and proc["origin"]["records"]
    # no other subject's surname appears anywhere in the document
    others = {s for (s,) in admin.execute("select distinct surname from dossier.person_record where subject_id <> %s",
                                          (subject,))}
    mine = {s for (s,) in admin.execute("select surname from dossier.person_record where subject_id = %s", (subject,))}
    text = p.stdout
    assert not {s for s in others - mine if f'"{s}"' in text}
    # the printable Dutch letter
    out = tmp_path / "inzage.html"
    run_cli("request", "export", str(r["id"]), "--format", "html", "-o", str(out), dsn=demo_dsn, check=True)
    letter = out.read_text(encoding="utf-8")
    assert "Geachte heer, mevrouw" in letter and "Doelen" in letter and "Ontvangers" in letter
    assert all(s in letter for s in mine)


def test_restriction_hides_the_records_from_school_manager_until_lifted(demo_dsn, logins):
    admin = logins.admin
    subject = a2_subject(admin, legitimate_interest=True)
    logins.grant("sm_restrict", "school_manager", SCHOOL)
    logins.grant("hr_restrict", "hr_officer", "DEMO-EDU")
    sm, hr = logins.connect("sm_restrict"), logins.connect("hr_restrict")

    def seen(conn) -> tuple:
        return conn.execute(
            """select (select count(*) from dossier.person_record where subject_id = %(s)s),
                      (select count(*) from dossier.employment where subject_id = %(s)s),
                      (select count(*) from reporting.staff_school r join dossier.person_record p on p.id = r.record_id
                        where p.subject_id = %(s)s)""" if conn is sm else
            """select (select count(*) from dossier.person_record where subject_id = %(s)s),
                      (select count(*) from dossier.employment where subject_id = %(s)s), 0""",
            {"s": subject}).fetchone()

    before_sm, before_hr = seen(sm), seen(hr)
    assert before_sm[0] >= 1 and before_sm[1] >= 1 and before_sm[2] >= 1
    r = req(demo_dsn, "open", "--type", "objection", "--subject", str(subject), "--annex", "A2")
    assert seen(sm) == (0, 0, 0), "restricted records drop out of the school manager's view"
    assert seen(hr) == before_hr, "the HR roles handling the request still see them"
    # nor can the school manager reach them another way
    assert sm.execute("select count(*) from dossier.person_record where subject_id = %s and annex = 'A2'",
                      (subject,)).fetchone()[0] == 0
    req(demo_dsn, "close", str(r["id"]), "--decision", "refused", "--reason", "geen bijzondere omstandigheden")
    assert seen(sm) == before_sm, "a refused objection lifts the restriction"
    # a granted restriction stays until lifted explicitly
    r = req(demo_dsn, "open", "--type", "restriction", "--subject", str(subject))
    req(demo_dsn, "close", str(r["id"]), "--decision", "granted", "--reason", "juistheid betwist")
    assert seen(sm) == (0, 0, 0)
    run_cli("request", "lift", str(r["id"]), "--reason", "juistheid vastgesteld", dsn=demo_dsn, check=True)
    assert seen(sm) == before_sm


def test_rows_added_for_a_restricted_subject_stay_hidden_and_no_role_writes_the_flag(demo_dsn, logins):
    """The policies test a `restricted` flag on every row (V1450): rows inserted while a
    restriction is in force are flagged too, and nobody can clear or set the flag by hand."""
    admin = logins.admin
    subject = a2_subject(admin, legitimate_interest=True)
    logins.grant("sm_flag", "school_manager", SCHOOL)
    logins.grant("hr_flag", "hr_officer", "DEMO-EDU")
    sm, hr = logins.connect("sm_flag"), logins.connect("hr_flag")
    record = admin.execute("select id from dossier.person_record where subject_id = %s and annex = 'A2'",
                           (subject,)).fetchone()[0]
    r = req(demo_dsn, "open", "--type", "objection", "--subject", str(subject), "--annex", "A2")
    # the HR officer handles the request and keeps working on the dossier
    new_job = hr.execute("insert into dossier.employment (record_id, position, started_on) "
                         "values (%s, 'Conciërge', date '2026-09-01') returning id", (record,)).fetchone()[0]
    assert admin.execute("select restricted from dossier.employment where id = %s", (new_job,)).fetchone()[0]
    assert sm.execute("select count(*) from dossier.employment where subject_id = %s",
                      (subject,)).fetchone()[0] == 0, "a row added during the restriction is hidden too"
    # the flag is nobody's to write: not the handler's, not the school manager's
    for conn, stmt in ((hr, "update dossier.person_record set restricted = false where subject_id = %s"),
                       (hr, "update dossier.employment set restricted = false where subject_id = %s"),
                       (sm, "update dossier.employment set restricted = false where subject_id = %s")):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(stmt, (subject,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        hr.execute("insert into dossier.employment (record_id, position, started_on, restricted) "
                   "values (%s, 'Conciërge', date '2026-09-01', false)", (record,))
    # nor to read: which subjects are restricted is not for the roles it hides them from
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sm.execute("select count(*) from dossier.person_record where restricted")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sm.execute("select privacy.sync_restricted()")
    # other annexes of the subject are not restricted by an A2 objection
    assert admin.execute("select bool_or(restricted) from dossier.person_record where subject_id = %s "
                         "and annex <> 'A2'", (subject,)).fetchone()[0] is False
    req(demo_dsn, "close", str(r["id"]), "--decision", "refused", "--reason", "geen bijzondere omstandigheden")
    assert sm.execute("select count(*) from dossier.employment where id = %s", (new_job,)).fetchone()[0] == 1
    assert admin.execute("select count(*) from dossier.person_record where subject_id = %s and restricted",
                         (subject,)).fetchone()[0] == 0


def test_a_restriction_placed_during_an_insert_still_flags_its_rows(demo_dsn, logins):
    """The insert checked for restrictions before the restriction existed; the restriction waits
    for the inserting transaction to commit, then flags its rows too."""
    admin = logins.admin
    subject = a2_subject(admin)
    record = admin.execute("select id from dossier.person_record where subject_id = %s and annex = 'A2'",
                           (subject,)).fetchone()[0]
    logins.grant("hr_race", "hr_officer", "DEMO-EDU")
    hr = logins.connect("hr_race")
    hr.autocommit = False
    job = hr.execute("insert into dossier.employment (record_id, position, started_on) "
                     "values (%s, 'Conciërge', date '2026-09-01') returning id", (record,)).fetchone()[0]
    errors: list[BaseException] = []

    def place() -> None:
        try:
            with psycopg.connect(demo_dsn, autocommit=True, application_name="place_restriction") as c:
                c.execute("insert into privacy.restriction (subject_id, annex) values (%s, 'A2')", (subject,))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    placer = threading.Thread(target=place)
    placer.start()
    for _ in range(200):  # until the restriction waits on the open insert (at most 20 s)
        waiting = admin.execute("select count(*) from pg_stat_activity where application_name = 'place_restriction' "
                                "and wait_event_type = 'Lock' and wait_event = 'transactionid'").fetchone()[0]
        if waiting:
            break
        time.sleep(0.1)
    assert waiting == 1, "placing the restriction waits for the transaction inserting rows of the subject"
    hr.commit()
    placer.join(30)
    assert not placer.is_alive() and not errors, errors
    assert admin.execute("select restricted from dossier.employment where id = %s", (job,)).fetchone()[0]


def test_erasure_deletes_what_no_duty_keeps_and_says_why(demo_dsn, logins):
    admin = logins.admin
    subject = admin.execute("insert into dossier.subject (org_id) select id from dossier.org_unit "
                            "where code = 'DEMO-EDU' returning id").fetchone()[0]
    ids = {}
    for annex in ("A1", "A2"):
        ids[annex] = admin.execute(
            """insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname)
               select %s, %s, o.id, o.id, (select min(basis) from privacy.processing_basis where activity = %s),
                      'test', 'Wisser' from dossier.org_unit o where o.code = 'DEMO-EDU' returning id""",
            (annex, subject, annex)).fetchone()[0]
    # the employment runs: the contract keeps the personnel record (AVG art. 17 lid 1a, 6.1b)
    admin.execute("insert into dossier.employment (record_id, position, started_on) values (%s, 'docent', '2020-08-01')",
                  (ids["A2"],))
    r = req(demo_dsn, "open", "--type", "erasure", "--subject", str(subject))
    p = run_cli("request", "close", str(r["id"]), "--decision", "partly_granted", "--reason",
                "sollicitatiegegevens verwijderd; het personeelsdossier dient de lopende arbeidsovereenkomst",
                "--format", "json", dsn=demo_dsn, check=True)
    outcome = admin.execute("select outcome from privacy.subject_request where id = %s", (r["id"],)).fetchone()[0]
    assert [(o["annex"], o["part"], o["deleted"], o["kept"]) for o in outcome] == [
        ("A1", "record", 1, 0), ("A2", "record", 0, 1), ("A2", "employment", 0, 1)]
    assert "lopende arbeidsovereenkomst" in outcome[1]["why_kept"]
    assert "A2" in p.stdout
    remaining = {a for (a,) in admin.execute("select annex from dossier.person_record where subject_id = %s", (subject,))}
    assert remaining == {"A2"}
    assert admin.execute("select count(*) from audit.change where record_id = %s and payload is not null",
                         (ids["A1"],)).fetchone()[0] == 0
    # a legal hold keeps even what could go on request
    hold_subject = admin.execute("insert into dossier.subject (org_id) select id from dossier.org_unit "
                                 "where code = 'DEMO-EDU' returning id").fetchone()[0]
    admin.execute("""insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname)
                     select 'A1', %s, o.id, o.id, 'consent', 'test', 'Houder' from dossier.org_unit o
                      where o.code = 'DEMO-EDU'""", (hold_subject,))
    admin.execute("insert into privacy.legal_hold (subject_id, reason) "
                  "values (%s, 'klacht bij College voor de Rechten van de Mens')", (hold_subject,))
    r = req(demo_dsn, "open", "--type", "erasure", "--subject", str(hold_subject))
    req(demo_dsn, "close", str(r["id"]), "--decision", "partly_granted", "--reason", "bewaarplicht")
    outcome = admin.execute("select outcome from privacy.subject_request where id = %s", (r["id"],)).fetchone()[0]
    assert outcome == [{"annex": "A1", "part": "record", "deleted": 0, "kept": 1,
                        "why_kept": "wettelijke bewaarplicht (legal hold): klacht bij College voor de Rechten van de Mens"}]


def test_privacy_officer_keeps_requests_but_reads_no_personal_data(demo_dsn, logins):
    logins.grant("fg_requests", "privacy_officer", "DEMO-EDU")
    fg = logins.connect("fg_requests")
    subject = a2_subject(logins.admin)
    rid = fg.execute("select privacy.open_request(%s, 'access', null, null, true, null)", (subject,)).fetchone()[0]
    assert fg.execute("select status from privacy.request_state(privacy.scope_day()) where id = %s",
                      (rid,)).fetchone() == ("open",)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        fg.execute("select surname from dossier.person_record")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        fg.execute("select privacy.subject_export(%s)", (subject,))


def lop_subject(admin) -> int:
    return admin.execute("select r.subject_id from dossier.person_record r join dossier.org_unit o on o.id = r.org_id "
                         "where o.code = 'DEMO-LOP' order by r.subject_id limit 1").fetchone()[0]


def test_privacy_officer_cannot_write_the_request_registers_directly(demo_dsn, logins):
    """Issue 19.2, 14.6, as a privacy officer of DEMO-EDU (mallory): every direct write of the
    landed code (a request moved to another subject, a kind changed to erasure, forged opened_by
    / closed_by / placed_by / lifted_by, an invented outcome, a backdated suspension, mass
    restrictions) is refused; only the functions write, with the session's login and date."""
    admin = logins.admin
    logins.grant("mallory_fg", "privacy_officer", "DEMO-EDU")
    fg = logins.connect("mallory_fg")
    subject, other = a2_subject(admin), a2_subject(admin, school="DEMO-EDU-S2")
    rid = fg.execute("select privacy.open_request(%s, 'access', null, null, true, null)", (subject,)).fetchone()[0]
    assert admin.execute("select opened_by from privacy.subject_request where id = %s", (rid,)).fetchone()[0] == "mallory_fg"
    attacks = [
        ("update privacy.subject_request set subject_id = %s where id = %s", (other, rid)),
        ("update privacy.subject_request set kind = 'erasure' where id = %s", (rid,)),
        ("update privacy.subject_request set opened_by = 'someone_else' where id = %s", (rid,)),
        ("update privacy.subject_request set decision = 'granted', decision_reason = 'x', closed_on = privacy.scope_day(), "
         "closed_by = 'someone_else', outcome = '[]' where id = %s", (rid,)),
        ("insert into privacy.subject_request (subject_id, kind, opened_by) values (%s, 'erasure', 'someone_else')", (other,)),
        ("insert into privacy.request_suspension (request_id, from_date, reason) "
         "values (%s, privacy.scope_day() - 60, 'x')", (rid,)),
        ("update privacy.request_suspension set from_date = privacy.scope_day() - 60 where request_id = %s", (rid,)),
        ("insert into privacy.restriction (subject_id, placed_by) select subject_id, 'someone_else' "
         "from privacy.subject_request where id = %s", (rid,)),
        ("update privacy.restriction set lifted_at = now(), lifted_by = 'someone_else', lift_reason = 'x' "
         "where lifted_at is null and %s::bigint is not null", (rid,)),
        ("delete from privacy.subject_request where id = %s", (rid,)),
    ]
    for stmt, args in attacks:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            fg.execute(stmt, args)
    # the helpers that act in the dossier are not the officer's to call
    for stmt in ("select privacy.erase_subject(%s, privacy.scope_day(), null)", "select privacy.assert_request_scope(%s)",
                 "select privacy.lift_restrictions_of(%s, 'x')", "select privacy.request_for_update(%s)"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            fg.execute(stmt, (rid,))
    # another organisation's subject: not to open, restrict or close for
    lop = lop_subject(admin)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not of an organisation you handle"):
        fg.execute("select privacy.open_request(%s, 'restriction', null, null, true, null)", (lop,))
    lop_rid = admin.execute("select privacy.open_request(%s, 'erasure', null, null, true, null)", (lop,)).fetchone()[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        fg.execute("select privacy.close_request(%s, 'granted', 'x')", (lop_rid,))
    assert admin.execute("select closed_on from privacy.subject_request where id = %s", (lop_rid,)).fetchone()[0] is None
    # a restriction placed and lifted through the functions carries the officer's name, today
    res = fg.execute("select privacy.open_request(%s, 'restriction', null, null, true, null)", (subject,)).fetchone()[0]
    fg.execute("select privacy.lift_restriction(%s, 'ingetrokken')", (res,))
    assert admin.execute("select placed_by, lifted_by, (lifted_at at time zone 'Europe/Amsterdam')::date "
                         "= privacy.scope_day() from privacy.restriction "
                         "where request_id = %s", (res,)).fetchone() == ("mallory_fg", "mallory_fg", True)
    # closing takes who and when from the session; an access request erases nothing
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        fg.execute("select privacy.close_request(%s, 'granted', 'x', array['A2'])", (rid,))
    fg.execute("select privacy.close_request(%s, 'granted', 'inzage gegeven')", (rid,))
    assert admin.execute("select closed_by, closed_on = privacy.scope_day(), outcome from privacy.subject_request where id = %s",
                         (rid,)).fetchone() == ("mallory_fg", True, None)
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
        fg.execute("select privacy.close_request(%s, 'refused', 'toch niet')", (rid,))
    # the routine export still belongs to the request's own subject (the request cannot be moved)
    assert admin.execute("select subject_id from privacy.subject_request where id = %s", (rid,)).fetchone()[0] == subject
