-- Change audit (db/schema/V1100__audit.sql): capture, chain, redaction, verification, partitions.

-- INSERT, DELETE, TRUNCATE: statement-level capture with transition tables (bulk loads stay fast).
-- SECURITY DEFINER: no application role may INSERT into audit.change itself, so entries cannot
-- be forged; the role in effect is read from the `role` setting, which only SET ROLE changes.
create or replace function audit.capture() returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    who name := case when pg_catalog.current_setting('role') = 'none' then session_user
                     else pg_catalog.current_setting('role')::name end;
    app text := pg_catalog.current_setting('application_name');
begin
    if tg_op = 'INSERT' then
        insert into audit.change (current_user_name, application_name, table_name, operation, annex,
                                  subject_id, record_id, row_id, payload, salt, payload_hash)
        select who, app, tg_table_name, 'INSERT', j->>'annex', (j->>'subject_id')::bigint,
               coalesce((j->>'record_id')::bigint, (j->>'id')::bigint), (j->>'id')::bigint,
               j, salt, pg_catalog.sha256(salt || pg_catalog.convert_to(j::text, 'UTF8'))
          from (select pg_catalog.to_jsonb(r) as j, pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) as salt
                  from new_rows r offset 0) s;  -- offset 0: to_jsonb and the salt once per row
    elsif tg_op = 'DELETE' then
        insert into audit.change (current_user_name, application_name, table_name, operation, annex,
                                  subject_id, record_id, row_id, payload, salt, payload_hash)
        select who, app, tg_table_name, 'DELETE', j->>'annex', (j->>'subject_id')::bigint,
               coalesce((j->>'record_id')::bigint, (j->>'id')::bigint), (j->>'id')::bigint,
               j, salt, pg_catalog.sha256(salt || pg_catalog.convert_to(j::text, 'UTF8'))
          from (select pg_catalog.to_jsonb(r) as j, pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) as salt
                  from old_rows r offset 0) s;
    else  -- TRUNCATE: one entry for the statement
        insert into audit.change (current_user_name, application_name, table_name, operation, payload,
                                  payload_hash)
        values (who, app, tg_table_name, 'TRUNCATE', null, pg_catalog.sha256(''::bytea));
    end if;
    return null;
end
$$;
comment on function audit.capture() is 'Write audit.change rows for an INSERT, DELETE or TRUNCATE statement on a personal-data table.';

-- Updates, row by row: only the changed columns, {column: [old, new]} as their text forms, found
-- by `hstore(new) - hstore(old)` (C). A row trigger without transition tables: for the common
-- single-row update this costs about a third of the statement trigger it replaces (which stored
-- both rows in tuplestores, joined them and walked every column as jsonb), and a bulk update
-- paid that walk per row anyway. An update that changes nothing but updated_at writes nothing.
-- Its argument names the table (the parent, where a row trigger fires on a partition).
-- SECURITY DEFINER, like capture().
create or replace function audit.capture_update() returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    o ext.hstore := ext.hstore(old);
    n ext.hstore := ext.hstore(new);
    diff jsonb;
    salt bytea;
begin
    select pg_catalog.jsonb_object_agg(e.key, pg_catalog.jsonb_build_array(o operator(ext.->) e.key, e.value))
      into diff
      from ext.each(n operator(ext.-) o) e
     where e.key <> 'updated_at';
    if diff is not null then
        salt := pg_catalog.uuid_send(pg_catalog.gen_random_uuid());
        insert into audit.change (current_user_name, application_name, table_name, operation, annex,
                                  subject_id, record_id, row_id, payload, salt, payload_hash)
        values (case when pg_catalog.current_setting('role') = 'none' then session_user
                     else pg_catalog.current_setting('role')::name end,
                pg_catalog.current_setting('application_name'), tg_argv[0], 'UPDATE',
                n operator(ext.->) 'annex', (n operator(ext.->) 'subject_id')::bigint,
                coalesce(n operator(ext.->) 'record_id', n operator(ext.->) 'id')::bigint,
                (n operator(ext.->) 'id')::bigint,
                diff, salt, pg_catalog.sha256(salt || pg_catalog.convert_to(diff::text, 'UTF8')));
    end if;
    return null;
end
$$;
comment on function audit.capture_update() is 'Write an audit.change row for each updated row of a personal-data table.';

-- A record keeps its annex (purpose binding, art. 5: another purpose is another record). This
-- also keeps the audit whole: an UPDATE moving a row to another annex partition runs as a DELETE
-- and an INSERT on the partitions, which fire neither capture_update nor the parent's statement
-- triggers.
create or replace function audit.refuse_annex_change() returns trigger
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
begin
    raise exception 'person_record %: a record keeps its annex (% -> % refused; make a new record for another purpose)',
        old.id, old.annex, new.annex
        using errcode = 'check_violation', column = 'annex';
end
$$;
drop trigger if exists person_record_annex_fixed on dossier_store.person_record;
create trigger person_record_annex_fixed before update of annex on dossier_store.person_record
    for each row when (old.annex is distinct from new.annex) execute function audit.refuse_annex_change();

