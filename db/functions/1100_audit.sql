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
                                  subject_id, record_id, row_id, payload, payload_hash)
        select who, app, tg_table_name, 'INSERT', j->>'annex', (j->>'subject_id')::bigint,
               coalesce((j->>'record_id')::bigint, (j->>'id')::bigint), (j->>'id')::bigint,
               j, pg_catalog.sha256(pg_catalog.convert_to(j::text, 'UTF8'))
          from (select pg_catalog.to_jsonb(r) as j from new_rows r offset 0) s;  -- offset 0: to_jsonb once per row
    elsif tg_op = 'DELETE' then
        insert into audit.change (current_user_name, application_name, table_name, operation, annex,
                                  subject_id, record_id, row_id, payload, payload_hash)
        select who, app, tg_table_name, 'DELETE', j->>'annex', (j->>'subject_id')::bigint,
               coalesce((j->>'record_id')::bigint, (j->>'id')::bigint), (j->>'id')::bigint,
               j, pg_catalog.sha256(pg_catalog.convert_to(j::text, 'UTF8'))
          from (select pg_catalog.to_jsonb(r) as j from old_rows r offset 0) s;
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
begin
    select pg_catalog.jsonb_object_agg(e.key, pg_catalog.jsonb_build_array(o operator(ext.->) e.key, e.value))
      into diff
      from ext.each(n operator(ext.-) o) e
     where e.key <> 'updated_at';
    if diff is not null then
        insert into audit.change (current_user_name, application_name, table_name, operation, annex,
                                  subject_id, record_id, row_id, payload, payload_hash)
        values (case when pg_catalog.current_setting('role') = 'none' then session_user
                     else pg_catalog.current_setting('role')::name end,
                pg_catalog.current_setting('application_name'), tg_argv[0], 'UPDATE',
                n operator(ext.->) 'annex', (n operator(ext.->) 'subject_id')::bigint,
                coalesce(n operator(ext.->) 'record_id', n operator(ext.->) 'id')::bigint,
                (n operator(ext.->) 'id')::bigint,
                diff, pg_catalog.sha256(pg_catalog.convert_to(diff::text, 'UTF8')));
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
drop trigger if exists person_record_annex_fixed on dossier.person_record;
create trigger person_record_annex_fixed before update of annex on dossier.person_record
    for each row when (old.annex is distinct from new.annex) execute function audit.refuse_annex_change();

-- Seal (db/schema/V1420__audit_seals.sql): link the entries of every transaction that finished
-- since the last seal into the chain. Run by pg_cron every minute and by `dossier audit verify`
-- before it verifies. Entries are written without waiting for anyone; what a seal protects is
-- what was committed before it (an entry forged between two seals is sealed with the rest: the
-- interval is the window, docs/architecture.md). Each link is also written to the server log,
-- where deleting links from the chain cannot reach it. The product lock 'audit_seal' makes one seal at a time.
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
    select c.upto_txid, c.chain_hash into last from audit.chain c order by c.seq desc limit 1;
    lo := coalesce(last.upto_txid, (select min(c.txid) from audit.change c));
    if lo is null or hi <= lo then
        return 0;
    end if;
    select count(*) as n, min(id) as first_id, max(id) as last_id,
           pg_catalog.sha256(pg_catalog.string_agg(payload_hash, ''::bytea order by id)) as entries_hash
      into e from audit.change where txid >= lo and txid < hi;
    if e.n = 0 then
        return 0;   -- nothing to seal: the next seal covers this range too
    end if;
    insert into audit.chain (from_txid, upto_txid, n_entries, first_id, last_id, entries_hash, prev_hash, chain_hash)
    values (lo, hi, e.n, e.first_id, e.last_id, e.entries_hash, coalesce(last.chain_hash, '\x00'),
            pg_catalog.sha256(coalesce(last.chain_hash, '\x00') || e.entries_hash))
    returning seq, chain_hash into link;
    -- the witness outside the database: `dossier audit verify` holds the chain to these lines
    raise log 'dossier audit seal: database % seq % chain_hash %',
        (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()),
        link.seq, pg_catalog.encode(link.chain_hash, 'hex');
    return e.n;
end
$$;
comment on function audit.seal() is
    'Link the audit entries of every transaction finished since the last seal into the chain; returns how many.';

-- Append-only: no UPDATE, DELETE or TRUNCATE for anyone, the owner included — except the
-- redaction of a payload (erasure), which keeps every other column and the hash.
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
        if new.payload is null and old.payload is not null and new.redacted_at is not null
           and (pg_catalog.to_jsonb(new) - 'payload' - 'redacted_at')
               = (pg_catalog.to_jsonb(old) - 'payload' - 'redacted_at') then
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

