"""The letters to a data subject (issue 17 item 5; 004 art. 13, AVG art. 12 and 15): addressed to
the subject, from the organisation's own controller (privacy.organisation_setting, not the
register's "Lentiz onderwijsgroep"), Dutch labels from the catalogue, one enclosure per processing,
Dutch values, no technical field; the PDF is rendered from the same HTML."""

from __future__ import annotations

import html
import io
import json
import re

import psycopg
import pytest
from pypdf import PdfReader

from .conftest import invoke_cli, run_cli

DEMO_CONTROLLER = "Het College van Bestuur van Onderwijsgroep Demoland (fictief)"


def visible_text(page: str) -> str:
    """What a reader sees: the HTML without its style sheet and tags."""
    body = re.sub(r"(?s)<style>.*?</style>|<title>.*?</title>", "", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def staff_subject(admin) -> int:
    """A DEMO-EDU subject with an A2 record with an address, details and a record in another annex."""
    return admin.execute(
        """select r.subject_id from dossier.person_record r join dossier.org_unit u on u.id = r.org_id
            where r.annex = 'A2' and u.code = 'DEMO-EDU' and r.street is not null
              and exists (select from dossier.person_record o where o.subject_id = r.subject_id and o.annex <> 'A2')
              and exists (select from dossier.employment e where e.record_id = r.id)
            order by r.subject_id limit 1""").fetchone()[0]


def open_access(dsn: str, subject: int) -> int:
    p = run_cli("request", "open", "--type", "access", "--subject", str(subject), "--format", "json", dsn=dsn)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["id"]


def test_access_letter_is_addressed_from_the_organisations_controller_in_dutch(demo_dsn, demo_admin, tmp_path):
    subject = staff_subject(demo_admin)
    rid = open_access(demo_dsn, subject)
    out = tmp_path / "inzage.html"
    run_cli("request", "export", str(rid), "--format", "html", "-o", str(out), dsn=demo_dsn, check=True)
    page = out.read_text(encoding="utf-8")
    text = visible_text(page)
    # from the organisation's own settings, not the register's controller of the real regulation
    assert DEMO_CONTROLLER in text and "Voorbeeldlaan 1, 9999 ZZ Demodorp" in text
    assert "Lentiz" not in text and "Schiedamsedijk" not in text
    # to the subject: the name and address of their record
    initials, surname, street, number, postcode, birth = demo_admin.execute(
        "select initials, surname, street, house_number, postcode, birth_date from dossier.person_record "
        "where subject_id = %s and annex = 'A2'", (subject,)).fetchone()
    address = page.split("<div class='addressee'>")[1].split("</div>")[0]
    assert surname in address and f"{street} {number}" in address and postcode in address
    # no column name, key or bookkeeping field: the catalogue's Dutch labels instead
    names = {c for (c,) in demo_admin.execute(
        "select column_name from privacy.column_category union select column_name from privacy.technical_column")}
    shown = {n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text) and "_" in n}
    assert not shown, f"technical column names in the letter: {sorted(shown)}"
    for word in ("org_id", "record_id", "created_at", "restricted", "subject_id", "True", "False", "None"):
        assert word not in text
    assert "Achternaam" in text and "Geboortedatum" in text and "Dienstverband" in text
    # values the Dutch way: dd-mm-jjjj, no ISO dates or timestamps, no Python floats
    assert birth.strftime("%d-%m-%Y") in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", page)]
    assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d+", c)], "a Python float"
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{2}", c) for c in cells), "an amount with a decimal comma"
    assert "ja" in cells or "nee" in cells
    # one enclosure per processing the subject is in, each from a new page (A4 print styles)
    annexes = demo_admin.execute("select count(distinct annex) from dossier.person_record where subject_id = %s",
                                 (subject,)).fetchone()[0]
    assert page.count("<section class='annex'>") == annexes >= 2
    assert "size: A4" in page and "break-before: page" in page


def test_access_letter_as_pdf_renders_the_same_letter(demo_dsn, demo_admin, tmp_path):
    subject = staff_subject(demo_admin)
    rid = open_access(demo_dsn, subject)
    out = tmp_path / "inzage.pdf"
    run_cli("request", "export", str(rid), "--format", "pdf", "-o", str(out), dsn=demo_dsn, check=True)
    pdf = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(pdf.pages) >= 1
    text = " ".join((p.extract_text() or "") for p in pdf.pages)
    words = " ".join(text.split())
    surname = demo_admin.execute("select surname from dossier.person_record where subject_id = %s limit 1",
                                 (subject,)).fetchone()[0]
    assert "Geachte heer, mevrouw" in words and surname in words
    assert "Onderwijsgroep Demoland (fictief)" in words and "Lentiz" not in words
    # to standard output only when it is redirected
    p = invoke_cli("request", "export", str(rid), "--format", "pdf", dsn=demo_dsn)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("%PDF-")


def test_erasure_letter_shares_the_template_and_the_controller(demo_dsn, demo_admin, tmp_path):
    subject = staff_subject(demo_admin)
    p = run_cli("request", "open", "--type", "erasure", "--subject", str(subject), "--format", "json", dsn=demo_dsn)
    assert p.returncode == 0, p.stderr
    rid = json.loads(p.stdout)["id"]
    letter = tmp_path / "besluit.html"
    p = run_cli("request", "close", str(rid), "--decision", "partly_granted", "--reason", "verzuim verwijderd",
                "--erase", "A2:absence", "--letter", str(letter), dsn=demo_dsn)
    assert p.returncode == 0, p.stderr
    text = visible_text(letter.read_text(encoding="utf-8"))
    assert DEMO_CONTROLLER in text and "Lentiz" not in text
    surname = demo_admin.execute("select surname from dossier.person_record where subject_id = %s and annex = 'A2'",
                                 (subject,)).fetchone()[0]
    assert surname in text and "Verzuim" in text.title()
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    # where traces remain, and for how long, from the settings that govern them (issue 15.4)
    months, days = (demo_admin.execute("select value from privacy.setting where key = %s", (k,)).fetchone()[0]
                    for k in ("audit_retention_months", "server_log_retention_days"))
    assert "Wat er na de verwijdering nog bestaat" in text
    assert f"{months} maanden" in text and f"ten hoogste {days} dagen" in text and "back-ups" in text


def test_every_personal_column_and_table_has_a_dutch_label(conn):
    """A column added to the catalogue without a label would print its name in the letter."""
    missing = conn.execute("select table_name || '.' || column_name from privacy.column_category "
                           "where label_nl is null union all "
                           "select table_name from privacy.personal_table where label_nl is null").fetchall()
    assert missing == []
    labels = conn.execute("select privacy.letter_labels()").fetchone()[0]
    assert labels["columns"]["person_record"]["birth_date"]["base"] == "date"   # through the domain
    assert labels["columns"]["salary"]["gross_amount"]["type"] == "numeric(12,2)"


def test_only_an_organisation_has_settings_and_no_privacy_officer_changes_them(demo_admin, logins):
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        demo_admin.execute("insert into privacy.organisation_setting (org_id, organisation, controller) "
                           "select id, 'Een school', 'iemand' from dossier.org_unit where code = 'DEMO-EDU-S1'")
    logins.grant("mallory", "privacy_officer", "DEMO-EDU")
    mallory = logins.connect("mallory")
    assert DEMO_CONTROLLER in [c for (c,) in mallory.execute("select controller from privacy.organisation_setting")]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        mallory.execute("update privacy.organisation_setting set controller = 'Mallory BV'")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        mallory.execute("delete from privacy.organisation_setting")