-- Seal (db/schema/V1420__audit_seals.sql, V1600): link the entries of every transaction that
-- finished since the last seal into the chain. Run by pg_cron every minute and by `dossier
-- audit verify` before it verifies. Entries are written without waiting for anyone; what a seal
-- protects is what was committed before it (an entry forged between two seals is sealed with the
-- rest: the interval is the window, docs/architecture.md). A seal covers whole entries
-- (audit.change_hashed, the canonical encoding) and keeps their ids and hashes, so verify names
-- the entry that changed. Each link is also written to the server log (a witness for the tail;
-- `dossier audit digest` is the copy kept outside). The product lock 'audit_seal' makes one seal at a time.
-- SECURITY DEFINER: the chain is written by no application role.
drop function if exists audit.link_transaction() cascade;
create or replace function audit.seal() returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    last record;
    lo bigint;
    hi bigint := pg_catalog.txid_snapshot_xmin(pg_catalog.txid_current_snapshot());
    e record;
    link record;
begin
    perform privacy.take_product_lock('audit_seal');
    delete from audit.control_seen s where s.txid < hi;   -- finished transactions' marks
    select c.upto_txid, c.chain_hash into last from audit.chain c order by c.seq desc limit 1;
    lo := coalesce(last.upto_txid, (select min(c.txid) from audit.change c));
    if lo is null or hi <= lo then
        return 0;
    end if;
    select count(*) as n, min(h.id) as first_id, max(h.id) as last_id,
           pg_catalog.array_agg(h.id order by h.id) as ids,
           pg_catalog.array_agg(h.entry_hash order by h.id) as hashes,
           pg_catalog.sha256(pg_catalog.string_agg(h.entry_hash, ''::bytea order by h.id)) as entries_hash
      into e from audit.change_hashed h where h.txid >= lo and h.txid < hi;
    if e.n = 0 then
        return 0;   -- nothing to seal: the next seal covers this range too
    end if;
    insert into audit.chain (from_txid, upto_txid, n_entries, first_id, last_id, entries_hash, prev_hash,
                             chain_hash, entry_ids, entry_hashes)
    values (lo, hi, e.n, e.first_id, e.last_id, e.entries_hash, coalesce(last.chain_hash, '\x00'),
            pg_catalog.sha256(coalesce(last.chain_hash, '\x00') || e.entries_hash), e.ids, e.hashes)
    returning seq, chain_hash into link;
    -- the witness in the server log: `dossier audit verify` holds the chain to the lines that the
    -- sealing role's backend wrote (admin/dossier/audit.py, witness())
    raise log 'dossier audit seal: database % seq % chain_hash %',
        (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()),
        link.seq, pg_catalog.encode(link.chain_hash, 'hex');
    return e.n;
end
$$;
comment on function audit.seal() is
    'Link the audit entries of every transaction finished since the last seal into the chain; returns how many.';

-- Append-only: no UPDATE, DELETE or TRUNCATE for anyone, the owner included — except the
-- redaction of a payload (erasure), which nulls the payload and its salt and keeps every other
-- column and the hash.
create or replace function audit.refuse_change() returns trigger
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
begin
    raise exception 'audit.% is append-only: % refused', tg_table_name, tg_op
        using errcode = 'insufficient_privilege';
end
$$;

create or replace function audit.allow_redaction_only() returns trigger
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
begin
    if tg_op = 'UPDATE' then
        if new.payload is null and old.payload is not null and new.redacted_at is not null and new.salt is null
           and (pg_catalog.to_jsonb(new) - 'payload' - 'redacted_at' - 'salt')
               = (pg_catalog.to_jsonb(old) - 'payload' - 'redacted_at' - 'salt') then
            return new;
        end if;
    end if;
    raise exception 'audit.change is append-only: % refused (only the redaction of a payload is allowed)', tg_op
        using errcode = 'insufficient_privilege';
end
$$;

drop trigger if exists change_append_only on audit.change;
create trigger change_append_only before update or delete on audit.change
    for each row execute function audit.allow_redaction_only();
drop trigger if exists change_no_truncate on audit.change;
create trigger change_no_truncate before truncate on audit.change
    for each statement execute function audit.refuse_change();
drop trigger if exists chain_append_only on audit.chain;
create trigger chain_append_only before update or delete on audit.chain
    for each statement execute function audit.refuse_change();  -- refused even when no row matches
drop trigger if exists chain_no_truncate on audit.chain;
create trigger chain_no_truncate before truncate on audit.chain
    for each statement execute function audit.refuse_change();

-- Erasure (art. 13.5, art. 14, 15.5): null the audit payloads (and their salts) of erased
-- records, or of all a subject's records (p_records null); the hashes stay, so the chain still
-- verifies, and without the salt they cannot be matched by trying candidate values (issue
-- 15.4). The redaction is itself an entry (schema audit, table change: which entries, when), so
-- `audit verify` finds a payload nulled any other way.
-- SECURITY DEFINER: nobody holds UPDATE on audit.change; EXECUTE only for dossier_retention.
-- The one redaction: null the payloads and salts of these entries and record that it was done.
-- SECURITY DEFINER: nobody holds UPDATE on audit.change; only the definer functions below call it.
create or replace function audit.redact_ids(p_ids bigint[]) returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    ids bigint[];
    p jsonb;
    s bytea := pg_catalog.uuid_send(pg_catalog.gen_random_uuid());