-- Erasure (art. 13.5, art. 14, 15.5): null the audit payloads of erased records, or of all a
-- subject's records (p_records null); the hashes stay, so the chain still verifies.
-- SECURITY DEFINER: nobody holds UPDATE on audit.change; EXECUTE only for dossier_retention.
create or replace function audit.redact_records(p_subjects bigint[], p_records bigint[]) returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    n integer;
begin
    update audit.change set payload = null, redacted_at = pg_catalog.now()
     where subject_id = any (p_subjects) and (p_records is null or record_id = any (p_records))
       and payload is not null;
    get diagnostics n = row_count;
    return n;
end
$$;
comment on function audit.redact_records(bigint[], bigint[]) is
    'Null the audit payloads of erased records (art. 14; records null: all of the subjects''); hashes and metadata stay.';

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

-- The retention role drops whole months past the audit retention period, recording where the
-- chain resumes. SECURITY DEFINER: only the owner may drop partitions; EXECUTE for dossier_retention.
create or replace function audit.drop_expired_partitions() returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    p record;
    keep_from timestamptz := pg_catalog.date_trunc('month', pg_catalog.now())
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
    bad record;
begin
    select * into anchor from audit.dropped_partition order by upto desc limit 1;
    for l in select * from audit.chain order by seq loop
        if anchor.last_seq is not null and l.seq <= anchor.last_seq then
            prev := l.chain_hash;   -- entries dropped with their partition: trust up to the anchor
            if l.seq = anchor.last_seq and l.chain_hash <> anchor.last_chain_hash then
                problem := 'chain does not meet the anchor of dropped partition ' || anchor.partition_name;
                chain_seq := l.seq; return next; return;
            end if;
            continue;
        end if;
        if l.prev_hash <> prev then
            problem := 'chain broken: link does not follow the previous link';
            chain_seq := l.seq; change_id := l.first_id; return next; return;
        end if;
        if l.chain_hash <> pg_catalog.sha256(l.prev_hash || l.entries_hash) then
            problem := 'chain link altered';
            chain_seq := l.seq; change_id := l.first_id; return next; return;
        end if;
        select count(*) as n, min(id) as first_id, max(id) as last_id,
               pg_catalog.sha256(pg_catalog.string_agg(payload_hash, ''::bytea order by id)) as h
          into e from audit.change where txid >= l.from_txid and txid < l.upto_txid;
        if e.n <> l.n_entries or e.h is distinct from l.entries_hash or e.first_id <> l.first_id
           or e.last_id <> l.last_id then
            select c.id into bad from audit.change c where c.txid >= l.from_txid and c.txid < l.upto_txid
             order by c.id limit 1;
            problem := pg_catalog.format('entries of transactions %s to %s were deleted, inserted or reordered '
                                         '(%s entries now, %s when sealed)', l.from_txid, l.upto_txid - 1,
                                         e.n, l.n_entries);
            chain_seq := l.seq; change_id := coalesce(bad.id, l.first_id); return next; return;
        end if;
        prev := l.chain_hash;
    end loop;
    for e in
        select c.id from audit.change c
         where c.payload is not null
           and c.payload_hash <> pg_catalog.sha256(pg_catalog.convert_to(c.payload::text, 'UTF8'))
         order by c.id limit 1
    loop
        problem := 'entry modified: its payload does not match its hash';
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
    -- V1420 leave gaps between them)
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

-- Audit metadata without the payloads: what the privacy officer reads (contract §3).
create or replace view audit.change_metadata as
select id, at, txid, session_user_name, current_user_name, application_name, client_addr, table_name,
       operation, annex, subject_id, record_id, row_id, payload_hash, redacted_at,
       case when payload is null then null else (select array_agg(k order by k) from jsonb_object_keys(payload) k)
       end as columns
  from audit.change;
comment on view audit.change_metadata is 'audit.change without payloads: who changed what, when (art. 10).';

delete from privacy.object_audience where defined_in = '1100_audit';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in) values
    ('audit', 'redact_subject(bigint)', 'dossier_retention', 'EXECUTE', '1100_audit'),
    ('audit', 'redact_records(bigint[], bigint[])', 'dossier_retention', 'EXECUTE', '1100_audit'),
    ('audit', 'drop_expired_partitions()', 'dossier_retention', 'EXECUTE', '1100_audit'),
    -- anyone who verifies may seal first (`dossier audit verify`)
    ('audit', 'seal()', 'privacy_officer', 'EXECUTE', '1100_audit'),
    ('audit', 'seal()', 'dossier_admin', 'EXECUTE', '1100_audit');
-- the privacy officer reads audit metadata, not payloads (contract §3)
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'audit', t, 'privacy_officer', 'SELECT', '1100_audit'
  from unnest(array['change_metadata', 'chain', 'dropped_partition']) t;
-- pgaudit object auditing: statements reading what dossier_auditor may read are logged
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'dossier', pt.table_name, 'dossier_auditor', 'SELECT', '1100_audit' from privacy.personal_table pt;
