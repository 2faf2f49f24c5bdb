"""`dossier audit reads` (issue 18 item 8, issue 17 item 8): the csv log read through SQL into
audit.read, incrementally; parameters used; a read never attributed to the wrong subject; reads
that name no subject marked; the product's own maintenance left out; --limit and --since."""

from __future__ import annotations

import json
import time

from .conftest import run_cli

SCHOOL = "DEMO-EDU-S1"


def reads(dsn: str, *args: str) -> list[dict]:
    return json.loads(run_cli("audit", "reads", "--format", "json", *args, dsn=dsn, check=True).stdout)


def wait_reads(dsn: str, login: str, n: int) -> list[dict]:
    for _ in range(100):  # the logging collector writes asynchronously
        rows = reads(dsn, "--login", login, "--limit", "1000")
        if len(rows) >= n:
            return rows
        time.sleep(0.1)
    raise AssertionError(f"only {len(rows)} of {n} reads by {login} logged")


def school_subjects(admin, n: int) -> list[int]:
    return [s for (s,) in admin.execute(
        """select distinct r.subject_id from dossier.person_record r join dossier.org_unit u on u.id = r.unit_id
            where r.annex = 'A2' and u.code like %s order by 1 limit %s""", (SCHOOL + "%", n))]


def test_a_parameterised_read_is_attributed_by_its_parameter(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    s = school_subjects(logins.admin, 1)[0]
    logins.grant("Param_Piet", "school_manager", SCHOOL)
    me = logins.connect("Param_Piet")
    me.execute("select surname from dossier.person_record where subject_id = %s", (s,)).fetchall()  # $1
    rows = wait_reads(dsn, "Param_Piet", 1)
    assert "$1" in rows[0]["statement"] and rows[0]["subjects"] == str(s) and rows[0]["annex"] == "A2"
    assert any(r["login"] == "Param_Piet" for r in reads(dsn, "--subject", str(s)))


def test_a_steered_statement_is_never_someone_elses_read(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    a, b = school_subjects(logins.admin, 2)
    logins.grant("Steer_Sam", "school_manager", SCHOOL)
    me = logins.connect("Steer_Sam")
    steered = [f"select surname from dossier.person_record where subject_id = {a} or subject_id = {b}",
               f"select surname from dossier.person_record where subject_id = {b - 1} + 1",
               f"select surname from dossier.person_record where surname = 'subject_id = {a}'",
               f"select surname from dossier.person_record /* subject_id = {a} */ where true"]
    for q in steered:
        me.execute(q).fetchall()
    me.execute(f"select surname from dossier.person_record where subject_id in ({b})").fetchall()
    rows = wait_reads(dsn, "Steer_Sam", len(steered) + 1)
    by_stmt = {r["statement"]: r["subjects"] for r in rows}
    assert sorted(by_stmt.values()) == ["*"] * len(steered) + [str(b)], by_stmt
    # under --subject: only the exact read; the others are "any subject", listed with --unattributed
    exact = reads(dsn, "--subject", str(b), "--login", "Steer_Sam")
    assert [r["subjects"] for r in exact] == [str(b)]
    assert reads(dsn, "--subject", str(a), "--login", "Steer_Sam") == []
    marked = reads(dsn, "--subject", str(a), "--login", "Steer_Sam", "--unattributed")
    assert len(marked) == len(steered) and {r["subjects"] for r in marked} == {"*"}
    p = run_cli("audit", "reads", "--subject", str(a), "--login", "Steer_Sam", dsn=dsn, check=True)
    assert f"{len(steered)} reads named no subject" in p.stderr
    # no value of the statements is kept: string literals masked
    assert all(f"'subject_id = {a}'" not in r["statement"] for r in rows)


def test_maintenance_is_left_out_and_limit_and_since_apply(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    s = school_subjects(logins.admin, 1)[0]
    logins.grant("Lim_Lotte", "school_manager", SCHOOL)
    me = logins.connect("Lim_Lotte")
    for _ in range(3):
        me.execute("select surname from dossier.person_record where subject_id = %s", (s,)).fetchall()
    wait_reads(dsn, "Lim_Lotte", 3)
    assert len(reads(dsn, "--login", "Lim_Lotte", "--limit", "2")) == 2
    assert reads(dsn, "--login", "Lim_Lotte", "--since", "2999-01-01") == []
    # the demo load ran as the superuser through `dossier` (application_name dossier): maintenance
    everything = reads(dsn, "--limit", "100000")
    assert everything and all(r["application"] != "dossier" or r["login"] != "postgres" for r in everything)
    n = logins.admin.execute("select count(*) from audit.read where maintenance and database_name = current_database()"
                             ).fetchone()[0]
    if n:
        assert len(reads(dsn, "--limit", "100000", "--maintenance")) > len(everything)
    # incremental: collecting again adds nothing new
    again = logins.admin.execute("select audit.collect_reads()").fetchone()[0]
    assert again <= 5  # at most the lines written since (this test's own reads of audit.read are not audited)