begin
    with r as (
        update audit.change set payload = null, salt = null, redacted_at = pg_catalog.now()
         where id = any (p_ids) and payload is not null
        returning id)
    select pg_catalog.array_agg(id order by id) into ids from r;
    if ids is null then
        return 0;
    end if;
    p := pg_catalog.jsonb_build_object('redacted_ids', ids, 'redacted_at', pg_catalog.now());
    insert into audit.change (current_user_name, application_name, schema_name, table_name, operation,
                              payload, salt, payload_hash)
    values (case when pg_catalog.current_setting('role') = 'none' then session_user
                 else pg_catalog.current_setting('role')::name end,
            pg_catalog.current_setting('application_name'), 'audit', 'change', 'UPDATE',
            p, s, pg_catalog.sha256(s || pg_catalog.convert_to(p::text, 'UTF8')));
    return pg_catalog.cardinality(ids);
end
$$;
comment on function audit.redact_ids(bigint[]) is
    'Null the payloads and salts of these audit entries and record the redaction as an entry.';

create or replace function audit.redact_records(p_subjects bigint[], p_records bigint[]) returns integer
    language sql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
    select audit.redact_ids(array(select c.id from audit.change c
                                   where c.subject_id = any (p_subjects)
                                     and (p_records is null or c.record_id = any (p_records))
                                     and c.payload is not null))
$$;
comment on function audit.redact_records(bigint[], bigint[]) is
    'Null the audit payloads and salts of erased records (art. 14; records null: all of the subjects''); hashes and metadata stay.';

-- All of a subject's payloads (an erasure of everything).
create or replace function audit.redact_subject(p_subject bigint) returns integer
    language sql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$ select audit.redact_records(array[p_subject], null) $$;
comment on function audit.redact_subject(bigint) is
    'Null the audit payloads about a subject (erasure); hashes and metadata stay.';

-- Monthly partitions, made ahead (migration and nightly job).
create or replace function audit.ensure_partitions(p_months_ahead integer default 3) returns integer
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    m date;
    made integer := 0;
    name text;
begin
    for m in select pg_catalog.generate_series(pg_catalog.date_trunc('month', pg_catalog.now())::date,
                                                (pg_catalog.date_trunc('month', pg_catalog.now())
                                                 + pg_catalog.make_interval(months => p_months_ahead))::date,
                                                interval '1 month')::date
    loop
        name := 'change_' || pg_catalog.to_char(m, 'YYYY_MM');
        if pg_catalog.to_regclass('audit.' || name) is null then
            execute pg_catalog.format('create table audit.%I partition of audit.change for values from (%L) to (%L)',
                                      name, m, (m + interval '1 month')::date);
            made := made + 1;
        end if;
    end loop;
    return made;
end
$$;

-- The retention role drops whole months past the audit retention period (as of p_as_of: the
-- monthly job passes nothing), recording where the chain resumes. pg_cron runs it monthly
-- (db/policies/1900_cron.sql, `dossier-audit-retention`). SECURITY DEFINER: only the owner may
-- drop partitions; EXECUTE for dossier_retention.
drop function if exists audit.drop_expired_partitions();
create or replace function audit.drop_expired_partitions(p_as_of timestamptz default pg_catalog.now()) returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    p record;
    keep_from timestamptz := pg_catalog.date_trunc('month', p_as_of)
        - pg_catalog.make_interval(months => (select value::integer from privacy.setting
                                                where key = 'audit_retention_months'));
    n integer := 0;
    last record;
