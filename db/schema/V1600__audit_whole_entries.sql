-- dossier:run-as superuser
-- The audit as evidence (issue 15.1, 15.4): every column that says what happened is under the
-- hash, and a payload's hash is salted so a redacted value cannot be tested.
--
-- - audit.change.salt: 16 random bytes per entry; payload_hash = sha256(salt || payload as
--   text). Redaction nulls the salt with the payload, so nobody can test a candidate value
--   against the hash that stays.
-- - audit.change.schema_name: 'dossier' for personal-data entries; the controls (grants, matrix,
--   retention, requests, migrations: db/policies/1105_audit_controls.sql) write their own schema.
-- - audit.change_hashed: the canonical encoding of an entry (docs/architecture.md, "Audit"),
--   defined here and not in db/functions/ because the chain stores hashes of it: changing it
--   needs a migration like this one, which re-hashes what was sealed.
-- - audit.chain.entry_ids / entry_hashes: what each seal covered, entry by entry, so `audit
--   verify` names the entry that was changed or deleted, not only the seal.
-- - Entries already written are re-hashed: their payloads salted, the hashes of payloads redacted
--   before this migration blinded (a random prefix, discarded), every link recomputed. The old
--   chain hashes are kept in audit.rehashed_link (the server log's witness lines name them), and
--   the re-hash is itself an entry (schema audit, table chain), sealed with the next seal, and a
--   LOG line.
-- Superuser: the re-hash rewrites append-only tables past their triggers
-- (session_replication_role); what it creates is handed to dossier_owner.

alter table audit.change
    add column salt bytea,
    add column schema_name name not null default 'dossier',
    add constraint change_salt_with_payload check (salt is null or payload is not null);
comment on column audit.change.salt is
    '16 random bytes; payload_hash = sha256(salt || payload as text). Nulled with the payload on '
    'redaction (004 art. 14), so the hash that stays cannot be matched by trying candidate values.';
comment on column audit.change.schema_name is
    'dossier: a personal-data table; privacy, dossier_migrate, audit: a control (issue 15.3).';
comment on column audit.change.payload_hash is
    'sha256(salt || payload as text), kept after redaction; entries written before V1600 and '
    'redacted before it: a blinded hash.';

alter table audit.chain
    add column entry_ids bigint[],
    add column entry_hashes bytea[];
comment on column audit.chain.entry_ids is 'The ids of the entries this seal covered, in order.';
comment on column audit.chain.entry_hashes is
    'The entry hashes (audit.change_hashed.entry_hash) this seal covered, in id order; entries_hash '
    'is sha256 of their concatenation.';

-- The canonical encoding: the JSON array below as PostgreSQL's json_build_array prints it (elements
-- separated by ", ", strings JSON-escaped, UTF-8), hashed with sha256. `at` in microseconds since
-- 1970-01-01 UTC, so the encoding does not depend on the session's TimeZone or DateStyle.
create view audit.change_hashed as
select c.*,
       pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.json_build_array(
           c.id, (extract(epoch from c.at) * 1000000)::bigint, c.txid,
           c.session_user_name::text, c.current_user_name::text, c.application_name,
           c.client_addr::text, c.schema_name::text, c.table_name::text, c.operation, c.annex,
           c.subject_id, c.record_id, c.row_id, pg_catalog.encode(c.payload_hash, 'hex'))::text,
           'UTF8')) as entry_hash
  from audit.change c;
alter view audit.change_hashed owner to dossier_owner;
revoke all on audit.change_hashed from public;
comment on view audit.change_hashed is
    'audit.change with each entry''s hash over every column that says what happened (issue 15.1): '
    'sha256 of the json_build_array text of [id, at (µs since epoch, UTC), txid, session_user_name, '
    'current_user_name, application_name, client_addr, schema_name, table_name, operation, annex, '
    'subject_id, record_id, row_id, hex(payload_hash)].';

create table audit.rehashed_link (
    seq             bigint primary key,
    old_chain_hash  bytea not null,
    rehashed_at     timestamptz not null default now()
);
alter table audit.rehashed_link owner to dossier_owner;
comment on table audit.rehashed_link is
    'Chain hashes of seals made before V1600 re-hashed the chain: the server log''s witness lines '
    'of those seals name these.';

