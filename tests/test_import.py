"""The HR importer feed (contract §5), issue 7: validation of every row before writing, set-based
sync, idempotence, leavers, encodings, atomicity (a killed import), and the importer's privileges."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from dossier.demo import write_hr_feed
from dossier.importer import FIELDS

from .conftest import invoke_cli, run_cli

ORG = "DEMO-LOP"


def row(pid: str, **kw) -> dict:
    base = dict.fromkeys(FIELDS, "")
    base.update(person_id=pid, surname=f"Achternaam{pid}", initials="A.", first_names="Anna", gender="V",
                birth_date="1980-02-03", email=f"{pid.lower()}@example.org", start_date="2010-01-01",
                function="Beleidsmedewerker", kolom="Rijk", directie="VWS", afdeling="Financiën", team="Team 1")
    base.update(kw)
    return base


def write(path: Path, rows: list[dict], delimiter: str = ",", encoding: str = "utf-8",
          header: list[str] | None = None) -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        w.writerow(header or FIELDS)
        for r in rows:
            w.writerow([r.get(c, "") for c in (header or FIELDS)])
    return path


def imp(dsn: str, path: Path, *args: str) -> subprocess.CompletedProcess:
    return invoke_cli("import", "hr", str(path), "--org", ORG, "--format", "json", *args, dsn=dsn)


def summary(p: subprocess.CompletedProcess) -> dict:
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def state(conn) -> tuple:
    """Everything an import may touch, counted."""
    return conn.execute(
        """select (select count(*) from dossier.subject), (select count(*) from dossier.person_record),
                  (select count(*) from dossier.employment), (select count(*) from dossier.org_unit),
                  (select count(*) from audit.change), (select count(*) from privacy.import_run),
                  (select count(*) from dossier.record_key)""").fetchone()


def test_happy_path_creates_people_records_employment_and_units(demo_dsn, demo_admin, tmp_path):
    feed = tmp_path / "feed.csv"
    write_hr_feed(feed, 40, seed=3)
    units_before = demo_admin.execute("select count(*) from dossier.org_unit").fetchone()[0]
    s = summary(imp(demo_dsn, feed))
    assert s["rows_read"] == 40 and s["inserted"] == 40 and s["updated"] == 0 and s["unchanged"] == 0
    units = demo_admin.execute("select count(*) from dossier.org_unit").fetchone()[0] - units_before
    assert s["units_created"] == units > 0
    # every person: a TP record from the importer, in the unit its path names, with employment
    rows = {r["person_id"]: r for r in csv.DictReader(open(feed, encoding="utf-8"))}
    got = demo_admin.execute(
        """select r.admin_number, r.surname, r.birth_date, r.email, u.name, u.kind, p.name, e.position,
                  e.started_on, r.legal_basis, r.source
             from dossier.person_record r join dossier.org_unit u on u.id = r.unit_id
             join dossier.org_unit p on p.id = u.parent_id
             join dossier.employment e on e.record_id = r.id and e.annex = r.annex
            where r.annex = 'TP' and r.admin_number like 'HR%'""").fetchall()
    assert len(got) == 40
    for pid, surname, born, email, unit, kind, parent, position, started, basis, source in got:
        src = rows[pid]
        assert (surname, born.isoformat(), email, unit, kind, parent, position, started.isoformat()) == (
            src["surname"], src["birth_date"], src["email"], src["team"], "team", src["afdeling"],
            src["function"], src["start_date"])
        assert (basis, source) == ("consent", "hr_importer")
    # the unit tree kolom > directie > afdeling > team hangs under the organisation
    assert demo_admin.execute(
        """select k.kind, o.code from dossier.org_unit k join dossier.org_unit o on o.id = k.parent_id
            where k.name = 'Rijk'""").fetchall() == [("kolom", ORG)]
    # audited, as the importer
    who = demo_admin.execute("select distinct current_user_name, table_name, operation from audit.change "
                        "where current_user_name = 'dossier_importer' order by 2").fetchall()
    assert who == [("dossier_importer", "employment", "INSERT"), ("dossier_importer", "person_record", "INSERT")]
    assert demo_admin.execute("select inserted, units_created from privacy.import_run").fetchall() == [(40, units)]


def test_an_imported_subtree_is_one_range_of_unit_ids(logins, tmp_path):
    """The row guard bounds a login's rows by its lowest and highest unit id, and a grant whose
    units are not one range is refused (privacy.scope_gap). Made level by level, an imported
    directie's teams lay among the other directies': a grant on one was refused. The importer
    makes units in preorder, so every imported subtree is one range, and the grant is accepted."""
    admin = logins.admin
    last = admin.execute("select max(id) from dossier.org_unit").fetchone()[0]
    feed = tmp_path / "tree.csv"
    write_hr_feed(feed, 80, seed=7)
    assert summary(imp(logins.cluster.dsn(logins.db), feed))["units_created"] > 10
    trees = admin.execute(
        """select p.code, count(*), max(c.id) - min(c.id) + 1 from dossier.org_unit p
             join dossier.org_unit c on c.path like p.path || '%%' where p.id > %s group by p.code""",
        (last,)).fetchall()
    assert [t for t in trees if t[1] != t[2]] == []
    assert max(t[1] for t in trees) > 10   # the kolom: directies, afdelingen and teams below it
    directie = admin.execute("select code from dossier.org_unit where id > %s and kind = 'directie' "
                             "order by id desc limit 1", (last,)).fetchone()[0]
    logins.grant("imported_manager", "school_manager", directie)
    assert admin.execute("select count(*) from privacy.scope_gap('imported_manager')").fetchone()[0] == 0


def test_every_invalid_row_is_reported_together_and_nothing_written(demo_dsn, demo_admin, tmp_path):
    rows = [
        row("OK1"),
        row("P2", surname=""),                                   # required
        row("P3", birth_date="2026-02-30"),                      # no such day
        row("P4", start_date="1-2-2020"),                        # neither form
        row("P5", gender="Q"),                                   # gender code
        row("P6", email="not-an-email"),                         # e-mail
        row("P7", start_date="2020-01-01", end_date="2019-12-31"),  # end before start
        row("OK1"),                                              # duplicate person_id
        row("", surname="Zonder", email="z@example.org"),        # person_id missing
        row("P10", function=""),                                 # function missing
        row("P11", birth_date="2090-01-01"),                     # birth in the future
        row("P 12", email="p12@example.org"),                    # id format
        row("P13", start_date=""),                               # start_date missing
    ]
    feed = write(tmp_path / "bad.csv", rows)
    with open(feed, "a", encoding="utf-8") as f:
        f.write("P14,too,few,fields\n")                          # wrong number of fields
    before = state(demo_admin)
    p = imp(demo_dsn, feed)
    assert p.returncode == 1
    problems = {(r["line"], r["field"], r["problem"]) for r in json.loads(p.stdout)}
    expected = {
        (3, "surname", "required"),
        (4, "birth_date", "not a date (YYYY-MM-DD or DD-MM-YYYY)"),
        (5, "start_date", "not a date (YYYY-MM-DD or DD-MM-YYYY)"),
        (6, "gender", "must be M, V or X"),
        (7, "email", "not an e-mail address"),
        (8, "end_date", "before start_date 2020-01-01"),
        (9, "person_id", "duplicate: also on line 2"),
        (10, "person_id", "required"),
        (11, "function", "required"),
        (12, "birth_date", "in the future"),
        (12, "start_date", "before birth_date"),
        (13, "person_id", "letters, digits, _ . - only, at most 40"),
        (14, "start_date", "required"),
        (15, "(row)", "4 fields where the header has 21"),
    }
    assert problems == expected
    assert "nothing was written" in p.stderr
    assert state(demo_admin) == before


def test_header_problems_empty_and_header_only_files(demo_dsn, demo_admin, tmp_path):
    before = state(demo_admin)
    p = imp(demo_dsn, write(tmp_path / "h.csv", [row("A1")], header=[*FIELDS[:-1], "shoe_size"]))
    assert p.returncode == 1
    assert {(r["field"], r["problem"]) for r in json.loads(p.stdout)} == {
        ("shoe_size", "unknown column"), ("team", "missing column")}
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    p = imp(demo_dsn, empty)
    assert p.returncode == 1 and "empty" in p.stderr
    p = imp(demo_dsn, write(tmp_path / "only.csv", []))
    assert p.returncode == 1 and "no rows" in p.stderr
    assert state(demo_admin) == before


def test_semicolon_bom_and_latin1_files(demo_dsn, demo_admin, tmp_path):
    names = [row("L1", surname="Çelik", first_names="Ëlif", birth_place="Zoëterwoude", afdeling="Financiën"),
             row("L2", surname="Ruïs", first_names="François", gender="M", prefix="van 't")]
    bom = write(tmp_path / "bom.csv", names[:1], delimiter=";", encoding="utf-8-sig")
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert summary(imp(demo_dsn, bom))["inserted"] == 1
    latin = write(tmp_path / "latin.csv", names[1:], encoding="latin-1")
    p = imp(demo_dsn, latin)
    assert p.returncode == 1 and "--encoding latin-1" in p.stderr, "Latin-1 bytes are not read as UTF-8"
    assert summary(imp(demo_dsn, latin, "--encoding", "latin-1"))["inserted"] == 1
    got = demo_admin.execute("select surname, first_names, birth_place, prefix from dossier.person_record "
                        "where admin_number in ('L1', 'L2') order by admin_number").fetchall()
    assert got == [("Çelik", "Ëlif", "Zoëterwoude", None), ("Ruïs", "François", None, "van 't")]
    assert demo_admin.execute("select count(*) from dossier.org_unit where name = 'Financiën'").fetchone()[0] == 1


def test_reimport_changes_nothing_and_audits_nothing(demo_dsn, demo_admin, tmp_path):
    feed = tmp_path / "feed.csv"
    write_hr_feed(feed, 30, seed=5)
    summary(imp(demo_dsn, feed))
    before = state(demo_admin)
    s = summary(imp(demo_dsn, feed))
    assert (s["inserted"], s["updated"], s["unchanged"], s["left"], s["units_created"]) == (0, 0, 30, 0, 0)
    after = state(demo_admin)
    assert after[:5] == before[:5], "no row and no audit entry written"
    assert after[5] == before[5] + 1, "the run itself is logged"
    # one changed field: one update, one audit entry with old -> new
    rows = list(csv.DictReader(open(feed, encoding="utf-8")))
    rows[4]["surname"] = "Anders"
    write(feed, rows)
    audit_before = before[4]
    s = summary(imp(demo_dsn, feed))
    assert (s["updated"], s["unchanged"]) == (1, 29)
    got = demo_admin.execute("select table_name, operation, payload from audit.change where id > "
                        "(select max(id) from audit.change) - %s order by id",
                        (state(demo_admin)[4] - audit_before,)).fetchall()
    assert [(t, o) for t, o, _ in got] == [("person_record", "UPDATE")]
    assert got[0][2]["surname"][1] == "Anders"


def test_leavers_by_end_date_and_by_full_feed(demo_dsn, demo_admin, tmp_path):
    rows = [row(f"F{i}") for i in range(6)]
    feed = write(tmp_path / "f.csv", rows)
    summary(imp(demo_dsn, feed))
    rows[0]["end_date"] = "31-10-2026"                     # a leaver, DD-MM-YYYY
    s = summary(imp(demo_dsn, write(feed, rows[:4])))      # F4 and F5 missing, but not --full
    assert (s["updated"], s["left"]) == (1, 1)
    assert demo_admin.execute("select count(*) from dossier.person_record where admin_number in ('F4', 'F5') "
                         "and ended_on is null").fetchone()[0] == 2, "a partial feed does not end anyone"
    # the demo's training-passport people came from the importer too: a complete feed without
    # them says they left as well
    demo_active = demo_admin.execute(
        """select count(*) from dossier.person_record r join dossier.org_unit o on o.id = r.org_id
            where o.code = %s and r.annex = 'TP' and r.source = 'hr_importer' and r.ended_on is null
              and r.admin_number not like 'F%%'""", (ORG,)).fetchone()[0]
    assert demo_active > 0
    s = summary(imp(demo_dsn, feed, "--full"))
    assert s["left"] == 2 + demo_active
    today = demo_admin.execute("select current_date").fetchone()[0]
    got = demo_admin.execute(
        """select r.admin_number, r.ended_on, e.ended_on_job from dossier.person_record r
             join dossier.employment e on e.record_id = r.id and e.annex = r.annex
            where r.admin_number like 'F%' and r.annex = 'TP' order by 1""").fetchall()
    assert got == [("F0", dt.date(2026, 10, 31), dt.date(2026, 10, 31)), ("F1", None, None), ("F2", None, None),
                   ("F3", None, None), ("F4", today, today), ("F5", today, today)]


def test_dry_run_writes_nothing_but_counts(demo_dsn, demo_admin, tmp_path):
    feed = tmp_path / "feed.csv"
    write_hr_feed(feed, 12, seed=9)
    before = state(demo_admin)
    s = summary(imp(demo_dsn, feed, "--dry-run"))
    assert s["inserted"] == 12 and s["units_created"] > 0 and s["dry_run"] is True
    assert state(demo_admin) == before


def test_into_a2_uses_the_personnel_annex_and_shares_the_subject(demo_dsn, demo_admin, tmp_path):
    feed = write(tmp_path / "a2.csv", [row("S1")])
    summary(imp(demo_dsn, feed, "--into", "TP"))
    summary(imp(demo_dsn, feed, "--into", "A2"))
    got = demo_admin.execute("select annex, legal_basis, subject_id from dossier.person_record "
                        "where admin_number = 'S1' order by annex").fetchall()
    assert [(a, b) for a, b, _ in got] == [("A2", "contract"), ("TP", "consent")]
    assert got[0][2] == got[1][2], "one person, one subject key, two purposes"


def test_unknown_organisation_is_a_clear_error(demo_dsn, tmp_path):
    p = run_cli("import", "hr", str(write(tmp_path / "x.csv", [row("X1")])), "--org", "NOPE", dsn=demo_dsn)
    assert p.returncode == 1 and "no organisation with code NOPE" in p.stderr


def _big_feed(path: Path, n: int) -> None:
    """A large valid feed without Faker (fast to write)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(FIELDS) + "\n")
        for i in range(n):
            f.write(f"K{i:07d},Naam{i},,A.,Anna,,,,,,V,1980-01-01,,k{i}@example.org,2010-01-01,,Medewerker,"
                    f"Rijk,VWS,Afdeling {i % 4},Team {i % 3}\n")