begin
    for p in
        select c.relname, (regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz as upto
          from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'audit.change'::regclass and c.relname <> 'change_default'
         order by 2
    loop
        exit when p.upto > keep_from;
        select ch.seq, ch.chain_hash into last from audit.chain ch
         where ch.first_id <= (select coalesce(max(id), 0) from audit.change where at < p.upto)
         order by ch.seq desc limit 1;
        insert into audit.dropped_partition (partition_name, upto, last_seq, last_chain_hash)
        values (p.relname, p.upto, last.seq, last.chain_hash);
        execute pg_catalog.format('drop table audit.%I', p.relname);
        n := n + 1;
    end loop;
    return n;
end
$$;
comment on function audit.drop_expired_partitions(timestamptz) is
    'Drop the audit partitions older than audit_retention_months (as of a date), recording where the chain resumes.';

-- Verify the chain and every entry; the first problem found, or nothing.
create or replace function audit.verify()
    returns table (problem text, chain_seq bigint, change_id bigint)
    language plpgsql stable security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    l record;
    prev bytea := '\x00';
    anchor record;
    e record;
    bad bigint;
    bad_payload bigint;     -- the first entry whose payload does not match its hash
    covered bigint := 0;    -- entries in the seals checked
    last_upto bigint;
    first_from bigint;      -- where the checked seals begin (after a dropped partition's anchor)
begin
    select * into anchor from audit.dropped_partition order by upto desc limit 1;
    for l in select * from audit.chain order by seq loop
        last_upto := l.upto_txid;
        if anchor.last_seq is not null and l.seq <= anchor.last_seq then
            prev := l.chain_hash;   -- entries dropped with their partition: trust up to the anchor
            if l.seq = anchor.last_seq and l.chain_hash <> anchor.last_chain_hash then
                problem := 'chain does not meet the anchor of dropped partition ' || anchor.partition_name;
                chain_seq := l.seq; return next; return;
            end if;
            continue;
        end if;
        first_from := coalesce(first_from, l.from_txid);
        if l.prev_hash <> prev then
            problem := 'chain broken: link does not follow the previous link';
            chain_seq := l.seq; change_id := l.first_id; return next; return;
        end if;
        if l.chain_hash <> pg_catalog.sha256(l.prev_hash || l.entries_hash) then
            problem := 'chain link altered';
            chain_seq := l.seq; change_id := l.first_id; return next; return;
        end if;
        if l.entry_hashes is not null
           and (l.entries_hash is distinct from (select pg_catalog.sha256(pg_catalog.string_agg(h, ''::bytea order by o))
                                                   from unnest(l.entry_hashes) with ordinality x(h, o))
                or pg_catalog.cardinality(l.entry_ids) <> l.n_entries
                or pg_catalog.cardinality(l.entry_hashes) <> l.n_entries
                or l.first_id <> l.entry_ids[1] or l.last_id <> l.entry_ids[l.n_entries]) then
            problem := 'chain link altered: its list of entries does not match its hash';
            chain_seq := l.seq; change_id := l.first_id; return next; return;
        end if;
        -- one pass over the seal's entries, held to the ids and hashes it covered (a hash join, no
        -- sort): each entry's whole-entry hash, and each payload against its own hash
        select count(c.id) as n,
               min(s.id) filter (where c.id is null) as gone,
               min(c.id) filter (where s.id is null) as extra,
               min(c.id) filter (where c.entry_hash <> s.h) as changed,
               min(c.id) filter (where c.payload is not null
                                   and c.payload_hash <> pg_catalog.sha256(coalesce(c.salt, ''::bytea)
                                                                           || pg_catalog.convert_to(c.payload::text, 'UTF8')))
                   as bad_payload
          into e
          from (select h.id, h.entry_hash, h.payload, h.payload_hash, h.salt from audit.change_hashed h
                 where h.txid >= l.from_txid and h.txid < l.upto_txid) c
          full join unnest(l.entry_ids, l.entry_hashes) s(id, h) on s.id = c.id;
        covered := covered + e.n;
        bad_payload := least(bad_payload, e.bad_payload);
        if l.entry_ids is null or e.n <> l.n_entries or e.gone is not null or e.extra is not null
           or e.changed is not null then
            bad := least(e.gone, e.extra, e.changed);
            problem := case when l.entry_ids is null
                            then pg_catalog.format('seal %s has no list of its entries (made before V1600 and not '
                                                   're-hashed)', l.seq)
                            when bad is null
                            then pg_catalog.format('entries of transactions %s to %s were deleted, inserted or '
                                                   'reordered (%s entries now, %s when sealed)',
                                                   l.from_txid, l.upto_txid - 1, e.n, l.n_entries)
                            when bad = e.gone then pg_catalog.format('entry %s was deleted (or moved) after seal %s',
                                                                     bad, l.seq)
                            when bad = e.extra then pg_catalog.format('entry %s was inserted into the range of seal %s '
                                                                      'after it was sealed', bad, l.seq)
                            else pg_catalog.format('entry %s was modified after seal %s: it does not match '
                                                   'its hash when sealed', bad, l.seq) end;
            chain_seq := l.seq; change_id := coalesce(bad, l.first_id); return next; return;
        end if;
        prev := l.chain_hash;
    end loop;
    -- the payloads not sealed yet, and those of seals before the anchor (the others were checked
    -- with their seal)
    select least(bad_payload, min(c.id)) into bad_payload from audit.change c
     where (c.txid >= coalesce(last_upto, 0) or c.txid < first_from) and c.payload is not null
       and c.payload_hash <> pg_catalog.sha256(coalesce(c.salt, ''::bytea)
                                               || pg_catalog.convert_to(c.payload::text, 'UTF8'));
    if bad_payload is not null then
        problem := pg_catalog.format('entry %s modified: its payload does not match its hash', bad_payload);
        change_id := bad_payload; return next; return;
    end if;
    -- a payload nulled other than by audit.redact_records(), which puts every redaction on record
    for e in
        select c.id from audit.change c
          left join (select x.id::bigint as id, (r.payload->>'redacted_at')::timestamptz as t
                       from audit.change r
                      cross join lateral pg_catalog.jsonb_array_elements_text(r.payload->'redacted_ids') x(id)
                      where r.schema_name = 'audit' and r.table_name = 'change' and r.payload ? 'redacted_ids') red
            on red.id = c.id and red.t = c.redacted_at
         where c.redacted_at is not null and red.id is null
         order by c.id limit 1
    loop
        problem := pg_catalog.format('entry %s modified: its payload was nulled with no redaction on record', e.id);
        change_id := e.id; return next; return;
    end loop;
    -- a transaction id not issued yet cannot have written anything
    for e in
        select c.id from audit.change c
         where c.txid >= pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot())
         order by c.id limit 1
    loop
        problem := 'entry inserted out of band: its transaction id has not been issued yet';
        change_id := e.id; return next; return;
    end loop;
    -- below the last seal every entry lies in a sealed range (links made per transaction before
    -- V1420 leave gaps between them): as many entries as the seals checked hold, else find the one
    if (select count(*) from audit.change c
         where c.txid < coalesce(last_upto, 0) and c.at >= coalesce(anchor.upto, '-infinity')) = covered then
        return;
    end if;
    for e in
        select c.id from audit.change c
          left join lateral (select ch.upto_txid from audit.chain ch where ch.from_txid <= c.txid
                              order by ch.from_txid desc limit 1) k on true
         where c.txid < (select ch.upto_txid from audit.chain ch order by ch.seq desc limit 1)
           and (k.upto_txid is null or k.upto_txid <= c.txid)
           and c.at >= coalesce(anchor.upto, '-infinity')
         order by c.id limit 1
    loop
        problem := 'entry inserted out of band: its transaction is in no sealed range';
        change_id := e.id; return next; return;
    end loop;
