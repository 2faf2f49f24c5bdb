"""The art. 30 register rendered from the rows (db/schema/V0210__register_data.sql)."""

import json

from .conftest import run_cli

# The section headings and the seven purposes of the register entry M895
# (shared/seeds/000_012b078e12806168.txt).
M895_SECTIONS = ["# Beschrijving van gegevensverwerking", "## Doel van de verwerking",
                 "## Betrokkene en gegevens", "## Automatische besluitvorming", "## Ontvangers",
                 "## Doorgifte buiten EU", "## Verantwoordelijken", "## Gerelateerde verwerkingen"]
M895_FIELDS = ["Omschrijving", "Organisatie", "Referentienummer", "Betrokkene(n)",
               "Persoonsgegevens", "Verzameldoel", "Bewaartermijn", "Bron", "Aanleverplicht",
               "Naam", "Bezoekadres", "Postadres"]
M895_PURPOSES = [
    "Het aanbieden, inplannen en uitvoeren van leeractiviteiten",
    "Het monitoren van de voortgang ervan, waaronder aanwezigheidsregistratie",
    "Het inschrijven voor examens en het vastleggen van examenresultaten",
    "Het genereren van management rapportages",
    "Het evalueren van opleidingen",
    "Het verrekenen van opleidingskosten tussen de departementen",
    "Het valideren van facturen van opleiders",
]


def test_m895_markdown_has_every_section_and_purpose(dsn):
    md = run_cli("register", "show", "M895", "--format", "md", dsn=dsn, check=True).stdout
    lines = md.splitlines()
    for heading in M895_SECTIONS:
        assert heading in lines, heading
    for field in M895_FIELDS:
        assert f"| {field} |" in md, field
    purposes = lines[lines.index("## Doel van de verwerking") + 2:][:7]
    assert purposes == [f"- {p}" for p in M895_PURPOSES]
    assert "5 jaar na uitdiensttreding" in md and "Parnassusplein 5" in md
    assert "geen sprake van doorgifte" in md


def test_m895_comes_from_the_rows_not_a_template(conn, dsn):
    conn.execute("update privacy.purpose set text_nl = 'Gewijzigd doel' "
                 "where activity = 'TP' and clause = '4'")
    md = run_cli("register", "show", "TP", dsn=dsn, check=True).stdout
    assert "- Gewijzigd doel" in md and "management rapportages" not in md.split("## Betrokkene")[0]


def test_register_json_and_english(dsn):
    doc = json.loads(run_cli("register", "show", "m895", "--format", "json", dsn=dsn,
                             check=True).stdout)
    assert doc["code"] == "TP" and doc["reference"] == "M895" and len(doc["purposes"]) == 7
    assert doc["outside_eu"] is False
    en = run_cli("register", "show", "A6", "--lang", "en", dsn=dsn, check=True).stdout
    assert "## Purposes of the processing" in en and "recording payouts" in en


def test_register_list_has_every_annex(dsn):
    rows = json.loads(run_cli("register", "list", "--format", "json", dsn=dsn, check=True).stdout)
    assert [r["code"] for r in rows] == ["A1", "A2", "A3", "A4", "A5", "A6", "FS", "TP"]
    assert {r["code"]: r["purposes"] for r in rows}["A2"] == 17


def test_unknown_code_is_bad_usage(dsn):
    p = run_cli("register", "show", "A9", dsn=dsn)
    assert p.returncode == 2 and "no processing activity 'A9'" in p.stderr


def test_register_names_health_data_with_its_ground(dsn):
    """Issue 16.6: absence reasons sickness and maternity are health data (art. 2); the register
    of A2 says so with the legal ground, the training passport processes none."""
    md = run_cli("register", "show", "A2", dsn=dsn, check=True).stdout
    special = md.split("## Bijzondere persoonsgegevens")[1].split("##")[0]
    assert "AVG art. 9 lid 2b" in special and "UAVG art. 30" in special and "(2g)" in special
    tp = run_cli("register", "show", "TP", dsn=dsn, check=True).stdout
    assert "Er worden geen bijzondere persoonsgegevens verwerkt." in tp
    doc = json.loads(run_cli("register", "show", "A2", "--format", "json", dsn=dsn, check=True).stdout)
    assert [c["code"] for c in doc["categories"] if c["special"]] == ["absence"]


def test_former_staff_register_says_the_processing_is_the_controllers_choice(dsn):
    """Issue 16.7: art. 15.1 ("kan besluiten") makes the FS processing the controller's choice."""
    md = run_cli("register", "show", "FS", dsn=dsn, check=True).stdout
    related = md.split("## Gerelateerde verwerkingen")[1]
    assert "Art. 15.1" in related and "keuze van de verantwoordelijke" in related
