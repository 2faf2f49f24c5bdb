"""Demo data (contract §6): synthetic, deterministic, covering every annex and detail table."""

import datetime as dt
import json

import psycopg

from dossier.demo import EDU, LOP, generate, load_demo

from .conftest import run_cli

TODAY = dt.date(2026, 11, 1)


def test_demo_covers_both_organisations_every_annex_and_detail(dsn):
    with psycopg.connect(dsn) as conn:
        summary = load_demo(conn, TODAY)
        assert "records A1" in summary
        kinds = dict(conn.execute(
            "select u.code, u.kind from dossier.org_unit u where u.code in (%s, %s)",
            (EDU, LOP)).fetchall())
        assert kinds == {EDU: "organisation", LOP: "organisation"}
        schools = conn.execute(
            "select count(*) from dossier.org_unit s where s.kind = 'school' and exists ("
            "select from dossier.org_unit t where t.parent_id = s.id and t.kind = 'team')"
        ).fetchone()[0]
        assert schools >= 3
        chains = conn.execute(
            """select count(distinct d.id) from dossier.org_unit d
                 join dossier.org_unit a on a.parent_id = d.id and a.kind = 'afdeling'
                 join dossier.org_unit t on t.parent_id = a.id and t.kind = 'team'
                where d.kind = 'directie' and d.org_id = (select id from dossier.org_unit
                                                           where code = %s)""", (LOP,)).fetchone()[0]
        assert chains == 3
        annexes = {r[0] for r in conn.execute("select distinct annex from dossier.person_record")}
        assert annexes == {"A1", "A2", "A3", "A4", "A5", "A6", "FS", "TP"}
        for (table,) in conn.execute(
                "select table_name from privacy.personal_table order by 1").fetchall():
            n = conn.execute(f"select count(*) from dossier.{table}").fetchone()[0]
            assert n > 0, f"demo has no rows in dossier.{table}"
        assert load_demo(conn, TODAY) == "already loaded"


def test_demo_is_deterministic_and_synthetic(cluster, template):
    from .conftest import clone, drop

    names = []
    for _ in range(2):
        db = clone(cluster, template)
        try:
            with psycopg.connect(cluster.dsn(db)) as conn:
                load_demo(conn, TODAY)
                names.append(conn.execute(
                    "select string_agg(surname || coalesce(iban, '') || coalesce(bsn, ''), ',' "
                    "order by id) from dossier.person_record").fetchone()[0])
                emails = {r[0] for r in conn.execute(
                    "select distinct split_part(email, '@', 2) from dossier.person_record "
                    "where email is not null")}
                assert emails == {"demo.example"}
        finally:
            drop(cluster, db)
    assert names[0] == names[1]


def test_generate_adds_people_set_based(dsn):
    with psycopg.connect(dsn) as conn:
        load_demo(conn, TODAY)
        before = conn.execute("select count(*) from dossier.subject").fetchone()[0]
        out = generate(conn, 1000, absences_per_person=3)
        assert out["subject"] == before + 1000
        added = conn.execute(
            "select annex, count(*) from dossier.person_record where source = 'generated' "
            "group by annex order by annex").fetchall()
        assert added == [("A2", 1000), ("A3", 1000), ("TP", 200)]
        assert conn.execute(
            "select count(*) from dossier.absence a join dossier.person_record r "
            "on r.id = a.record_id where r.source = 'generated'").fetchone()[0] == 3000


def test_cli_up_demo_path_and_generate(dsn):
    run_cli("demo", "load", dsn=dsn, check=True)
    p = run_cli("demo", "generate", "--persons", "50", "--format", "json", dsn=dsn, check=True)
    assert json.loads(p.stdout)["persons_added"] == 50
    bad = run_cli("demo", "generate", "--persons", "5", "--org", "NOPE", dsn=dsn)
    assert bad.returncode == 1 and "no organisation unit 'NOPE'" in bad.stderr