end
$$;
comment on function audit.verify() is 'Check the hash chain and every audit entry; returns the first problem.';

-- The chain head for `dossier audit digest`: the last seal and the database's identity (the
-- cluster's system identifier, the database's oid and name), which a digest names so that it
-- cannot be held against another database. SECURITY DEFINER: pg_control_system() is for
-- superusers only; this hands out its one public field, nothing else.
create or replace function audit.head()
    returns table (seq bigint, from_txid bigint, upto_txid bigint, chain_hash text, sealed_at timestamptz,
                   n_entries bigint, system_identifier text, database_oid bigint, database_name name)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    select c.seq, (select min(x.from_txid) from audit.chain x), c.upto_txid, pg_catalog.encode(c.chain_hash, 'hex'),
           c.sealed_at, (select sum(x.n_entries) from audit.chain x)::bigint,
           (select s.system_identifier::text from pg_catalog.pg_control_system() s),
           (select d.oid::bigint from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()),
           pg_catalog.current_database()
      from audit.chain c order by c.seq desc limit 1
$$;
comment on function audit.head() is 'The last seal of the chain and the database identity, for a signed digest.';

-- The controls are audited too (issue 15.3): a change to the grants register, the access matrix,
-- technical access, retention rules, settings, legal holds, restrictions, requests and applied
-- migrations is an entry in the same chain, with who, when, and the row (insert, delete) or the
-- changed columns {column: [old, new]} with the key columns' values (update). A deferred row trigger: it runs at commit and
-- records the net change per row, so a policy file that deletes and re-inserts the matrix on every
-- migrate writes entries only for the rules that changed. Triggers: db/policies/1105_audit_controls.sql.
-- SECURITY DEFINER, like capture(): no role may write audit.change itself.
create or replace function audit.capture_control() returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    pk text[];
    key jsonb;
    first integer;
    before jsonb := case when tg_op = 'INSERT' then null else pg_catalog.to_jsonb(old) end;
    after jsonb;
    p jsonb;
    op text;
    s bytea;
    r jsonb;
begin
    select pg_catalog.array_agg(a.attname::text order by k.o) into pk
      from pg_catalog.pg_index i
     cross join lateral unnest(i.indkey) with ordinality k(attnum, o)
      join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
     where i.indrelid = tg_relid and i.indisprimary;
    r := case when tg_op = 'DELETE' then pg_catalog.to_jsonb(old) else pg_catalog.to_jsonb(new) end;
    key := (select pg_catalog.jsonb_object_agg(k, r -> k) from unnest(pk) k);
    -- the first event of a row in this transaction holds its state before; later ones add nothing
    insert into audit.control_seen (txid, rel, key) values (pg_catalog.txid_current(), tg_relid, key)
        on conflict do nothing;
    get diagnostics first = row_count;
    if first = 0 then
        return null;
    end if;
    execute pg_catalog.format('select pg_catalog.to_jsonb(t) from %s t where (%s) = (select %s from '
                              'pg_catalog.jsonb_populate_record(null::%s, $1) r)', tg_relid::regclass,
                              (select pg_catalog.string_agg(pg_catalog.format('t.%I', k), ', ') from unnest(pk) k),
                              (select pg_catalog.string_agg(pg_catalog.format('r.%I', k), ', ') from unnest(pk) k),
                              tg_relid::regclass)
        using key into after;
    if before is null and after is null then
        return null;
    elsif before is null then
        op := 'INSERT'; p := after;
    elsif after is null then
        op := 'DELETE'; p := before;
    else
        op := 'UPDATE';
        select pg_catalog.jsonb_object_agg(k, pg_catalog.jsonb_build_array(before -> k, after -> k)) into p
          from pg_catalog.jsonb_object_keys(after) k where (before -> k) is distinct from (after -> k);
        if p is null then
            return null;
        end if;
        p := key || p;   -- the key columns as they are, so the entry names its row
    end if;
    r := coalesce(after, before);
    s := pg_catalog.uuid_send(pg_catalog.gen_random_uuid());
    insert into audit.change (current_user_name, application_name, schema_name, table_name, operation, annex,
                              subject_id, row_id, payload, salt, payload_hash)
    values (case when pg_catalog.current_setting('role') = 'none' then session_user
                 else pg_catalog.current_setting('role')::name end,
            pg_catalog.current_setting('application_name'), tg_table_schema, tg_table_name, op, r ->> 'annex',
            (r ->> 'subject_id')::bigint,
            case when pg_catalog.jsonb_typeof(r -> 'id') = 'number' then (r ->> 'id')::bigint end,
            p, s, pg_catalog.sha256(s || pg_catalog.convert_to(p::text, 'UTF8')));
    return null;
