"""Synthetic demo data (contract §6): two obviously fictitious organisations, with people made
up by Faker (nl_NL, fixed seed) or by generate_series. No real person's data.

- `load_demo`: deterministic; an education group with three schools (teams below each) and a
  board office, and a shared-services learning platform with three departments
  (directie → afdeling → team); records in every annex, enough to show every role's view.
- `generate`: large sets for benchmarks, set-based in SQL (100,000 persons in seconds).
"""

from __future__ import annotations

import datetime as dt
import random

import psycopg
from faker import Faker
from stdnum import iban as iban_check
from stdnum.nl import bsn as bsn_check

SEED = 895
EDU, LOP = "DEMO-EDU", "DEMO-LOP"


def _tree() -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent code) of both demo organisations, parents first."""
    units = [(EDU, "Onderwijsgroep Demoland (fictief)", "organisation", None),
             (f"{EDU}-BB", "Bestuursbureau", "directie", EDU)]
    for s, school in enumerate(["Demo College Noord", "Demo Lyceum Zuid", "Demo Vakschool West"], 1):
        units.append((f"{EDU}-S{s}", school, "school", EDU))
        for t, team in enumerate(["Team Talen", "Team Exact", "Team Praktijk"], 1):
            units.append((f"{EDU}-S{s}-T{t}", f"{team} ({school})", "team", f"{EDU}-S{s}"))
    units.append((LOP, "Leer- en Ontwikkelplein (fictief)", "organisation", None))
    for dep in ["VWS", "OCW", "SZW"]:
        d = f"{LOP}-{dep}"
        units.append((d, f"Directie Bedrijfsvoering {dep} (demo)", "directie", LOP))
        for a in (1, 2):
            units.append((f"{d}-A{a}", f"Afdeling {a} {dep}", "afdeling", d))
            for t in (1, 2):
                units.append((f"{d}-A{a}-T{t}", f"Team {a}.{t} {dep}", "team", f"{d}-A{a}"))
    return units


# Each demo organisation is its own controller (004 art. 2): fictitious names and addresses.
_CONTROLLERS = {
    EDU: ("Onderwijsgroep Demoland (fictief)", "Het College van Bestuur van Onderwijsgroep Demoland (fictief)",
          "Voorbeeldlaan 1, 9999 ZZ Demodorp", "Postbus 9999, 9999 ZY Demodorp"),
    LOP: ("Leer- en Ontwikkelplein (fictief)", "De directeur van het Leer- en Ontwikkelplein (fictief)",
          "Proefplein 2, 9998 ZZ Demostad", "Postbus 9998, 9998 ZY Demostad"),
}


class Maker:
    """Deterministic synthetic identities."""

    def __init__(self, seed: int = SEED):
        self.f = Faker("nl_NL")
        self.f.seed_instance(seed)
        self.r = random.Random(seed)

    def bsn(self) -> str:
        while True:
            n = f"{self.r.randrange(10**8, 10**9):09d}"
            if bsn_check.is_valid(n):
                return n

    def iban(self) -> str:
        while True:
            v = self.f.iban()
            if iban_check.is_valid(v):
                return v

    def postcode(self) -> str:
        while True:
            p = self.f.postcode().replace(" ", "")
            if p[0] != "0" and p[4:] not in ("SA", "SD", "SS"):
                return p

    def phone(self) -> str:
        return f"06-{self.r.randrange(10**7, 10**8)}"

    def person(self) -> dict:
        female = self.r.random() < 0.5
        first = self.f.first_name_female() if female else self.f.first_name_male()
        surname = self.f.last_name()
        prefix = None
        if " " in surname and surname.split(" ")[0].lower() in ("van", "de", "der", "den", "ter"):
            parts = surname.split(" ")
            prefix, surname = " ".join(p for p in parts[:-1]), parts[-1]
        birth = self.f.date_between(dt.date(1960, 1, 1), dt.date(2002, 12, 31))
        slug = f"{first}.{surname}".lower().replace(" ", "").replace("'", "")
        return {
            "surname": surname, "prefix": prefix, "first_names": first, "initials": first[0] + ".",
            "gender": "V" if female else "M", "birth_date": birth,
            "birth_place": self.f.city(), "nationality": "NL",
            "street": self.f.street_name(), "house_number": str(self.r.randrange(1, 200)),
            "postcode": self.postcode(), "city": self.f.city(), "country": "NL",
            "phone": self.phone(), "email": f"{slug}@demo.example", "iban": self.iban(),
        }


IDENTITY = ("surname", "prefix", "first_names", "initials", "gender", "birth_date", "birth_place",
            "nationality", "street", "house_number", "postcode", "city", "country", "phone",
            "email", "iban")
BY_ANNEX = {  # the identifying fields each annex lists (privacy.annex_category), for the demo
    "A1": IDENTITY, "A2": IDENTITY, "A3": IDENTITY, "A4": IDENTITY, "A5": IDENTITY,
    "A6": ("surname", "prefix", "first_names", "initials", "street", "house_number", "postcode",
           "city", "country", "iban"),
    "FS": ("surname", "prefix", "first_names", "initials", "gender", "birth_date", "street",
           "house_number", "postcode", "city", "country", "phone", "email", "iban"),
    "TP": ("surname", "prefix", "first_names", "initials", "gender", "birth_date", "birth_place",
           "email"),
}
BASIS = {"A1": "contract", "A2": "contract", "A3": "legal_obligation", "A4": "contract",
         "A5": "contract", "A6": "legal_obligation", "FS": "legitimate_interest", "TP": "consent"}


class Loader:
    def __init__(self, conn: psycopg.Connection, today: dt.date):
        self.conn = conn
        self.today = today
        self.m = Maker()
        self.units: dict[str, tuple[int, int]] = {}
        self.counts: dict[str, int] = {}

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def unit(self, code: str) -> tuple[int, int]:
        return self.units[code]

    def make_units(self) -> None:
        for code, name, kind, parent in _tree():
            pid = self.units[parent][0] if parent else None
            uid, org = self.conn.execute(
                "insert into dossier.org_unit (code, name, kind, parent_id) values (%s, %s, %s, %s) "
                "returning id, org_id", (code, name, kind, pid)).fetchone()
            self.units[code] = (uid, org)
        for code, setting in _CONTROLLERS.items():  # the letterheads (privacy.organisation_setting)
            self.conn.execute("insert into privacy.organisation_setting (org_id, organisation, controller, "
                              "visiting_address, postal_address) values (%s, %s, %s, %s, %s)",
                              (self.units[code][1], *setting))
        self.count("units", len(self.units))

    def subject(self, org: int) -> int:
        self.count("subjects")
        return self.conn.execute("insert into dossier.subject (org_id) values (%s) returning id",
                                 (org,)).fetchone()[0]

    def record(self, annex: str, subject: int, unit_code: str, who: dict, **extra) -> int:
        uid, org = self.unit(unit_code)
        cols = {"annex": annex, "subject_id": subject, "org_id": org, "unit_id": uid,
                "legal_basis": BASIS[annex], "source": extra.pop("source", "demo"),
                **{k: who[k] for k in BY_ANNEX[annex]}, **extra}
        names = ", ".join(cols)
        marks = ", ".join(["%s"] * len(cols))
        self.count(f"records {annex}")
        return self.conn.execute(
            f"insert into dossier.person_record ({names}) values ({marks}) returning id",
            list(cols.values())).fetchone()[0]

    def detail(self, table: str, record: int, **cols) -> int:
        names = ", ".join(["record_id", *cols])
        marks = ", ".join(["%s"] * (len(cols) + 1))
        self.count(table)
        return self.conn.execute(
            f"insert into dossier.{table} ({names}) values ({marks}) returning id",
            [record, *cols.values()]).fetchone()[0]

    def day(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.m.r.randrange(max((end - start).days, 1)))

    # -- the education group ---------------------------------------------------------------
    def education_group(self) -> None:
        r, today = self.m.r, self.today
        edu_org = self.unit(EDU)[1]
        teams = [c for c, *_ in _tree() if c.startswith(f"{EDU}-S") and "-T" in c]
        positions = ["docent", "docent", "docent", "teamleider", "onderwijsassistent",
                     "conciërge", "roostermaker"]
        n = 0
        for team in teams + [f"{EDU}-BB"] * 1:
            for _ in range(8 if team != f"{EDU}-BB" else 6):
                n += 1
                who = self.m.person()
                subj = self.subject(edu_org)
                started = self.day(dt.date(2005, 1, 1), today - dt.timedelta(days=200))
                leaver = n % 9 == 0
                ended = self.day(started + dt.timedelta(days=100), today) if leaver else None
                admin = f"E{n:05d}"
                a2 = self.record("A2", subj, team, who, admin_number=admin, ended_on=ended,
                                 collected_on=started, source="hr_system")
                pos = "bestuurssecretaris" if team.endswith("-BB") else r.choice(positions)
                self.detail("employment", a2, position=pos, fte=r.choice([0.4, 0.6, 0.8, 1.0]),
                            contract_type=r.choice(["permanent", "temporary"]),
                            started_on=started, ended_on_job=ended,
                            end_reason="resignation" if ended else None)
                for _ in range(r.randrange(0, 5)):
                    first = self.day(today - dt.timedelta(days=700), today - dt.timedelta(days=5))
                    self.detail("absence", a2, first_day=first,
                                last_day=first + dt.timedelta(days=r.randrange(1, 30)),
                                percentage=r.choice([50, 100, 100]),
                                reason_code=r.choice(["sickness", "sickness", "leave", "maternity",
                                                      "working_time_reduction"]))
                self.detail("leave", a2, leave_type="statutory", starts_on=today.replace(month=7, day=1),
                            hours=r.choice([40, 80, 120]))
                self.detail("appraisal", a2, held_on=self.day(today - dt.timedelta(days=365), today),
                            kind="appraisal", outcome_code=r.choice(["sufficient", "good", "excellent"]),
                            known_to_subject=True)
                self.detail("qualification", a2, kind="teaching_qualification",
                            description=r.choice(["eerstegraads", "tweedegraads", "pabo"]))
                self.detail("education", a2, kind="course", course="Didactiek (demo)", completed=True)
                if r.random() < 0.1:
                    self.detail("working_condition", a2, measure_code="ergonomic_equipment",
                                starts_on=started)
                if r.random() < 0.2:
                    self.detail("family_member", a2, relation="child", surname=who["surname"],
                                first_names=self.m.f.first_name(), purpose="child_allowance")
                a3 = self.record("A3", subj, team, who, admin_number=admin, ended_on=ended,
                                 bsn=self.m.bsn(), collected_on=started, source="hr_system")
                for k in range(3):
                    month = (today.replace(day=1) - dt.timedelta(days=31 * k)).replace(day=1)
                    self.detail("salary", a3, period=month, scale=f"LB{r.randrange(9, 13)}",
                                step=r.randrange(1, 15), gross_amount=r.randrange(2800, 6200))
                self.detail("tax_record", a3, year=today.year, tax_table="white",
                            wage_tax_credit=True, premium_amount=r.randrange(200, 900))
                if n % 4 == 0:
                    self.detail("identity_document", a3, document_type="id_card",
                                expires_on=today + dt.timedelta(days=2000), copy=b"demo-scan")
                if n % 5 == 0:
                    a6 = self.record("A6", subj, team, who, source="finance")
                    self.detail("payout", a6, paid_on=self.day(today - dt.timedelta(days=300), today),
                                kind="expense_claim", amount=r.randrange(10, 400),
                                reference=f"DECL-{n:05d}")
                if n % 7 == 0:
                    a5 = self.record("A5", subj, team, who, admin_number=admin, source="pension_fund")
                    self.detail("pension_entitlement", a5, fund="Pensioenfonds Demo",
                                registered_on=started, employer_reference=EDU,
                                accrued_amount=r.randrange(1000, 40000))
                    self.detail("pension_beneficiary", a5, relation="partner",
                                surname=self.m.f.last_name(), share_percent=100)
                if leaver and n % 2 == 0:
                    a4 = self.record("A4", subj, team, who, admin_number=admin, ended_on=ended)
                    self.detail("employment", a4, position=pos)   # Bijlage 4 lid 2a: the functie only
                    self.detail("severance_benefit", a4, kind="transition_payment",
                                starts_on=ended, monthly_amount=r.randrange(500, 2500))
                if leaver:
                    fs = self.record("FS", subj, team, who, admin_number=admin, ended_on=ended,
                                     source="former_staff_association")
                    self.detail("employment", fs, position=pos, started_on=started, ended_on_job=ended)
                    self.detail("contribution", fs, year=today.year, kind="contribution", amount=25)
        # applicants: some procedures ended long ago, some with consent to keep a year
        for i in range(12):
            who = self.m.person()
            subj = self.subject(edu_org)
            school = f"{EDU}-S{i % 3 + 1}"
            applied = self.day(today - dt.timedelta(days=400), today - dt.timedelta(days=10))
            ended = applied + dt.timedelta(days=30) if i % 2 else None
            a1 = self.record("A1", subj, school, who, ended_on=ended, retention_consent=i % 4 == 1,
                             photo=b"\x89PNG demo" if i % 3 == 0 else None, source="applicant",
                             legal_basis="consent" if i % 4 == 1 else "contract")
            self.detail("application", a1, vacancy_code=f"VAC-{i % 4 + 1:03d}",
                        position_applied="docent", applied_on=applied, procedure_ended_on=ended,
                        outcome="rejected" if ended else "pending")
            self.detail("previous_employment", a1, employer="Voorbeeld BV (fictief)",
                        position="adviseur")
            self.detail("education", a1, kind="education", course="Lerarenopleiding (demo)")
            if i == 0:  # a minor applying for an internship: a parent's contact data (lid 2e)
                self.conn.execute("update dossier.person_record set birth_date = %s where id = %s",
                                  (today - dt.timedelta(days=17 * 365 + 30), a1))
                parent = self.m.person()
                self.detail("guardian", a1, relation="parent", surname=who["surname"],
                            initials=parent["initials"], street=who["street"],
                            house_number=who["house_number"], postcode=who["postcode"],
                            city=who["city"], phone=parent["phone"])

    # -- the learning platform of three ministries -------------------------------------------
    def learning_platform(self) -> None:
        r, today = self.m.r, self.today
        lop_org = self.unit(LOP)[1]
        provider = self.conn.execute(
            "insert into dossier.training_provider (org_id, name) values (%s, %s) returning id",
            (lop_org, "Opleider Demo BV (fictief)")).fetchone()[0]
        activities = []
        for code, title, cost, exam in [("LOP-101", "Projectmatig werken", 450, True),
                                        ("LOP-102", "Schrijven voor het Rijk", 300, False),
                                        ("LOP-103", "Privacy in de praktijk", 250, True),
                                        ("LOP-104", "Leidinggeven", 900, False)]:
            aid = self.conn.execute(
                "insert into dossier.training_activity (org_id, code, title, provider_id, cost, "
                "has_exam) values (%s, %s, %s, %s, %s, %s) returning id",
                (lop_org, code, title, provider, cost, exam)).fetchone()[0]
            sid = self.conn.execute(
                "insert into dossier.training_session (activity_id, starts_at) values (%s, %s) "
                "returning id", (aid, dt.datetime.combine(today - dt.timedelta(days=60),
                                                          dt.time(9), dt.UTC))).fetchone()[0]
            activities.append((aid, sid, cost, exam))
        invoice = self.conn.execute(
            "insert into dossier.provider_invoice (provider_id, number, invoice_date, amount) "
            "values (%s, 'F-2026-001', %s, 0) returning id", (provider, today)).fetchone()[0]
        teams = [c for c, *_ in _tree() if c.startswith(f"{LOP}-") and "-T" in c]
        n = 0
        for team in teams:
            for _ in range(5):
                n += 1
                who = self.m.person()
                subj = self.subject(lop_org)
                started = self.day(dt.date(2008, 1, 1), today - dt.timedelta(days=100))
                ended = self.day(started, today) if n % 10 == 0 else None
                tp = self.record("TP", subj, team, who, admin_number=f"RIJK-{n:06d}",
                                 ended_on=ended, collected_on=started, source="hr_importer")
                self.detail("employment", tp, position=r.choice(["beleidsmedewerker", "adviseur",
                                                                 "teamleider", "jurist"]),
                            started_on=started, ended_on_job=ended)
                for aid, sid, cost, exam in r.sample(activities, 2):
                    done = r.random() < 0.6
                    enr = self.detail("enrolment", tp, activity_id=aid,
                                      enrolled_on=today - dt.timedelta(days=90),
                                      status="completed" if done else "enrolled",
                                      completed_on=today - dt.timedelta(days=30) if done else None)
                    self.detail("attendance", tp, enrolment_id=enr, session_id=sid, present=done)
                    self.detail("cost_allocation", tp, enrolment_id=enr,
                                charged_unit_id=self.unit(team.rsplit("-A", 1)[0])[0], amount=cost)
                    self.detail("invoice_line", tp, invoice_id=invoice, enrolment_id=enr,
                                amount=cost, validated=done)
                    if exam and done:
                        self.detail("exam", tp, activity_id=aid, exam_date=today - dt.timedelta(days=20),
                                    grade=r.randrange(4, 10), passed=True)
                    if done:
                        self.detail("evaluation", tp, activity_id=aid, score=r.randrange(5, 11),
                                    submitted_on=today - dt.timedelta(days=25))
        self.conn.execute("update dossier.provider_invoice set amount = (select coalesce(sum(amount), 0) "
                          "from dossier.invoice_line where invoice_id = %s) where id = %s",
                          (invoice, invoice))


def load_demo(conn: psycopg.Connection, today: dt.date | None = None) -> str:
    """Load the demo organisations once (in one transaction); returns a one-line summary."""
    exists = conn.execute("select count(*) from dossier.org_unit where code in (%s, %s)",
                          (EDU, LOP)).fetchone()[0]
    if exists:
        return "already loaded"
    from .conn import org_today

    loader = Loader(conn, today or org_today(conn))
    with conn.transaction():
        loader.make_units()
        loader.education_group()
        loader.learning_platform()
    with conn.transaction():  # seal the demo's audit entries now, not at the next minute
        conn.execute("select audit.seal()")
    return ", ".join(f"{k}: {v}" for k, v in sorted(loader.counts.items()))


GENERATE_SQL = """
with names(surnames, firsts) as (select %(surnames)s::text[], %(firsts)s::text[]),
org as (select id from dossier.org_unit where code = %(org)s),
units as (select array_agg(u.id order by u.id) as ids from dossier.org_unit u, org
           where u.org_id = org.id and u.kind in ('team', 'afdeling', 'school')),