-- Re-hash the chain from the seal after the last dropped partition's anchor (entries dropped by
-- retention cannot be re-hashed; verify trusts the chain up to the anchor, as before).
create function audit.rehash_chain() returns integer
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    anchor record;
    l record;
    e record;
    prev bytea;
    n integer := 0;
    old_head bytea := (select c.chain_hash from audit.chain c order by c.seq desc limit 1);
    new_head bytea;
begin
    -- salt the payloads still present; blind the hashes of payloads already redacted
    update audit.change set salt = pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) where payload is not null and salt is null;
    update audit.change set payload_hash = pg_catalog.sha256(salt || pg_catalog.convert_to(payload::text, 'UTF8'))
     where payload is not null;
    update audit.change set payload_hash = pg_catalog.sha256(pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) || payload_hash)
     where payload is null and operation <> 'TRUNCATE';
    -- redactions are on record from now on (audit.redact_records); those made before, here
    insert into audit.change (current_user_name, schema_name, table_name, operation, payload, salt, payload_hash)
    select session_user, 'audit', 'change', 'UPDATE', p, s, pg_catalog.sha256(s || pg_catalog.convert_to(p::text, 'UTF8'))
      from (select pg_catalog.jsonb_build_object('redacted_ids', pg_catalog.array_agg(c.id order by c.id),
                                                 'redacted_at', c.redacted_at) as p,
                   pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) as s
              from audit.change c where c.redacted_at is not null group by c.redacted_at) x;
    select * into anchor from audit.dropped_partition order by upto desc limit 1;
    prev := coalesce(anchor.last_chain_hash, '\x00');
    for l in select * from audit.chain c where c.seq > coalesce(anchor.last_seq, 0) order by c.seq loop
        select pg_catalog.array_agg(h.id order by h.id) as ids,
               pg_catalog.array_agg(h.entry_hash order by h.id) as hashes,
               pg_catalog.sha256(pg_catalog.string_agg(h.entry_hash, ''::bytea order by h.id)) as entries_hash
          into e from audit.change_hashed h where h.txid >= l.from_txid and h.txid < l.upto_txid;
        insert into audit.rehashed_link (seq, old_chain_hash) values (l.seq, l.chain_hash)
            on conflict (seq) do nothing;
        update audit.chain set entry_ids = e.ids, entry_hashes = e.hashes,
                               entries_hash = coalesce(e.entries_hash, pg_catalog.sha256(''::bytea)),
                               prev_hash = prev,
                               chain_hash = pg_catalog.sha256(prev || coalesce(e.entries_hash, pg_catalog.sha256(''::bytea)))
         where seq = l.seq
        returning chain_hash into prev;
        n := n + 1;
    end loop;
    new_head := (select c.chain_hash from audit.chain c order by c.seq desc limit 1);
    if not exists (select from audit.change) then
        return 0;   -- a new database: nothing to re-hash, nothing to record
    end if;
    -- the re-hash is on record: an entry of its own, sealed with the next seal
    insert into audit.change (current_user_name, schema_name, table_name, operation, payload, salt, payload_hash)
    select session_user, 'audit', 'chain', 'UPDATE', p, s, pg_catalog.sha256(s || pg_catalog.convert_to(p::text, 'UTF8'))
      from (select pg_catalog.jsonb_build_object('rehashed_links', n, 'by', 'V1600__audit_whole_entries',
                                                 'old_head', pg_catalog.encode(old_head, 'hex'),
                                                 'new_head', pg_catalog.encode(new_head, 'hex')) as p,
                   pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) as s) x;
    raise log 'dossier audit rehash: database % links % old_head % new_head %',
        (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()),
        n, pg_catalog.encode(old_head, 'hex'), pg_catalog.encode(new_head, 'hex');
    return n;
end
$$;
alter function audit.rehash_chain() owner to dossier_owner;
revoke all on function audit.rehash_chain() from public;
comment on function audit.rehash_chain() is
    'One-off (V1600): salt the payloads, blind redacted hashes, re-hash every seal over whole entries.';

set local session_replication_role = replica;
select audit.rehash_chain();
reset session_replication_role;