end
$$;
comment on function audit.capture_control() is
    'At commit: write the net change of a row of a control table (grants, matrix, rules, requests, migrations) to audit.change.';

-- Audit metadata without the payloads: what the privacy officer reads (contract §3).
create or replace view audit.change_metadata as
select id, at, txid, session_user_name, current_user_name, application_name, client_addr, table_name,
       operation, annex, subject_id, record_id, row_id, payload_hash, redacted_at,
       case when payload is null then null else (select array_agg(k order by k) from jsonb_object_keys(payload) k)
       end as columns,
       schema_name
  from audit.change;
comment on view audit.change_metadata is 'audit.change without payloads: who changed what, when (art. 10).';

-- The audit of the controls, with their old and new values (`dossier audit log --controls`):
-- grants, rules, holds, restrictions, requests and migrations are the privacy officer's to check.
create or replace view audit.control_change as
select id, at, session_user_name, current_user_name, application_name, schema_name, table_name, operation,
       subject_id, row_id, payload, redacted_at
  from audit.change
 where schema_name <> 'dossier';
comment on view audit.control_change is
    'Changes to the controls (issue 15.3): grants, access matrix, technical access, retention rules and '
    'settings, legal holds, restrictions, requests, applied migrations, re-hashes and redactions.';

-- Where traces of an erased person remain, and for how long (issue 15.4): the sentence for the
-- erasure letter (Dutch, like the letter), from the settings that govern each trace.
create or replace function audit.erasure_traces() returns text
    language sql stable security invoker
    set search_path = pg_catalog, pg_temp
as $$
    select pg_catalog.format(
        'Na de verwijdering blijven de volgende sporen bestaan. Het interne nummer waaronder u bij ons bekend '
        'was (zonder naam of andere gegevens) en, in het controlelogboek, per wijziging wie die wanneer in welke '
        'tabel deed, met een niet terug te rekenen controlegetal van de verwijderde inhoud: %s maanden na de '
        'wijziging. Het logboek van de server, waarin raadplegingen met hun zoekgegevens staan: ten hoogste %s '
        'dagen. Reservekopieën (back-ups) van de database: tot zij volgens het back-upschema worden '
        'overschreven; wordt een reservekopie teruggezet, dan wordt de verwijdering opnieuw uitgevoerd.',
        (select s.value from privacy.setting s where s.key = 'audit_retention_months'),
        (select s.value from privacy.setting s where s.key = 'server_log_retention_days'))
$$;
comment on function audit.erasure_traces() is
    'The erasure letter''s statement of where traces remain and for how long (issue 15.4).';

-- Logs forget too (issue 15.4): remove the server log files (csv and stderr) last written more
-- than server_log_retention_days before p_as_of, never the file being written, and a csv file
-- only once audit.collect_reads() has copied its reads. Run daily by
-- pg_cron as the superuser (db/policies/1900_cron.sql): pg_file_unlink (adminpack, V1601) is a
-- superuser's; invoker, so no application role can call it usefully.
create or replace function audit.remove_expired_logs(p_as_of timestamptz default pg_catalog.now()) returns integer
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    f record;
    n integer := 0;
    dir text := pg_catalog.current_setting('log_directory');
    keep interval := pg_catalog.make_interval(days => (select s.value::integer from privacy.setting s
                                                         where s.key = 'server_log_retention_days'));
begin
    perform audit.collect_reads();   -- the facts the read audit needs, first
    for f in select l.name from pg_catalog.pg_ls_logdir() l
              where l.modification < p_as_of - keep and (l.name like '%.log'
                    or (l.name like '%.csv' and exists (select from audit.read_file r where r.name = l.name)))
              order by l.name
    loop
        if dir || '/' || f.name in (coalesce(pg_catalog.pg_current_logfile('csvlog'), ''),
                                    coalesce(pg_catalog.pg_current_logfile('stderr'), '')) then
            continue;   -- the collector is writing it: next time
        end if;
        if pg_catalog.pg_file_unlink(dir || '/' || f.name) then
            n := n + 1;
        end if;
    end loop;
    return n;
end
$$;
comment on function audit.remove_expired_logs(timestamptz) is
    'Remove server log files older than server_log_retention_days (issue 15.4); returns how many.';