subj as (
    insert into dossier.subject (org_id)
    select org.id from org, generate_series(1, %(n)s)
    returning id
)
insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source,
                                   admin_number, surname, first_names, initials, gender,
                                   birth_date, email, collected_on, ended_on)
select a.annex, s.id, org.id, units.ids[1 + s.id %% array_length(units.ids, 1)],
       case a.annex when 'A3' then 'legal_obligation' when 'TP' then 'consent' else 'contract' end,
       'generated', %(prefix)s || s.id, names.surnames[1 + s.id %% array_length(names.surnames, 1)],
       names.firsts[1 + (s.id / 7) %% array_length(names.firsts, 1)],
       left(names.firsts[1 + (s.id / 7) %% array_length(names.firsts, 1)], 1) || '.',
       case when s.id %% 2 = 0 then 'V' else 'M' end,
       date '1960-01-01' + (s.id * 37 %% 15000)::int,
       case when a.annex = 'TP' then 'p' || s.id || '@generated.example' end,
       date '2010-01-01' + (s.id %% 4000)::int,
       case when s.id %% 10 = 0 then date '2010-01-01' + (s.id %% 4000)::int + 30 + (s.id %% 3000)::int end
  from subj s, org, units, names,
       lateral (select unnest(case when s.id %% 5 = 0 then array['A2', 'A3', 'TP']
                                   else array['A2', 'A3'] end) as annex) a
