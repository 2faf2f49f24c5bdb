"""Bijlage 7 from the text, not from the matrix (issue 16, "Tests that must exist").

The table below is written by hand from the seed (004_a004816be42e5ba2.txt, Bijlage 7, with the
readings of contract §3 and docs/security.md "Readings"): per row the annexes a role may read,
columns it must be able to select, columns it must be refused, and its scope. Each role is then
tried against the live demo database by connecting as a login holding it: every allowed column
selects, every refused one is permission denied, and no row outside the scope is visible. It says
nothing about how the matrix or the policies are written, so it holds whatever evaluates them.
"""

from __future__ import annotations

import psycopg
import pytest

ORG, SCHOOL = "DEMO-EDU", "DEMO-EDU-S1"

# Bijlage 7 lid 2a of Bijlagen 1-5: the identifying data of a personnel file.
IDENTITY = ["surname", "prefix", "initials", "first_names", "title_before", "title_after", "gender", "birth_date",
            "birth_place", "nationality", "street", "house_number", "postcode", "city", "phone", "email", "iban",
            "admin_number"]
# "Alle informatie in de personeelsdossiers … voor alle in bijlage 1 t/m 5 genoemde doeleinden"
ANNEX_1_TO_5 = dict(
    annexes={"A1", "A2", "A3", "A4", "A5"}, scope="org",
    allowed=[("person_record", c) for c in IDENTITY + ["bsn", "photo"]] + [
        ("application", "position_applied"), ("employment", "position"), ("employment", "fte"),
        ("absence", "first_day"), ("absence", "last_day"), ("absence", "reason_code"), ("appraisal", "summary"),
        ("family_member", "surname"), ("salary", "gross_amount"), ("tax_record", "tax_amount"),
        ("identity_document", "copy"), ("severance_benefit", "monthly_amount"), ("pension_entitlement", "fund")],
    # Bijlage 6 (payouts), art. 15 (former staff) and M895 (training passport) are not annexes 1-5
    refused=[("payout", "amount"), ("contribution", "amount"), ("enrolment", "status")],
)
# "Alleen gegevens t.b.v. verzuimregistratie: achternaam, voornaam; geboortedatum, man/vrouw;
# personeelsnummer, functie, locatie/team; eerste verzuimdag, % verzuim, reden van verzuim."
ABSENCE_ONLY = dict(
    annexes={"A2"},
    allowed=[("person_record", c) for c in ("surname", "prefix", "first_names", "birth_date", "gender",
                                             "admin_number")] + [
        ("employment", "position"), ("absence", "first_day"), ("absence", "percentage"), ("absence", "reason_code")],
    refused=[("person_record", c) for c in ("initials", "title_before", "street", "postcode", "city", "phone",
                                            "email", "iban", "bsn", "birth_place", "nationality")] + [
        ("absence", "last_day"), ("employment", "fte"), ("employment", "contract_type"), ("employment", "end_reason"),
        ("leave", "hours"), ("appraisal", "summary"), ("salary", "gross_amount"), ("family_member", "surname"),
        ("working_condition", "measure_code"), ("application", "position_applied"), ("payout", "amount")],
)
MIS_ONLY = dict(  # "Informatie in het managementinformatiesysteem": no row about a person
    annexes=set(), scope=None, allowed=[],
    refused=[("person_record", "surname"), ("person_record", "admin_number"), ("absence", "reason_code"),
             ("employment", "position"), ("salary", "gross_amount")],
    mis=True,
)
BIJLAGE7 = {
    "hr_officer": ANNEX_1_TO_5 | {"mis": True},          # (administratief) medewerker HRM
    "hr_advisor": ANNEX_1_TO_5 | {"mis": True},          # HRM-adviseur
    # (externe) salarisadministrateur: annexes 1-5, and the payouts it makes (contract §3: 1-6)
    "payroll_administrator": ANNEX_1_TO_5 | {"annexes": {"A1", "A2", "A3", "A4", "A5", "A6"}, "mis": True,
                                             "refused": [("contribution", "amount"), ("enrolment", "status")],
                                             "allowed": ANNEX_1_TO_5["allowed"] + [("payout", "amount")]},
    "hr_manager": ANNEX_1_TO_5 | {"mis": True},          # manager HRM
    "absence_registrar": ABSENCE_ONLY | {"scope": "unit"},   # per school 1 medewerker
    "board_member": ANNEX_1_TO_5 | {"mis": True},        # lid Raad van Bestuur
    "finance_manager": MIS_ONLY, "finance_advisor": MIS_ONLY, "internal_auditor": MIS_ONLY,
    # bedrijfsarts: "informatie uit het onderdeel verzuim" — read as the registrar's fields, org-wide
    "occupational_physician": ABSENCE_ONLY | {"scope": "org"},
    # schooldirecteuren, teamleiders, stafmanagers: "informatie in de personeelsdossiers", own location
    "school_manager": dict(
        annexes={"A2"}, scope="unit", mis=True,
        allowed=[("person_record", c) for c in ("surname", "initials", "first_names", "gender", "birth_date",
                                                "street", "city", "phone", "email", "admin_number")] + [
            ("employment", "position"), ("absence", "reason_code"), ("appraisal", "summary"),
            ("qualification", "description")],
        refused=[("person_record", "iban"), ("person_record", "bsn"), ("family_member", "surname"),
                 ("salary", "gross_amount"), ("tax_record", "tax_amount"), ("identity_document", "copy"),
                 ("payout", "amount"), ("application", "position_applied")]),
    # art. 15.4a (not a Bijlage 7 row; issue 16.7): those charged with the activities of art. 15.2
    "former_staff_administrator": dict(
        annexes={"FS"}, scope="org",
        allowed=[("person_record", c) for c in ("surname", "initials", "street", "phone", "iban", "admin_number")]
        + [("employment", "position"), ("contribution", "amount")],
        refused=[("person_record", "bsn"), ("person_record", "nationality"), ("absence", "reason_code"),
                 ("salary", "gross_amount"), ("payout", "amount"), ("appraisal", "summary")]),
}


