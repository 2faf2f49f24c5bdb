"""The audit as evidence (issue 15; issue 14.4): whole entries under the hash, salted payload
hashes, signed digests kept outside the database, the controls' own history, logs that forget,
audit retention. Every tamper is done as a superuser with triggers off."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time

import psycopg
import pytest

from dossier.cluster import pg_bindir
from dossier.migrate import Migrator, Step, discover

from .conftest import run_cli

SCHOOL = "DEMO-EDU-S1"


def verify(dsn: str, *args: str) -> tuple[int, str, str]:
    p = run_cli("audit", "verify", "--format", "json", *args, dsn=dsn)
    return p.returncode, p.stdout, p.stderr


def superuser(dsn: str) -> psycopg.Connection:
    su = psycopg.connect(dsn, autocommit=True)
    su.execute("set session_replication_role = replica")
    return su


def sealed_entry(admin) -> int:
    """A sealed person_record UPDATE entry (every column filled but client_addr)."""
    rec = admin.execute("select id from dossier.person_record where annex = 'A2' order by id limit 1").fetchone()[0]
    admin.execute("update dossier.person_record set city = 'Bewijsstad' where id = %s", (rec,))
    admin.execute("select audit.seal()")
    return admin.execute("select max(id) from audit.change where table_name = 'person_record'").fetchone()[0]


def log_texts(admin) -> dict[str, str]:
    return {n: t for n, t in admin.execute(
        "select name, pg_read_file('log/' || name) from pg_ls_logdir() order by name")}


def wait_for_log(admin, needle: str) -> None:
    for _ in range(100):  # the logging collector writes asynchronously
        if any(needle in t for t in log_texts(admin).values()):
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never reached the server log")


# -- 15.1: every column under the hash ---------------------------------------------------------
COLUMN_EDITS = {
    "id": None,  # an identity column: moved by delete + insert (below)
    "at": "at = at - interval '3 days'",
    "txid": "txid = txid - 1",
    "session_user_name": "session_user_name = 'mallory'",
    "current_user_name": "current_user_name = 'mallory'",
    "application_name": "application_name = 'innocent-app'",
    "client_addr": "client_addr = '10.6.6.6'",
    "schema_name": "schema_name = 'privacy'",
    "table_name": "table_name = 'leave'",
    "operation": "operation = 'DELETE'",
    "annex": "annex = 'A3'",
    "subject_id": "subject_id = subject_id + 1",
    "record_id": "record_id = record_id + 1",
    "row_id": "row_id = row_id + 1",
    "payload": "payload = jsonb_set(payload, '{city}', '[\"Bewijsstad\", \"Valsstad\"]')",
    "payload_hash": "payload_hash = sha256('forged')",
    "salt": "salt = sha256('forged')",
    # a redaction nobody put on record (audit.redact_records() does)
    "redacted_at": "payload = null, salt = null, redacted_at = now()",
}


def test_the_edits_cover_every_column(demo_admin):
    cols = {c for (c,) in demo_admin.execute(
        "select column_name from information_schema.columns where table_schema = 'audit' and table_name = 'change'")}
    assert cols == set(COLUMN_EDITS)


@pytest.mark.parametrize("column", sorted(COLUMN_EDITS))
def test_an_edit_of_any_column_is_found_and_names_the_entry(demo_admin, demo_dsn, column):
    entry = sealed_entry(demo_admin)
    assert verify(demo_dsn)[0] == 0
    with superuser(demo_dsn) as su:
        if column == "id":
            cols = [c for (c,) in su.execute(
                "select column_name from information_schema.columns where table_schema = 'audit' "
                "and table_name = 'change' and column_name <> 'id' order by ordinal_position")]
            listed = ", ".join(cols)
            n = su.execute(f"with d as (delete from audit.change where id = %s returning *) "
                           f"insert into audit.change (id, {listed}) overriding system value "
                           f"select id + 1000000, {listed} from d", (entry,)).rowcount
        else:
            n = su.execute(f"update audit.change set {COLUMN_EDITS[column]} where id = %s", (entry,)).rowcount
        assert n == 1
    rc, out, err = verify(demo_dsn)
    assert rc == 1, out + err
    bad = json.loads(out)[0]
    assert bad["change_id"] == entry and str(entry) in bad["problem"], bad


def test_the_canonical_encoding_is_as_documented(demo_admin):
    """docs/architecture.md: sha256 of the JSON array as json_build_array prints it; recomputed here in Python."""
    demo_admin.execute("set application_name = 'quote \" back\\\\slash'")  # ASCII: PostgreSQL's rule
    rec = demo_admin.execute("select id from dossier.person_record where annex = 'A2' order by id limit 1").fetchone()[0]
    demo_admin.execute("update dossier.person_record set city = 'Codeerstad' where id = %s", (rec,))
    rows = demo_admin.execute(
        """select id, (extract(epoch from at) * 1000000)::bigint, txid, session_user_name::text,
                  current_user_name::text, application_name, client_addr::text, schema_name::text,
                  table_name::text, operation, annex, subject_id, record_id, row_id, encode(payload_hash, 'hex'),
                  entry_hash
             from audit.change_hashed order by id desc limit 50""").fetchall()
    assert any(r[5] and '"' in r[5] and "\\" in r[5] for r in rows)
    for r in rows:
        text = json.dumps(list(r[:15]), ensure_ascii=False)
        assert hashlib.sha256(text.encode()).digest() == bytes(r[15]), text


# -- deletions and re-seals, against digests ---------------------------------------------------
def keys(tmp_path, name="k") -> tuple[str, str]:
    key = tmp_path / name
    p = run_cli("audit", "keygen", "--key", str(key), check=True)
    assert "public key" in p.stdout
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    return str(key), str(key) + ".pub"


def digest(dsn: str, key: str, out) -> str:
    run_cli("audit", "digest", "--key", key, "-o", str(out), dsn=dsn, check=True)
    return str(out)


def several_seals(admin, n: int = 4) -> None:
    rec = admin.execute("select id from dossier.person_record where annex = 'A2' order by id limit 1").fetchone()[0]
    for i in range(n):
        admin.execute("update dossier.person_record set city = %s where id = %s", (f"Zegelstad {i}", rec))
        admin.execute("select audit.seal()")


def wipe_server_log(cluster) -> None:
    """What a superuser who covers their tracks does to the witness lines."""
    for f in (cluster.datadir / "log").iterdir():
        f.open("w").close()


@pytest.mark.parametrize("tamper", ["entry", "middle_seal", "last_seals_resealed"])
def test_a_removal_or_reseal_since_a_digest_fails(cluster, demo_admin, demo_dsn, tmp_path, tamper):
    several_seals(demo_admin)
    key, pub = keys(tmp_path)
    d = digest(demo_dsn, key, tmp_path / "before.json")
    rc, out, err = verify(demo_dsn, "--digest", d, "--public-key", pub)
    assert rc == 0, out + err
    with superuser(demo_dsn) as su:
        last = su.execute("select max(seq) from audit.chain").fetchone()[0]
        if tamper == "entry":
            su.execute("delete from audit.change where id = (select entry_ids[1] from audit.chain where seq = %s)",
                       (last - 1,))
        elif tamper == "middle_seal":
            su.execute("delete from audit.chain where seq = %s", (last - 2,))
        else:
            # remove an entry, then the last three seals, and seal again: a consistent chain
            su.execute("delete from audit.change where id = (select entry_ids[1] from audit.chain where seq = %s)",
                       (last - 1,))
            su.execute("delete from audit.chain where seq > %s", (last - 3,))
            su.execute("reset session_replication_role")
            su.execute("select audit.seal()")
            wipe_server_log(cluster)
            rc, out, err = verify(demo_dsn)
            assert rc == 0, "without a digest the re-sealed chain looks whole: " + out + err
    rc, out, err = verify(demo_dsn, "--digest", d, "--public-key", pub)
    assert rc == 1, out + err
    assert json.loads(out)[0]["problem"]


def test_a_digest_signed_with_another_key_or_edited_is_refused(demo_admin, demo_dsn, tmp_path):
    several_seals(demo_admin, 1)
    key, pub = keys(tmp_path, "ours")
    other, _ = keys(tmp_path, "theirs")
    forged = digest(demo_dsn, other, tmp_path / "forged.json")
    rc, out, err = verify(demo_dsn, "--digest", forged, "--public-key", pub)
    assert rc == 1 and "signature does not verify" in err, out + err
    good = digest(demo_dsn, key, tmp_path / "good.json")
    doc = json.loads(open(good).read())
    doc["digest"]["seq"] -= 1
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    rc, out, err = verify(demo_dsn, "--digest", str(edited), "--public-key", pub)
    assert rc == 1 and "signature does not verify" in err, out + err
    assert verify(demo_dsn, "--digest", good, "--public-key", pub)[0] == 0
    # the key from the environment, as the docs' timer does
    p = run_cli("audit", "digest", dsn=demo_dsn, env={"DOSSIER_AUDIT_KEY": key})
    assert p.returncode == 0 and json.loads(p.stdout)["digest"]["chain_hash"]


def test_a_digest_of_another_database_is_refused(cluster, demo_admin, demo_dsn, dsn, tmp_path):
    several_seals(demo_admin, 1)
    key, pub = keys(tmp_path)
    d = digest(demo_dsn, key, tmp_path / "demo.json")
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("insert into dossier.org_unit (code, name, kind) values ('ELDERS', 'Elders', 'organisation')")
        other.execute("select audit.seal()")
    rc, out, err = verify(dsn, "--digest", d, "--public-key", pub)
    assert rc == 1 and "of database" in err, out + err


# -- issue 14.4: the seal witness cannot be forged ---------------------------------------------
def test_forged_seal_witness_by_a_school_manager_is_ignored(cluster, demo_db, logins):
    dsn = cluster.dsn(demo_db)
    assert verify(dsn)[0] == 0
    logins.grant("Mallory_Witness", "school_manager", SCHOOL)
    me = logins.connect("Mallory_Witness", application_name="pg_cron")
    me.execute("""do $$ begin
                    raise log 'dossier audit seal: database % seq 999999 chain_hash %',
                        (select oid from pg_database where datname = current_database()), repeat('ab', 32);
                  end $$""")
    wait_for_log(logins.admin, "seq 999999 chain_hash")
    rc, out, err = verify(dsn)
    assert rc == 0, "a line any login can write must not fail the chain: " + out + err


# -- 15.3: the controls are audited --------------------------------------------------------------
def test_controls_appear_in_audit_log_controls_with_who_and_when(cluster, demo_db, logins):
    admin = logins.admin
    dsn = cluster.dsn(demo_db)
    admin.execute("set application_name = 'control-test'")
    logins.grant("Ctl_Carla", "hr_officer", "DEMO-EDU", reason="controle-test")
    admin.execute("select privacy.revoke_access('Ctl_Carla', 'hr_officer')")
    admin.execute("update privacy.access_rule set note = 'matrix changed by test' "
                  "where (role, annex, category) = (select role, annex, category from privacy.access_rule "
                  "order by 1, 2, 3 limit 1)")
    subject = admin.execute("select min(subject_id) from dossier.person_record").fetchone()[0]
    admin.execute("insert into privacy.legal_hold (subject_id, reason) values (%s, 'test hold')", (subject,))
    admin.execute("insert into privacy.restriction (subject_id) values (%s)", (subject,))
    probe = Step("versioned", "schema/V9990__control_probe.sql", "9990",
                 "comment on schema audit is 'change audit (control probe)';")
    Migrator(admin, steps=[*discover(), probe]).run()
    rows = json.loads(run_cli("audit", "log", "--controls", "--limit", "2000", "--format", "json",
                              dsn=dsn, check=True).stdout)
    got = {(r["table"], r["operation"]) for r in rows}
    for want in [("privacy.role_grant", "INSERT"), ("privacy.role_grant", "UPDATE"),
                 ("privacy.access_rule", "UPDATE"), ("privacy.legal_hold", "INSERT"),
                 ("privacy.restriction", "INSERT"), ("dossier_migrate.applied", "INSERT")]:
        assert want in got, want
    assert all(r["login"] and r["at"] for r in rows)
    revoke = next(r for r in rows if r["table"] == "privacy.role_grant" and r["operation"] == "UPDATE")
    change = json.loads(revoke["change"])
    assert change["revoked_by"][0] is None and change["revoked_by"][1] == "postgres", change
    # the hand edit, then the migration that re-applied the matrix and so put the note back
    edit, reapplied = sorted((r for r in rows if r["table"] == "privacy.access_rule"), key=lambda r: r["id"])
    assert json.loads(edit["change"])["note"][1] == "matrix changed by test"
    assert json.loads(reapplied["change"])["note"][0] == "matrix changed by test"
    mig = next(r for r in rows if r["table"] == "dossier_migrate.applied"
               and json.loads(r["change"]).get("name") == "schema/V9990__control_probe.sql")
    assert mig["login"] == "postgres" and json.loads(mig["change"])["checksum"] == probe.checksum
    # the matrix re-applied by every migrate (delete and insert) writes only the rules that changed
    n = admin.execute("select count(*) from audit.change where table_name = 'access_rule'").fetchone()[0]
    assert n == 2
    # the privacy officer reads them, and the chain still verifies
    logins.grant("Ctl_Fg", "privacy_officer", "DEMO-EDU", reason="fg")
    fg = logins.connect("Ctl_Fg")
    assert fg.execute("select count(*) from audit.control_change").fetchone()[0] > len(rows)  # + its own grant
    assert verify(dsn)[0] == 0


# -- 15.4: redacted values cannot be guessed back; logs forget -----------------------------------
NAME, IBAN, PHONE, OLD_PHONE = "Vergeetmenietje", "NL91ABNA0417164300", "0612345678", "0687654321"


def test_after_an_erasure_no_file_holds_the_person_and_hashes_cannot_be_tested(cluster, demo_db, logins):
    admin = logins.admin
    dsn = cluster.dsn(demo_db)
    subject = admin.execute("insert into dossier.subject (org_id) select id from dossier.org_unit "
                            "where code = 'DEMO-EDU' returning id").fetchone()[0]
    rec = admin.execute(
        """insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname,
                                              phone, iban)
           select 'A1', %s, o.id, o.id, 'consent', 'test', %s, %s, %s
             from dossier.org_unit o where o.code = 'DEMO-EDU' returning id""",
        (subject, NAME, OLD_PHONE, IBAN)).fetchone()[0]
    admin.execute("update dossier.person_record set phone = %s where id = %s", (PHONE, rec))
    upd = admin.execute("select id, salt, payload_hash, payload from audit.change where record_id = %s "
                        "and operation = 'UPDATE'", (rec,)).fetchone()

    def matches(candidate: str, salt: bytes | None) -> bool:
        return admin.execute(
            "select sha256(coalesce(%s::bytea, ''::bytea) || convert_to(jsonb_build_object('phone', "
            "jsonb_build_array(%s::text, %s::text))::text, 'UTF8')) = %s",
            (salt, candidate, PHONE, upd[2])).fetchone()[0]

    assert matches(OLD_PHONE, upd[1]), "with the salt, the right candidate matches (the test is sound)"
    # a read with parameters: pgaudit logs them
    logins.grant("Ctl_Hr", "hr_officer", "DEMO-EDU")
    hr = logins.connect("Ctl_Hr")
    hr.execute("select surname, phone from dossier.person_record where surname = %s and iban = %s",
               (NAME, IBAN)).fetchall()
    wait_for_log(admin, NAME)
    r = json.loads(run_cli("request", "open", "--type", "erasure", "--subject", str(subject), "--format", "json",
                           dsn=dsn, check=True).stdout)
    run_cli("request", "close", str(r["id"]), "--decision", "granted", "--reason", "verzoek tot verwijdering",
            dsn=dsn, check=True)
    salt, payload = admin.execute("select salt, payload from audit.change where id = %s", (upd[0],)).fetchone()
    assert salt is None and payload is None
    for candidate in (OLD_PHONE, PHONE, "0600000000"):
        assert not matches(candidate, None), "a redacted hash must not be testable"
    # logs: rotate, then the retention job as on a day past the retention period
    admin.execute("select pg_rotate_logfile()")
    time.sleep(1.1)
    admin.execute("select pg_rotate_logfile()")  # a second file name (per second)
    for _ in range(50):
        current = admin.execute("select pg_current_logfile('csvlog')").fetchone()[0]
        if not any(NAME in t for n, t in log_texts(admin).items() if "log/" + n == current):
            break
        time.sleep(0.1)
    removed = admin.execute("select audit.remove_expired_logs(now() + interval '8 days')").fetchone()[0]
    assert removed >= 1
    for name, text in log_texts(admin).items():
        for secret in (NAME, IBAN, PHONE, OLD_PHONE):
            assert secret not in text, f"{secret} still in the server log {name}"
    dump = subprocess.run([str(pg_bindir() / "pg_dump"), "--data-only", dsn], capture_output=True, text=True,
                          check=True).stdout
    assert "Ctl_Hr" in dump or "role_grant" in dump  # the dump is real
    for secret in (NAME, IBAN, PHONE, OLD_PHONE):
        assert secret not in dump, f"{secret} still in the database"
    assert verify(dsn)[0] == 0
    traces = admin.execute("select audit.erasure_traces()").fetchone()[0]
    assert "84 maanden" in traces and "7 dagen" in traces


# -- 15.5: audit retention runs -------------------------------------------------------------------
def test_audit_retention_drops_partitions_past_the_limit_and_verify_resumes(demo_admin, demo_dsn):
    several_seals(demo_admin, 2)
    assert verify(demo_dsn)[0] == 0
    demo_admin.execute("set role dossier_retention")
    assert demo_admin.execute("select audit.drop_expired_partitions()").fetchone()[0] == 0
    dropped = demo_admin.execute(
        "select audit.drop_expired_partitions(now() + interval '85 months')").fetchone()[0]
    demo_admin.execute("reset role")
    assert dropped >= 1
    anchor = demo_admin.execute("select last_seq from audit.dropped_partition order by upto desc limit 1").fetchone()[0]
    assert anchor is not None
    several_seals(demo_admin, 1)  # the chain goes on
    rc, out, err = verify(demo_dsn)
    assert rc == 0, out + err
    status = json.loads(run_cli("retention", "status", "--format", "json", dsn=demo_dsn).stdout)
    assert status["audit_retention"]["months"] == 84 and status["audit_retention"]["partitions_dropped"] == dropped


# -- 15.1: the migration that re-hashes what was sealed before it ---------------------------------
def test_the_rehash_migration_turns_a_legacy_chain_into_a_whole_entry_chain(cluster, demo_admin, demo_dsn):
    several_seals(demo_admin, 2)
    rec, subject = demo_admin.execute("select id, subject_id from dossier.person_record where annex = 'A2' "
                                      "order by id desc limit 1").fetchone()
    with superuser(demo_dsn) as su:
        # the state before V1600: unsalted payload hashes, links over payload hashes only
        su.execute("update audit.change set salt = null, payload_hash = sha256(convert_to(payload::text, 'UTF8')) "
                   "where payload is not null")
        su.execute("update audit.change set payload = null, redacted_at = now() where subject_id = %s", (subject,))
        su.execute("""do $$ declare l record; prev bytea := '\\x00'; h bytea; begin
                        for l in select * from audit.chain order by seq loop
                          select sha256(string_agg(payload_hash, ''::bytea order by id)) into h from audit.change
                           where txid >= l.from_txid and txid < l.upto_txid;
                          update audit.chain set entry_ids = null, entry_hashes = null, entries_hash = h,
                                 prev_hash = prev, chain_hash = sha256(prev || h) where seq = l.seq
                          returning chain_hash into prev;
                        end loop; end $$""")
        old = dict(su.execute("select seq, chain_hash from audit.chain").fetchall())
        # the server log's witness lines of those seals, as the legacy seals wrote them
        wipe_server_log(cluster)
        su.execute("""do $$ declare l record; begin
                        for l in select * from audit.chain order by seq loop
                          raise log 'dossier audit seal: database % seq % chain_hash %',
                              (select oid from pg_database where datname = current_database()), l.seq,
                              encode(l.chain_hash, 'hex');
                        end loop; end $$""")
        wait_for_log(su, f"seq {max(old)} chain_hash {bytes(old[max(old)]).hex()}")
        assert su.execute("select audit.rehash_chain()").fetchone()[0] == len(old)
    rc, out, err = verify(demo_dsn)
    assert rc == 0, out + err
    assert dict(demo_admin.execute("select seq, old_chain_hash from audit.rehashed_link").fetchall()) == old
    rows = json.loads(run_cli("audit", "log", "--controls", "--format", "json", dsn=demo_dsn, check=True).stdout)
    rehash = next(r for r in rows if r["table"] == "audit.chain")
    assert json.loads(rehash["change"])["rehashed_links"] == len(old)
    # legacy redacted hashes are blinded: the unsalted hash of the old payload is gone
    assert demo_admin.execute("select count(*) from audit.change where subject_id = %s and salt is null "
                              "and payload is null", (subject,)).fetchone()[0] > 0


def test_the_privacy_officer_takes_a_digest_without_reading_payloads(cluster, demo_db, logins, tmp_path):
    several_seals(logins.admin, 1)
    key, pub = keys(tmp_path)
    logins.grant("Digest_Fenna", "privacy_officer", "DEMO-EDU", reason="digests")
    fg = cluster.dsn(demo_db, user="Digest_Fenna")
    d = digest(fg, key, tmp_path / "fg.json")
    body = json.loads(open(d).read())["digest"]
    assert body["database"]["name"] == demo_db and len(body["chain_hash"]) == 64
    rc, out, err = verify(cluster.dsn(demo_db), "--digest", d, "--public-key", pub)
    assert rc == 0, out + err


def test_a_privacy_officer_cannot_keep_a_request_off_the_record(cluster, demo_db, logins):
    """The rows already audited in a transaction are kept where no login can write (not in a
    setting, which any login may set): marking a row as seen is refused, the request is on record."""
    logins.grant("Hide_Hanna", "privacy_officer", "DEMO-EDU", reason="fg")
    me = logins.connect("Hide_Hanna")
    subject = logins.admin.execute("select min(subject_id) from dossier.person_record").fetchone()[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        me.execute("insert into audit.control_seen values (txid_current(), 'privacy.subject_request'::regclass, "
                   "'{\"id\": 1}')")
    with me.transaction():
        me.execute("set local dossier.audit_control_seen = 'anything'")
        rid = me.execute("select privacy.open_request(%s, 'access', null, current_date, true, null)",
                         (subject,)).fetchone()[0]
    n = logins.admin.execute("select count(*) from audit.change where schema_name = 'privacy' "
                             "and table_name = 'subject_request' and row_id = %s and session_user_name = 'Hide_Hanna'",
                             (rid,)).fetchone()[0]
    assert n == 1