"""


def generate(conn: psycopg.Connection, persons: int, org: str = EDU,
             absences_per_person: int = 10, progress=None) -> dict:
    """Add `persons` synthetic people to ORG (A2 + A3 records each, TP for one in five, an
    employment and `absences_per_person` absences per A2 record), set-based. progress(phase)
    is called as each phase starts."""
    progress = progress or (lambda phase: None)
    progress("names")
    m = Maker(SEED + persons)
    surnames = sorted({m.f.last_name() for _ in range(400)})
    firsts = sorted({m.f.first_name() for _ in range(400)})
    if not conn.execute("select 1 from dossier.org_unit where code = %s", (org,)).fetchone():
        raise ValueError(f"no organisation unit {org!r}: load the demo first (dossier up --demo)")
    prefix = f"G{conn.execute('select count(*) from dossier.subject').fetchone()[0]}-"
    with conn.transaction():
        before = conn.execute("select coalesce(max(id), 0) from dossier.person_record").fetchone()[0]
        # The detail rows below take their keys from the records in the same statement, so they
        # are consistent by construction; checking 10^6 composite foreign keys against the
        # partitioned person_record one by one costs ~0.2 ms each. Skip the per-row checks here
        # (superuser only) and verify the whole set once, set-based, before committing.
        conn.execute("set local session_replication_role = replica")
        progress(f"{persons} people and their records")
        conn.execute(GENERATE_SQL, {"surnames": surnames, "firsts": firsts, "org": org,
                                    "n": persons, "prefix": prefix})
        progress("employments")
        conn.execute(
            """insert into dossier.employment (record_id, annex, org_id, unit_id, subject_id,
                                               position, fte, contract_type, started_on, ended_on_job)
               select id, annex, org_id, unit_id, subject_id,
                      (array['docent', 'adviseur', 'teamleider', 'medewerker'])[1 + id %% 4],
                      0.6 + (id %% 5) * 0.1, 'permanent', collected_on, ended_on
                 from dossier.person_record where annex = 'A2' and id > %s""", (before,))
        progress(f"{absences_per_person} absences per person")
        conn.execute(
            """insert into dossier.absence (record_id, annex, org_id, unit_id, subject_id,
                                            first_day, last_day, percentage, reason_code)
               select r.id, r.annex, r.org_id, r.unit_id, r.subject_id,
                      date '2024-01-01' + ((r.id * 13 + g * 37) %% 700)::int,
                      date '2024-01-01' + ((r.id * 13 + g * 37) %% 700)::int + (g %% 9),
                      case when g %% 3 = 0 then 50 else 100 end,
                      (array['sickness', 'sickness', 'leave', 'working_time_reduction'])[1 + (r.id + g) %% 4]
                 from dossier.person_record r, generate_series(1, %s) g
                where r.annex = 'A2' and r.id > %s""", (absences_per_person, before))
        conn.execute("set local session_replication_role = origin")
        # statistics first: without them the check below was planned for empty tables (a nested
        # loop over 100,000 records ran for over 18 minutes). The tables, not their views: ANALYZE
        # skips a view (docs/security.md, "Reading through views")
        progress("statistics (analyze)")
        conn.execute("analyze dossier_store.subject, dossier_store.person_record, dossier_store.employment, "
                     "dossier_store.absence")
        progress("checking every detail row's record")
        for t in ("employment", "absence"):
            orphans = conn.execute(
                f"""select count(*) from dossier.{t} d where d.record_id > %s and not exists (
                        select from dossier.person_record r
                         where (r.id, r.annex, r.org_id, r.unit_id, r.subject_id)
                             = (d.record_id, d.annex, d.org_id, d.unit_id, d.subject_id))""",
                (before,)).fetchone()[0]
            if orphans:
                raise RuntimeError(f"generated {orphans} {t} rows without their record; rolled back")
        progress("committing")
    out = {}
    for t in ("subject", "person_record", "employment", "absence"):
        out[t] = conn.execute(f"select count(*) from dossier.{t}").fetchone()[0]
    return out


def write_hr_feed(path, persons: int, seed: int = 7, delimiter: str = ",", encoding: str = "utf-8",
                  first_id: int = 1, directies: tuple[str, ...] = ("VWS", "OCW", "SZW")) -> None:
    """A synthetic HR importer feed (contract §5) of `persons` fictitious people (Faker nl_NL):
    kolom Rijk › directie › afdeling › team, ids HR000001…, one in ten with an end date."""
    import csv

    from .importer import FIELDS

    f = Faker("nl_NL")
    f.seed_instance(seed)
    rnd = random.Random(seed)
    with open(path, "w", encoding=encoding, newline="") as out:
        w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        w.writerow(FIELDS)
        for i in range(first_id, first_id + persons):
            gender = rnd.choice("MVX" if rnd.random() < 0.02 else "MV")
            first = f.first_name_male() if gender == "M" else f.first_name_female()
            born = dt.date(1960, 1, 1) + dt.timedelta(days=rnd.randrange(0, 40 * 365))
            start = born + dt.timedelta(days=rnd.randrange(20 * 365, 25 * 365))
            end = start + dt.timedelta(days=rnd.randrange(30, 3000)) if rnd.random() < 0.1 else None
            prefix = rnd.choice(["", "", "", "van", "de", "van der"])
            w.writerow([f"HR{i:06d}", f.last_name(), prefix, first[0] + ".", first, "", "",
                        "Dhr." if gender == "M" else "Mevr.", "", "", gender, born.isoformat(), f.city(),
                        f"{first.lower()}.{i}@example.org", start.isoformat(),
                        end.isoformat() if end else "", f.job()[:60], "Rijk", rnd.choice(directies),
                        f"Afdeling {rnd.randint(1, 4)}", f"Team {rnd.randint(1, 3)}"])