@pytest.fixture
def as_role(logins):
    def connect(role: str) -> psycopg.Connection:
        unit = SCHOOL if BIJLAGE7[role].get("scope") == "unit" else ORG
        login = f"b7_{role}"
        logins.grant(login, role, unit)
        return logins.connect(login)
    return connect


def denied(conn: psycopg.Connection, sql: str) -> bool:
    try:
        conn.execute(sql)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


@pytest.mark.parametrize("role", sorted(BIJLAGE7))
def test_role_sees_what_bijlage_7_lists_and_nothing_else(as_role, logins, role):
    row = BIJLAGE7[role]
    conn = as_role(role)
    for table, column in row["allowed"]:
        conn.execute(f"select {column} from dossier.{table} limit 1")   # no error: allowed
    refused = [f"{t}.{c}" for t, c in row["refused"] if not denied(conn, f"select {c} from dossier.{t} limit 1")]
    assert refused == [], f"{role} may select what Bijlage 7 does not give it"
    if not row["annexes"]:
        assert denied(conn, "select id from dossier.person_record limit 1")
    else:
        # exactly the annexes of the row, and every row of them in scope (the demo has each annex)
        seen = {a for (a,) in conn.execute("select distinct annex from dossier.person_record")}
        assert seen == row["annexes"], f"{role} sees {sorted(seen)}"
        where = ("u.code like %(unit)s" if row["scope"] == "unit"
                 else "u.org_id = (select id from dossier.org_unit where code = %(org)s)")
        args = {"unit": SCHOOL + "%", "org": ORG, "annexes": sorted(row["annexes"])}
        in_scope = logins.admin.execute(
            f"select count(*) from dossier.person_record p join dossier.org_unit u on u.id = p.unit_id "
            f"where p.annex = any (%(annexes)s) and {where}", args).fetchone()[0]
        mine = conn.execute("select count(*) from dossier.person_record").fetchone()[0]
        outside = conn.execute(
            f"select count(*) from dossier.person_record p join dossier.org_unit u on u.id = p.unit_id "
            f"where not ({where})", args).fetchone()[0]
        assert (mine, outside) == (in_scope, 0), f"{role}: rows outside its scope visible, or rows in it missing"
    if row.get("mis"):
        conn.execute("select * from mis.staff_by_unit limit 1")
    else:
        assert denied(conn, "select * from mis.staff_by_unit limit 1")