def test_killed_import_leaves_the_database_as_before(demo_dsn, demo_admin, tmp_path):
    feed = tmp_path / "big.csv"
    _big_feed(feed, 400_000)
    before = state(demo_admin)
    exe = Path(sys.executable).parent / "dossier"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DOSSIER_"))} | {"DOSSIER_DSN": demo_dsn}
    proc = subprocess.Popen([str(exe), "import", "hr", str(feed), "--org", ORG], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        copied = 0
        while time.monotonic() < deadline and copied < 1000:
            r = demo_admin.execute("select tuples_processed from pg_stat_progress_copy p join pg_stat_activity a "
                              "using (pid) where a.application_name = 'dossier'").fetchone()
            copied = r[0] if r else 0
            assert proc.poll() is None, "the import ended before it could be killed"
            time.sleep(0.01)
        assert copied >= 1000, "never saw the COPY under way"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # the server notices the dead client and rolls back; nothing is left behind
    deadline = time.monotonic() + 30
    while demo_admin.execute("select count(*) from pg_stat_activity where application_name = 'dossier'").fetchone()[0]:
        assert time.monotonic() < deadline, "the killed import's session lingers"
        time.sleep(0.1)
    assert state(demo_admin) == before


def test_importer_reads_and_writes_only_what_the_feed_needs(demo_dsn, demo_admin):
    with psycopg.connect(demo_dsn) as c:
        c.execute("set role dossier_importer")
        for stmt in ("select iban from dossier.person_record", "select bsn from dossier.person_record",
                     "select * from dossier.absence", "select * from dossier.salary",
                     "select payload from audit.change", "select * from privacy.role_grant",
                     "delete from dossier.person_record", "update dossier.person_record set iban = null"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(stmt)
            c.rollback()
            c.execute("set role dossier_importer")
        # outside an import run it reaches no organisation at all
        assert c.execute("select count(*) from dossier.person_record").fetchone()[0] == 0
        # it cannot name its own organisation (only the shell, before it takes the role)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("select privacy.begin_import('DEMO-EDU')")
        c.rollback()
        c.execute("reset role")
        c.execute("select privacy.begin_import('DEMO-LOP')")
        c.execute("set role dossier_importer")
        # rows of other annexes are invisible: the policies name A2 and TP only
        annexes = set(c.execute("select distinct annex from dossier.person_record").fetchall())
        assert annexes and annexes <= {("A2",), ("TP",)}
        # and only the run's organisation (issue 14 item 2): not another controller's A2 and TP rows
        orgs = c.execute("select distinct o.code from dossier.person_record r "
                         "join dossier.org_unit o on o.id = r.org_id").fetchall()
        assert orgs == [("DEMO-LOP",)]
        edu = demo_admin.execute("select id from dossier.org_unit where code = 'DEMO-EDU'").fetchone()[0]
        edu_unit = demo_admin.execute("select id from dossier.org_unit where org_id = %s and kind <> 'organisation' "
                                      "order by id limit 1", (edu,)).fetchone()[0]
        edu_record = demo_admin.execute("select id from dossier.person_record where org_id = %s and annex = 'A2' "
                                        "order by id limit 1", (edu,)).fetchone()[0]
        assert c.execute("update dossier.person_record set surname = 'X' where id = %s", (edu_record,)).rowcount == 0
        assert c.execute("update dossier.employment set position = 'X' where org_id = %s", (edu,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            c.execute("insert into dossier.org_unit (code, name, kind, parent_id) values ('EVIL-T', 'Evil', 'team', %s)",
                      (edu_unit,))
        c.rollback()
        c.execute("select privacy.begin_import('DEMO-LOP')")
        c.execute("set role dossier_importer")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("select dossier.new_subject_keys(%s, 1)", (edu,))
        c.rollback()
        c.execute("select privacy.begin_import('DEMO-LOP')")
        c.execute("set role dossier_importer")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("select admin_number from dossier.person_record_a3")


# -- hostile files (issue 19 item 3) ------------------------------------------------------------
SECRET = "s3cr3t-PASSWORD-that-must-never-be-echoed"


def run_measured(*args: str, dsn: str, timeout: float = 60, env: dict | None = None) -> tuple[int, str, str, float, int]:
    """Run `dossier` for real; (exit code, stdout, stderr, seconds, peak RSS in MiB) of that one
    process (os.wait4 gives its own rusage). Killed after `timeout` seconds (exit -9)."""
    import tempfile
    import threading

    exe = Path(sys.executable).parent / "dossier"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DOSSIER_"))} | {"DOSSIER_DSN": dsn} | (env or {})
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        p = subprocess.Popen([str(exe), *args], stdout=out, stderr=err, env=env)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return p.returncode, out.read(), err.read(), seconds, usage.ru_maxrss // 1024


def refused(dsn: str, path: Path, *args: str, expect: str, timeout: float = 60) -> str:
    """The import of a hostile file: exit 1, one line naming the problem, nothing echoed, bounded."""
    rc, out, err, seconds, rss = run_measured("import", "hr", str(path), "--org", ORG, *args, dsn=dsn,
                                              timeout=timeout)
    assert rc == 1, f"exit {rc} after {seconds:.1f} s: {err}"
    assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1, err
    assert expect in err, err
    assert SECRET not in out + err and "Traceback" not in err
    assert seconds < timeout / 2 and rss < 200, f"{seconds:.1f} s, {rss} MiB"
    return err


@pytest.fixture
def secret(tmp_path) -> Path:
    s = tmp_path / "pgpass"
    s.write_text(f"127.0.0.1:*:*:postgres:{SECRET}\n{SECRET},{SECRET}\n")
    s.chmod(0o600)
    return s


def test_a_symlink_is_refused_and_its_target_never_echoed(demo_dsn, demo_admin, tmp_path, secret):
    link = tmp_path / "staff.csv"
    link.symlink_to(secret)
    before = state(demo_admin)
    refused(demo_dsn, link, expect="is a symbolic link")
    # the file itself, named directly: not a feed header, and still not echoed
    refused(demo_dsn, secret, expect="line 1 is not a feed header")
    # the process's own environment (DOSSIER_DSN, PGPASSWORD …): NUL-separated, so not text
    rc, out, err, *_ = run_measured("import", "hr", "/proc/self/environ", "--org", ORG, dsn=demo_dsn,
                                    env={"PGPASSWORD": SECRET})
    assert rc == 1 and "contains a NUL byte" in err and SECRET not in out + err
    # a header with one known column and a secret beside it: only a short escaped excerpt
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(f"person_id,{SECRET}\n")
    escaped = tmp_path / "escaped.csv"
    escaped.write_text("person_id,\x1b[2Jx\n")
    rc, out, err, *_ = run_measured("import", "hr", str(mixed), "--org", ORG, "--format", "json", dsn=demo_dsn)
    unknown = [p for p in json.loads(out) if p["problem"] == "unknown column"]
    assert rc == 1 and len(unknown) == 1 and SECRET not in out
    assert unknown[0]["value"] == SECRET[:24] + "…", "at most a 24-character excerpt"
    rc, out, err, *_ = run_measured("import", "hr", str(escaped), "--org", ORG, "--format", "json", dsn=demo_dsn)
    assert rc == 1 and {p["value"] for p in json.loads(out) if p["problem"] == "unknown column"} == {"\\x1b[2Jx"}
    assert state(demo_admin) == before


@pytest.mark.parametrize("kind", ["dev_zero", "link_to_dev_zero", "fifo", "directory_link"])
def test_only_regular_files_are_read(demo_dsn, tmp_path, kind):
    path = tmp_path / "feed.csv"
    if kind == "dev_zero":
        path = Path("/dev/zero")
        expect = "is a device, not a regular file"
    elif kind == "link_to_dev_zero":
        path.symlink_to("/dev/zero")
        expect = "is a symbolic link"
    elif kind == "fifo":
        os.mkfifo(path)  # no writer: a plain open() would wait for ever
        expect = "is a FIFO, not a regular file"
    else:
        path.symlink_to(tmp_path)
        expect = "is a directory"  # click.Path refuses it before the importer sees it
    rc, out, err, seconds, rss = run_measured("import", "hr", str(path), "--org", ORG, dsn=demo_dsn, timeout=30)
    assert rc in (1, 2) and expect in err and seconds < 15 and rss < 200, (rc, err, seconds, rss)
    assert len([x for x in err.splitlines() if x.startswith("Error: ")]) == 1 and "Traceback" not in err


def test_a_huge_header_or_line_is_refused_in_bounded_time_and_memory(demo_dsn, demo_admin, tmp_path):
    before = state(demo_admin)
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n")
    refused(demo_dsn, wide, expect="line 1: longer than 65536 bytes")
    many = tmp_path / "many.csv"
    many.write_text(",".join([*FIELDS, *("x" for _ in range(1_000))]) + "\n")
    refused(demo_dsn, many, expect="the header has 1021 columns")
    long_line = tmp_path / "long.csv"
    long_line.write_text(",".join(FIELDS) + "\n" + "x" * 2_000_000 + "\n")
    refused(demo_dsn, long_line, expect="line 2: longer than 65536 bytes")
    # 4 GiB of nothing after the header (a sparse file: no disk used); a read of it whole would
    # need 4 GiB of memory
    sparse = tmp_path / "sparse.csv"
    with open(sparse, "wb") as f:
        f.write((",".join(FIELDS) + "\n").encode())
        f.truncate(4 << 30)
    refused(demo_dsn, sparse, expect="line 2: longer than 65536 bytes")
    # a quote never closed makes one record of the rest of the file: bounded like a line
    quote = tmp_path / "quote.csv"
    quote.write_text(",".join(FIELDS) + "\n" + '"' + "abc\n" * 50_000)
    refused(demo_dsn, quote, expect="a record longer than 65536 characters")
    assert state(demo_admin) == before


def test_a_feed_creating_too_many_units_is_refused(demo_dsn, demo_admin, tmp_path):
    feed = tmp_path / "units.csv"
    with open(feed, "w", encoding="utf-8") as f:
        f.write(",".join(FIELDS) + "\n")
        for i in range(10_000):  # 1 kolom, 1 directie, 1 afdeling and 10,000 teams: 10,003 new units
            f.write(f"U{i:05d},Naam{i},,A.,Anna,,,,,,V,1980-01-01,,u{i}@example.org,2010-01-01,,Medewerker,"
                    f"Nieuwkolom,Nieuwdirectie,Nieuwafdeling,Team {i}\n")
    before = state(demo_admin)
    refused(demo_dsn, feed, expect="would create 10003 new units under DEMO-LOP, more than --max-new-units 100")
    assert state(demo_admin) == before
    # the count is exact: units that exist are not new
    small = write(tmp_path / "small.csv", [row("N1"), row("N2", team="Team 2")])
    assert summary(imp(demo_dsn, small))["units_created"] == 5
    assert summary(imp(demo_dsn, small, "--max-new-units", "0"))["units_created"] == 0
    one_more = write(tmp_path / "more.csv", [row("N1"), row("N2", team="Team 3")])
    p = imp(demo_dsn, one_more, "--max-new-units", "0")
    assert p.returncode == 1 and "would create 1 new units" in p.stderr


def test_bad_encodings_give_one_line_naming_the_line(demo_dsn, tmp_path):
    ascii_ = {"afdeling": "Afdeling 1"}
    latin = write(tmp_path / "latin.csv", [row("L1", **ascii_), row("L2", **ascii_), row("L3", surname="Ruïs", **ascii_)],
                  encoding="latin-1")
    p = imp(demo_dsn, latin)
    assert p.returncode == 1 and "line 4: not valid UTF-8 at byte" in p.stderr and "--encoding latin-1" in p.stderr
    for enc, expect in (("nonsense", "unknown encoding 'nonsense'"), ("utf-16", "not ASCII-compatible")):
        p = imp(demo_dsn, latin, "--encoding", enc)
        assert p.returncode == 2 and expect in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_many_bad_rows_are_counted_and_the_first_thousand_listed(demo_dsn, demo_admin, tmp_path):
    feed = write(tmp_path / "bad.csv", [row(f"B{i}", gender="Q") for i in range(3000)])
    before = state(demo_admin)
    p = imp(demo_dsn, feed)
    assert p.returncode == 1 and "3000 problem(s) (the first 1000 listed); nothing was written" in p.stderr
    listed = json.loads(p.stdout)
    assert len(listed) == 1000 and listed[0]["line"] == 2 and listed[-1]["line"] == 1001
    assert state(demo_admin) == before
