"""The regulation read right (issue 16): objection only on art. 7 e/f grounds and a granted one
ends the processing (13.6); erasure keeps only what a duty or the running contract requires and
says so in its letter (13.5, AVG art. 17); complaints with the terms of art. 16."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest

from dossier.importer import FIELDS

from .conftest import org_today, run_cli

TODAY = org_today()
D = dt.timedelta


def staff_subject(admin, school: str = "DEMO-EDU-S1") -> tuple[int, int, int]:
    """A subject with an A2 and an A3 record in the school: (subject, A2 record, A3 record)."""
    return admin.execute(
        """select a2.subject_id, a2.id, a3.id from dossier.person_record a2
             join dossier.person_record a3 on a3.subject_id = a2.subject_id and a3.annex = 'A3'
             join dossier.org_unit u on u.id = a2.unit_id
            where a2.annex = 'A2' and u.code like %s
              and exists (select from dossier.salary s where s.record_id = a3.id)
            order by a2.subject_id limit 1""", (school + "%",)).fetchone()


def req(demo_dsn, *args) -> dict:
    p = run_cli("request", *args, "--format", "json", dsn=demo_dsn)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_objection_concerns_legitimate_interest_records_only_and_a_granted_one_ends_them(demo_dsn, logins, tmp_path):
    admin = logins.admin
    subject, a2, a3 = staff_subject(admin)
    admin.execute("update dossier.person_record set legal_basis = 'legitimate_interest' where id = %s", (a2,))
    # an objection against payroll (contract / legal obligation, art. 7 b, c) is not one art. 13.6 allows
    p = run_cli("request", "open", "--type", "objection", "--subject", str(subject), "--annex", "A3", dsn=demo_dsn)
    assert p.returncode == 1 and "art. 13.6 covers only processing on public task or legitimate interest" in p.stderr
    logins.grant("pay_obj", "payroll_administrator", "DEMO-EDU")
    logins.grant("sm_obj", "school_manager", "DEMO-EDU-S1")
    logins.grant("hr_obj", "hr_officer", "DEMO-EDU")
    pay, sm, hr = logins.connect("pay_obj"), logins.connect("sm_obj"), logins.connect("hr_obj")
    salary_rows = pay.execute("select count(*) from dossier.salary where record_id = %s", (a3,)).fetchone()[0]
    assert salary_rows >= 1
    r = req(demo_dsn, "open", "--type", "objection", "--subject", str(subject))
    # the legitimate-interest record drops out of view; the payroll record and its salary rows stay
    seen = "select array_agg(annex order by annex) from dossier.person_record where subject_id = %s"
    assert "A2" not in (sm.execute(seen, (subject,)).fetchone()[0] or [])
    assert "A2" not in pay.execute(seen, (subject,)).fetchone()[0] and "A3" in pay.execute(seen, (subject,)).fetchone()[0]
    assert pay.execute("select count(*) from dossier.salary where record_id = %s", (a3,)).fetchone()[0] == salary_rows
    # granted: the processing ends at once — the HR officer can no longer change or add to it
    req(demo_dsn, "close", str(r["id"]), "--decision", "granted", "--reason", "bijzondere persoonlijke omstandigheden")
    assert hr.execute("select count(*) from dossier.person_record where id = %s", (a2,)).fetchone()[0] == 1, \
        "the handler still sees it"
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="processing ended by a granted objection"):
        hr.execute("update dossier.person_record set city = 'Elders' where id = %s", (a2,))
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="granted objection"):
        hr.execute("update dossier.employment set position = 'Elders' where record_id = %s", (a2,))
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="granted objection"):
        hr.execute("insert into dossier.absence (record_id, first_day, reason_code) values (%s, current_date, 'leave')",
                   (a2,))
    # ... while the contract record goes on being processed
    hr.execute("update dossier.person_record set city = 'Elders' where id = %s", (a3,))
    # the importer does not write it: a feed changing the person leaves the record as it was
    admin_number, surname = admin.execute("select admin_number, surname from dossier.person_record where id = %s",
                                          (a2,)).fetchone()
    feed = tmp_path / "feed.csv"
    row = dict.fromkeys(FIELDS, "")
    row.update(person_id=admin_number, surname="Anders", gender="V", start_date="2010-01-01", function="Directeur")
    feed.write_text(",".join(FIELDS) + "\n" + ",".join(row[c] for c in FIELDS) + "\n", encoding="utf-8")
    p = run_cli("import", "hr", str(feed), "--org", "DEMO-EDU", "--into", "A2", "--format", "json", dsn=demo_dsn)
    assert p.returncode == 0, p.stderr
    assert admin.execute("select surname from dossier.person_record where id = %s", (a2,)).fetchone()[0] == surname
    assert admin.execute("select count(*) from dossier.employment where record_id = %s and position = 'Directeur'",
                         (a2,)).fetchone()[0] == 0


def test_erasure_erases_part_of_a2_keeps_a3_for_the_fiscal_term_with_the_letter(demo_dsn, logins, tmp_path):
    """Art. 13.5, AVG art. 17 (issue 16.2): ten years is a maximum, not a duty. Employment ended
    two years ago: nothing keeps the personnel record, the fiscal term keeps payroll."""
    admin = logins.admin
    subject, a2, a3 = staff_subject(admin, "DEMO-EDU-S2")
    ended = TODAY - D(days=730)
    admin.execute("update dossier.employment set ended_on_job = %s, started_on = least(started_on, %s) "
                  "where record_id = %s", (ended, ended, a2))
    admin.execute("insert into dossier.absence (record_id, first_day, reason_code) values (%s, %s, 'sickness')",
                  (a2, ended - D(days=30)))
    absences = admin.execute("select count(*) from dossier.absence where record_id = %s", (a2,)).fetchone()[0]
    assert admin.execute("select ended_on from dossier.person_record where id = %s", (a3,)).fetchone()[0] == ended
    logins.grant("fg_erase", "privacy_officer", "DEMO-EDU")
    fg = logins.connect("fg_erase")
    rid = fg.execute("select privacy.open_request(%s, 'erasure', null, null, true, 'alles verwijderen')",
                     (subject,)).fetchone()[0]
    letter = tmp_path / "besluit.html"
    p = run_cli("request", "close", str(rid), "--decision", "partly_granted", "--reason",
                "verzuim- en beoordelingsgegevens verwijderd; salarisadministratie valt onder de fiscale bewaarplicht",
                "--erase", "A2:absence", "--erase", "A2:appraisal", "--letter", str(letter), "--format", "json",
                dsn=demo_dsn)
    assert p.returncode == 0, p.stderr
    outcome = {(o["annex"], o["part"]): o for o in json.loads(p.stdout)["outcome"]}
    assert outcome[("A2", "absence")]["deleted"] == absences and outcome[("A2", "absence")]["kept"] == 0
    assert outcome[("A2", "appraisal")]["deleted"] >= 1
    assert outcome[("A2", "record")]["kept"] == 1 and "niet opgenomen" in outcome[("A2", "record")]["why_kept"]
    assert outcome[("A3", "record")]["kept"] == 1 and "fiscale bewaarplicht" in outcome[("A3", "record")]["why_kept"]
    assert outcome[("A3", "salary")]["deleted"] == 0 and "AWR art. 52" in outcome[("A3", "salary")]["why_kept"]
    assert admin.execute("select (select count(*) from dossier.absence where record_id = %(a2)s), "
                         "(select count(*) from dossier.appraisal where record_id = %(a2)s), "
                         "(select count(*) from dossier.person_record where id in (%(a2)s, %(a3)s))",
                         {"a2": a2, "a3": a3}).fetchone() == (0, 0, 2)
    assert admin.execute("select closed_by from privacy.subject_request where id = %s", (rid,)).fetchone()[0] == "postgres"
    text = letter.read_text(encoding="utf-8")
    assert "Verwijderd" in text and "verzuim" in text and "Bewaard, en waarom" in text  # Dutch labels (V1900)
    assert "fiscale bewaarplicht van de loonadministratie" in text and "gedeeltelijk toegewezen" in text
    # a second request, decided without narrowing: everything nothing keeps goes (the whole A2
    # record now), payroll stays for its fiscal term
    rid = fg.execute("select privacy.open_request(%s, 'erasure', null, null, true, null)", (subject,)).fetchone()[0]
    outcome = fg.execute("select privacy.close_request(%s, 'partly_granted', 'personeelsdossier verwijderd')",
                         (rid,)).fetchone()[0]
    assert {(o["annex"], o["part"]): (o["deleted"], o["kept"]) for o in outcome}[("A2", "record")] == (1, 0)
    remaining = {a for (a,) in admin.execute("select annex from dossier.person_record where subject_id = %s",
                                             (subject,))}
    assert "A2" not in remaining and "A3" in remaining, remaining   # (a recent A6 payout stays too)
    assert admin.execute("select closed_by from privacy.subject_request where id = %s", (rid,)).fetchone()[0] == "fg_erase"


def test_complaints_carry_the_terms_of_article_16(demo_dsn, logins):
    admin = logins.admin
    subject, _a2, _a3 = staff_subject(admin)
    logins.grant("fg_compl", "privacy_officer", "DEMO-EDU")
    fg = logins.connect("fg_compl")
    late = fg.execute("select privacy.open_complaint(%s, %s, null, 'inzage te laat beantwoord')",
                      (subject, TODAY - D(days=40))).fetchone()[0]
    timely = fg.execute("select privacy.open_complaint(%s, %s, null, 'verkeerde ontvanger')",
                        (subject, TODAY - D(days=3))).fetchone()[0]
    fg.execute("select privacy.answer_complaint(%s, 'excuses; ontvanger verzocht te vernietigen')", (timely,))
    rows = {r[0]: r[1:] for r in fg.execute(
        "select id, in_time, complain_by, answered_by, committee_by from privacy.complaint_state where id in (%s, %s)",
        (late, timely))}

    def month_after(d: dt.date) -> dt.date:
        return admin.execute("select (%s::date + interval '1 month')::date", (d,)).fetchone()[0]
    # art. 16.1: a month from the finding; 16.2: two weeks from the controller's answer
    assert rows[late] == (False, month_after(TODAY - D(days=40)), None, None)
    assert rows[timely] == (True, month_after(TODAY - D(days=3)), "fg_compl", TODAY + D(days=14))
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
        fg.execute("select privacy.refer_complaint(%s)", (late,))   # not answered yet
    fg.execute("select privacy.refer_complaint(%s)", (timely,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        fg.execute("update privacy.complaint set answered_by = 'someone_else' where id = %s", (timely,))
    lop = admin.execute("select r.subject_id from dossier.person_record r join dossier.org_unit o on o.id = r.org_id "
                        "where o.code = 'DEMO-LOP' limit 1").fetchone()[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        fg.execute("select privacy.open_complaint(%s, current_date, null, 'x')", (lop,))


def test_employee_reads_the_register_and_its_own_access_register_entries(logins):
    """Art. 12 (issue 16.8): what is processed (privacy.processing) and its own entries of the
    access register; not the grants of anyone else, not the grants register itself."""
    admin = logins.admin
    subject, _a2, _a3 = staff_subject(admin)
    logins.grant("emp_self", "employee_self", "DEMO-EDU-S1", subject=subject)
    logins.grant("emp_other", "hr_officer", "DEMO-EDU")
    me = logins.connect("emp_self")
    codes = [c for (c,) in me.execute("select code from privacy.processing order by code")]
    assert codes == ["A1", "A2", "A3", "A4", "A5", "A6", "FS", "TP"]
    assert me.execute("select login, role from privacy.my_access_register").fetchall() == [("emp_self", "employee_self")]
    for stmt in ("select * from privacy.access_register", "select * from privacy.role_grant"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            me.execute(stmt)