def test_absence_registrar_registers_absence_in_its_school_only(as_role, logins):
    """"Per school … voor verzuimregistratie": it records a first day, % and reason in its own
    school; not the recovery date (not listed), and nothing outside its school."""
    conn = as_role("absence_registrar")
    mine, theirs = (logins.admin.execute(
        "select p.id from dossier.person_record p join dossier.org_unit u on u.id = p.unit_id "
        "where p.annex = 'A2' and u.code " + op + " 'DEMO-EDU-S1%' and u.org_id = p.org_id order by p.id limit 1"
    ).fetchone()[0] for op in ("like", "not like"))
    conn.execute("insert into dossier.absence (record_id, first_day, percentage, reason_code) "
                 "values (%s, current_date, 50, 'sickness')", (mine,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("insert into dossier.absence (record_id, first_day, last_day, reason_code) "
                     "values (%s, current_date, current_date, 'sickness')", (mine,))
    with pytest.raises(psycopg.Error):   # not a record it may see: no such record for it
        conn.execute("insert into dossier.absence (record_id, first_day, reason_code) values (%s, current_date, 'leave')",
                     (theirs,))


def test_a_second_registrar_for_one_school_is_reported(as_role, logins):
    """Bijlage 7 "per school 1 medewerker": privacy.registrar_conflicts names the school."""
    admin = logins.admin
    before = admin.execute("select count(*) from privacy.registrar_conflicts").fetchone()[0]
    logins.grant("b7_reg_one", "absence_registrar", SCHOOL)
    assert admin.execute("select count(*) from privacy.registrar_conflicts").fetchone()[0] == before
    logins.grant("b7_reg_two", "absence_registrar", SCHOOL + "-T1" if admin.execute(
        "select 1 from dossier.org_unit where code = %s", (SCHOOL + "-T1",)).fetchone() else SCHOOL)
    rows = admin.execute("select school_code, logins from privacy.registrar_conflicts where school_code = %s",
                         (SCHOOL,)).fetchall()
    assert rows == [(SCHOOL, ["b7_reg_one", "b7_reg_two"])]


def test_former_staff_administrator_writes_former_staff_records_only(as_role, logins):
    """Art. 15.4a (issue 16.7): before, only a superuser could write FS records."""
    conn = as_role("former_staff_administrator")
    fs, a2 = (logins.admin.execute(
        "select p.id from dossier.person_record p join dossier.org_unit o on o.id = p.org_id "
        "where o.code = 'DEMO-EDU' and p.annex = %s order by p.id limit 1", (annex,)).fetchone()[0] for annex in ("FS", "A2"))
    conn.execute("insert into dossier.contribution (record_id, year, kind, amount) values (%s, 2026, 'gift', 10)", (fs,))
    assert conn.execute("update dossier.person_record set city = 'Vlaardingen' where id = %s", (fs,)).rowcount == 1
    assert conn.execute("update dossier.person_record set city = 'Vlaardingen' where id = %s", (a2,)).rowcount == 0
    with pytest.raises(psycopg.Error):
        conn.execute("insert into dossier.absence (record_id, first_day, reason_code) values (%s, current_date, 'leave')",
                     (a2,))