-- The read audit as facts (V1602; issue 18.8, 17.8). Reads are attributed to subjects exactly or
-- not at all: a statement names its subjects only by one `subject_id = N` or `subject_id in (N,
-- …)` (a literal, or a bound parameter whose logged value is an integer) and nothing that could
-- widen it (or, not, union, <>, a second mention); string literals and comments are masked first
-- so that text cannot pose as a filter. Anything else is "any subject in the login's scope"
-- (null), never someone else's.
create or replace function audit.mask_literals(p_statement text) returns text
    language sql immutable security invoker
    set search_path = pg_catalog, pg_temp
as $$
    select pg_catalog.regexp_replace(pg_catalog.regexp_replace(pg_catalog.regexp_replace(p_statement,
               '''(?:[^'']|'''')*''', '''?''', 'g'),   -- 'string' -> '?'
           '/\*.*?\*/', ' ', 'g'),                   -- /* comment */
           '--[^\n]*', ' ', 'g')                      -- -- comment
$$;
comment on function audit.mask_literals(text) is 'A statement with its string literals masked and comments removed.';

create or replace function audit.read_subjects(p_statement text, p_params text[]) returns bigint[]
    language plpgsql immutable security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    s text := pg_catalog.lower(audit.mask_literals(p_statement));
    m text[];
    v text;
    found bigint[] := '{}';
begin
    if s !~ 'subject_id' or s ~ 'subject_id.*subject_id' or s ~ '\$[a-z_]*\$'
       or s ~ '\m(or|not|union|except|intersect|any|some|all|between)\M|<>|!=|<|>' then
        return null;
    end if;
    m := pg_catalog.regexp_match(s, 'subject_id\s*=\s*(\d+|\$\d+)\s*(?:\)|;|$|\m(?:and|order|limit|group|for|offset)\M)');
    if m is null then
        m := pg_catalog.regexp_match(s, 'subject_id\s+in\s*\(\s*((?:\d+|\$\d+)(?:\s*,\s*(?:\d+|\$\d+))*)\s*\)');
    end if;
    if m is null then
        return null;
    end if;
    foreach v in array pg_catalog.regexp_split_to_array(m[1], '\s*,\s*') loop
        if v like '$%' then
            v := p_params[pg_catalog.substr(v, 2)::integer];
        end if;
        if v is null or v !~ '^\d{1,18}$' then
            return null;
        end if;
        found := found || v::bigint;
    end loop;
    return found;
end
$$;
comment on function audit.read_subjects(text, text[]) is
    'The subjects a read statement names exactly (literals or parameters), or null: any subject in scope.';

-- The annex read: the partition's, else one exact `annex = 'X'` filter, else null.
create or replace function audit.read_annex(p_relation text, p_statement text, p_params text[]) returns text
    language plpgsql immutable security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    s text := pg_catalog.lower(pg_catalog.regexp_replace(pg_catalog.regexp_replace(p_statement,
                  '/\*.*?\*/', ' ', 'g'), '--[^\n]*', ' ', 'g'));
    m text[];
begin
    m := pg_catalog.regexp_match(p_relation, 'person_record_(a[1-6]|fs|tp)$');
    if m is not null then
        return pg_catalog.upper(m[1]);
    end if;
    if s ~ 'annex.*annex' or s ~ '\m(or|not|union|except|intersect|any|in)\M|<>|!=' then
        return null;
    end if;
    m := pg_catalog.regexp_match(s, 'annex\s*=\s*(''(?:a[1-6]|fs|tp)''|\$\d+)');
    if m is null then
        return null;
    end if;
    return pg_catalog.upper(case when m[1] like '$%' then p_params[pg_catalog.substr(m[1], 2)::integer]
                                 else pg_catalog.btrim(m[1], '''') end);
end
$$;
comment on function audit.read_annex(text, text, text[]) is
    'The annex a read touched (partition or exact filter), or null: any the login''s grants allow.';

-- One pgaudit OBJECT READ message: relation, statement, parameters (pgaudit's csv fields).
create or replace function audit.parse_read(p_message text)
    returns table (relation text, statement text, params text[])
    language sql immutable security invoker
    set search_path = pg_catalog, pg_temp
as $$
    with m as (
        select pg_catalog.regexp_match(p_message,
                   '^AUDIT: OBJECT,[0-9]+,[0-9]+,READ,[^,]*,[^,]*,([^,]*),("(?:[^"]|"")*"|[^,]*),(.*)$') as f),
    u as (
        select f[1] as rel,
               case when f[2] like '"%' then pg_catalog.replace(pg_catalog.substr(f[2], 2, pg_catalog.length(f[2]) - 2), '""', '"')
                    else f[2] end as stmt,
               case when f[3] like '"%' then pg_catalog.replace(pg_catalog.substr(f[3], 2, pg_catalog.length(f[3]) - 2), '""', '"')
                    else f[3] end as plist
          from m where f is not null)
    select u.rel, u.stmt,
           case when u.plist in ('<none>', '<not logged>', '') then '{}'::text[]
                else (select pg_catalog.array_agg(case when x[1] like '"%'
                                                      then pg_catalog.replace(pg_catalog.substr(x[1], 2, pg_catalog.length(x[1]) - 2), '""', '"')
                                                      else x[1] end order by o)
                        from pg_catalog.regexp_matches(u.plist || ',', '("(?:[^"]|"")*"|[^,]*),', 'g') with ordinality r(x, o))
           end
      from u
$$;
comment on function audit.parse_read(text) is 'The relation, statement and parameters of a pgaudit OBJECT READ line.';

-- Copy the reads from the server's csv log files into audit.read, incrementally: files no longer
-- written are read once (audit.read_file), the current one each time (lines already copied are
-- skipped by their session id and line number). Parameters are used to attribute the read and
-- then dropped; string literals are masked. Run by pg_cron every five minutes as the superuser,
-- and by `dossier audit reads` when a superuser calls it; invoker: COPY from a server file needs
-- pg_read_server_files, which no application role has.
create or replace function audit.collect_reads() returns integer
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    f record;
    dir text := pg_catalog.current_setting('log_directory');
    base text;
    current_file text := coalesce(pg_catalog.pg_current_logfile('csvlog'), '');
    n integer := 0;
    got integer;
begin
    base := case when dir like '/%' then dir else pg_catalog.current_setting('data_directory') || '/' || dir end;
    create temp table if not exists dossier_csvlog (
        log_time text, user_name text, database_name text, process_id text, connection_from text, session_id text,
        session_line_num text, command_tag text, session_start_time text, virtual_transaction_id text,
        transaction_id text, error_severity text, sql_state_code text, message text, detail text, hint text,
        internal_query text, internal_query_pos text, context text, query text, query_pos text, location text,
        application_name text, backend_type text, leader_pid text, query_id text) on commit drop;
    for f in select l.name from pg_catalog.pg_ls_logdir() l
              where l.name like '%.csv' and not exists (select from audit.read_file r where r.name = l.name)
              order by l.name
    loop
        truncate pg_temp.dossier_csvlog;
        begin
            execute pg_catalog.format('copy pg_temp.dossier_csvlog from %L with (format csv)', base || '/' || f.name);
        exception when bad_copy_file_format then
            continue;   -- a line half written: the next run reads the file again
        end;
        insert into audit.read (at, login, database_name, relation, annex, subject_ids, statement, application_name,
                                maintenance, session_id, session_line)
        select l.log_time::timestamptz, l.user_name, l.database_name, p.relation,
               audit.read_annex(p.relation, p.statement, p.params), audit.read_subjects(p.statement, p.params),
               audit.mask_literals(p.statement), l.application_name,
               -- the product's own work: pg_cron's jobs (its connections name themselves pg_cron), and the
               -- dossier command run by a superuser
               l.backend_type like 'pg_cron%' or l.user_name = 'dossier_cron'
                   or (l.application_name in ('dossier', 'pg_cron')
                       and l.user_name in (select r.rolname from pg_catalog.pg_roles r where r.rolsuper)),
               l.session_id, l.session_line_num::bigint
          from pg_temp.dossier_csvlog l
         cross join lateral audit.parse_read(l.message) p
         where l.message like 'AUDIT: OBJECT,%'
        on conflict (session_id, session_line) do nothing;
        get diagnostics got = row_count;
        n := n + got;
        if dir || '/' || f.name <> current_file then
            insert into audit.read_file (name) values (f.name) on conflict do nothing;
        end if;
    end loop;
    return n;
end
$$;
comment on function audit.collect_reads() is
    'Copy pgaudit''s read lines from the server log into audit.read (no values kept); returns how many.';

delete from privacy.object_audience where defined_in = '1100_audit';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in) values
    ('audit', 'redact_subject(bigint)', 'dossier_retention', 'EXECUTE', '1100_audit'),
    ('audit', 'redact_records(bigint[], bigint[])', 'dossier_retention', 'EXECUTE', '1100_audit'),
    ('audit', 'drop_expired_partitions(timestamp with time zone)', 'dossier_retention', 'EXECUTE', '1100_audit'),
    -- who verifies may take a digest; sealing is the superuser's and pg_cron's, whose seals the
    -- server-log witness accepts (a privacy officer's seal was unwitnessed: independent attack F1);
    -- `dossier audit verify` by anyone else verifies what pg_cron sealed (every minute)
    ('audit', 'head()', 'privacy_officer', 'EXECUTE', '1100_audit'),
    ('audit', 'head()', 'dossier_admin', 'EXECUTE', '1100_audit'),
    ('audit', 'erasure_traces()', 'privacy_officer', 'EXECUTE', '1100_audit');
-- the privacy officer reads audit metadata, not payloads (contract §3), and the controls' history
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'audit', t, 'privacy_officer', 'SELECT', '1100_audit'
  from unnest(array['change_metadata', 'chain', 'dropped_partition', 'control_change', 'read']) t;
-- pgaudit object auditing: statements reading what dossier_auditor may read are logged
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'dossier', pt.table_name, 'dossier_auditor', 'SELECT', '1100_audit' from privacy.personal_table pt;
