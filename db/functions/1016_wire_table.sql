-- One procedure wires a table of personal data or of organisation data (issue 18 item 2), in
-- one place instead of a loop per concern: everything the table needs besides its grants and
-- row policies, which privacy.apply_access() derives from the access matrix for the tables of
-- privacy.wired_table. db/policies/1016_wire_tables.sql calls it for every table of the
-- catalogue after each schema change; adding a table is one call.
--
-- The tables the wiring covers, with what they are: personal data (privacy.personal_table),
-- the partitions of person_record, the subject keys, organisation data (privacy.org_table).
create or replace view privacy.wired_table as
select pt.table_name::name as table_name, 'personal'::text as kind from privacy.personal_table pt
union all
select rp.relname, 'partition' from privacy.record_partition rp
union all
select 'subject'::name, 'keys'
union all
select ot.table_name, 'organisation' from privacy.org_table ot;
comment on view privacy.wired_table is
    'Tables with row security, and their kind: personal, partition (of person_record), keys (subject), organisation.';

-- What privacy.wire_table(tbl) makes of a table (idempotent: a second call changes nothing):
--   * registration: a table not in the catalogue is registered as personal data of `category`
--     (privacy.personal_table, and its non-technical columns in privacy.column_category, as
--     privacy.register_detail does for the detail tables of the versioned migrations); without
--     a category an uncatalogued table is refused;
--   * row security, enabled on every kind; forced on personal data and person_record's partitions
--     (dossier_owner has no policy, so nothing of the owner reads them past the policies), not on
--     organisation data and the subject keys, whose owner's definer functions (the grants' unit
--     rebuild, the importer's new keys) reach every organisation. A partition gets row security
--     but no grants and no policies: querying one directly is refused (design: "a query on a
--     partition does not use the parent's policies");
--   * the change audit (db/functions/1100_audit.sql): statement triggers with the transition
--     tables for INSERT, DELETE and TRUNCATE; a row trigger for UPDATE, with the table's own name
--     as argument (on a partitioned table the row trigger fires on the partition);
--   * the restriction triggers (db/functions/1420_restricted.sql; 004 art. 13.6, AVG art. 18):
--     inserted rows of a restricted subject get the flag (ENABLE ALWAYS: also under
--     session_replication_role = replica, bulk loads, like record_key_sync), and a row whose
--     processing a granted objection ended is not updated (privacy.refuse_ended_processing);
--   * the covering policy index (issue 4: "the scoped columns indexed"): every policy on a detail
--     table filters on the row's annex, org_id or unit_id and subject_id, and on its restricted
--     flag (V1450); a detail row is mostly reached by its record. An index on record_id carrying
--     those columns lets "one person's dossier" read a record's details from the index alone,
--     policies included (no heap visit per row). It replaces the plain record_id index
--     register_detail makes, and the `_record_scope` index of before the flag. Its key is
--     (record_id, org_id), so the organisation test is an index condition (issue 13);
--   * org_id in every plain index: see below;
--   * the view: a table of the catalogue is moved to dossier_store behind a security_barrier,
--     security_invoker view of its name (privacy.hide_table, db/functions/0200_store.sql).
--
-- SECURITY INVOKER, called by a superuser (the wiring file runs as one): the restriction
-- trigger names privacy.sync_restricted(), which belongs to dossier_retention and may be
-- executed by nobody else, so only a superuser can attach it.
create or replace procedure privacy.wire_table(tbl regclass, category text default null,
                                               description text default null)
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    v_name name;
    v_kind text;
    v_part regclass;
    v_schema name;
    v_index record;
    v_old text;
    v_tail name[];
    v_tail_cols text[];
    v_cols text[];
    v_names name[];
    v_new name;
begin
    -- dossier.<name> is the view once the table is behind it: wire the table
    if exists (select from pg_catalog.pg_class c where c.oid = tbl and c.relkind = 'v'
                  and c.relnamespace = 'dossier'::regnamespace) then
        tbl := privacy.stored((select c.relname from pg_catalog.pg_class c where c.oid = tbl));
    end if;
    select c.relname into v_name from pg_catalog.pg_class c
     where c.oid = tbl and c.relnamespace in ('dossier'::regnamespace, 'dossier_store'::regnamespace)
       and c.relkind in ('r', 'p');
    if v_name is null then
        raise exception 'privacy.wire_table: % is not a table of schema dossier', tbl
            using errcode = 'invalid_parameter_value';
    end if;
    if not (select r.rolsuper from pg_catalog.pg_roles r where r.rolname = current_user) then
        raise exception 'privacy.wire_table(%): run it as a superuser (it attaches privacy.sync_restricted(), '
                        'which only dossier_retention executes)', v_name
            using errcode = 'insufficient_privilege';
    end if;

    -- registration in the catalogue
    if category is not null and not exists (select from privacy.wired_table w where w.table_name = v_name) then
        if not exists (select from privacy.data_category d where d.code = category) then
            raise exception 'privacy.wire_table(%): no data category %', v_name, category
                using errcode = 'foreign_key_violation', hint = 'privacy.data_category';
        end if;
        insert into privacy.personal_table (table_name, category, description)
        values (v_name, category, coalesce(description, category || ' data'));
        insert into privacy.column_category (table_name, column_name, category)
        select v_name, a.attname, category
          from pg_catalog.pg_attribute a
         where a.attrelid = tbl and a.attnum > 0 and not a.attisdropped
           and a.attname not in (select t.column_name from privacy.technical_column t);
    end if;
    select w.kind into v_kind from privacy.wired_table w where w.table_name = v_name;
    if v_kind is null then
        raise exception 'privacy.wire_table: dossier.% is not in the catalogue (privacy.personal_table, privacy.org_table); '
                        'give its data category to register it as personal data', v_name
            using errcode = 'invalid_parameter_value';
    end if;

    -- read and written through a view of the same name (db/functions/0200_store.sql); tbl, an
    -- oid, names the table wherever it lives
    if v_kind <> 'partition' then
        call privacy.hide_table(v_name);
    end if;
    select n.nspname into v_schema from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where c.oid = tbl;

    -- row security
    execute format('alter table %s enable row level security', tbl);
    if v_kind in ('organisation', 'keys') then
        execute format('alter table %s no force row level security', tbl);
    else
        execute format('alter table %s force row level security', tbl);
    end if;
    -- the covering policy index of a detail table (before the plain indexes below, which it
    -- replaces for record_id): the scope columns in its key, the row guard's in its payload
    if exists (select from pg_catalog.pg_attribute a
                where a.attrelid = tbl and a.attname = 'record_id' and not a.attisdropped) then
        -- the flag as an integer in the key (see below); the flag itself in the payload, for the
        -- policies' `not restricted` on an index-only scan. One of before, with the flag in its
        -- key, is made again
        if exists (select from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid
                    where i.indrelid = tbl and c.relname = v_name || '_record_guarded' and i.indexprs is null) then
            execute format('drop index %I.%I', v_schema, v_name || '_record_guarded');
        end if;
        execute format('create index if not exists %I on %s (record_id, org_id, unit_id, annex_no, (restricted::integer)) '
                       'include (annex, unit_no, subject_id, restricted)',
                       v_name || '_record_guarded', tbl);
        foreach v_old in array array['_record_scope_guard', '_record_org_guard', '_record_guard', '_record_policy',
                                     '_record_idx', '_record_idx_org', '_record_scope'] loop
            execute format('drop index if exists %I.%I', v_schema, v_name || v_old);
        end loop;
    end if;

    -- every plain index of the table ends with the scope columns the row guard states as bounds
    -- (issue 13, independent attacks 20 to 22): org_id, and on personal data unit_id, annex_no and
    -- the restricted flag. A caller's condition on the indexed column then has the guard's
    -- `org_id >= …`, `unit_id >= …`, `annex_no >= …` and the policy's `not restricted` as further index
    -- conditions, so rows of another organisation, of units out of scope and of restricted
    -- persons are never fetched, nor counted by EXPLAIN (ANALYZE) as "Rows Removed by Filter"
    -- (per unit, subject, record, activity, parent unit, path). Unique keys keep their columns:
    -- the existence of an id remains (docs/security.md, "What remains").
    -- The flag is in the key as an integer, `(restricted::integer)`, which the guard bounds
    -- (`restricted::integer <= 0` for a login that sees no restricted person): a boolean column's
    -- test is an index condition too, but PostgreSQL does not recheck it on a lossy bitmap page,
    -- where every row of the page is read; an operator on an index expression it rechecks
    -- (independent attack 25: with work_mem = 64kB a school manager counted restricted persons'
    -- rows of its own unit as "Rows Removed by Filter"). Indexes with an expression are left alone
    -- here, so a second call changes nothing.
    if exists (select from pg_catalog.pg_attribute a where a.attrelid = tbl and a.attname = 'org_id'
                  and not a.attisdropped) then
        v_tail := case when v_kind = 'personal' then array['org_id', 'unit_id', 'annex_no', 'restricted']::name[]
                       else array['org_id']::name[] end;
        v_tail_cols := array(select case when t = 'restricted' then '(restricted::integer)' else pg_catalog.quote_ident(t) end
                               from unnest(v_tail) with ordinality w(t, n) order by n);
        for v_index in
            select c.relname, array_agg(a.attname order by k.n) as names,
                   array_agg(pg_catalog.quote_ident(a.attname)
                             || case when oc.opcdefault then '' else ' ' || oc.opcname end order by k.n) as cols
              from pg_catalog.pg_index i
              join pg_catalog.pg_class c on c.oid = i.indexrelid
             cross join lateral unnest(i.indkey::int2[], i.indclass::oid[]) with ordinality k(attnum, opc, n)
              join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
              join pg_catalog.pg_opclass oc on oc.oid = k.opc
             where i.indrelid = tbl and not i.indisunique and i.indexprs is null and i.indpred is null
               and i.indnkeyatts = i.indnatts and c.relname <> v_name || '_id_guarded'
             group by c.relname
        loop
            -- the index's own leading columns (a column of the tail that leads stays in front: the
            -- unit index leads with unit_id), then what is missing of the tail
            select array_agg(x.col order by x.n), array_agg(x.name order by x.n) into v_cols, v_names
              from (select c, nm, n from unnest(v_index.cols, v_index.names) with ordinality u(c, nm, n)
                     where nm <> 'org_id' and not (nm = any (v_tail) and n > 1)
                    union all
                    select v_tail_cols[n], t, 100 + n from unnest(v_tail) with ordinality w(t, n)
                     where t = 'org_id' or t <> v_index.names[1]) x(col, name, n);
            -- personal data: every plain index is made again, with the flag as an integer
            continue when v_names = v_index.names and v_kind <> 'personal';
            v_new := regexp_replace(v_index.relname, '_(org|scope)$', '')
                     || case when v_kind = 'personal' then '_scope' else '_org' end;
            execute format('drop index %I.%I', v_schema, v_index.relname);
            execute format('create index if not exists %I on %s (%s)', v_new, tbl, array_to_string(v_cols, ', '));
        end loop;
        -- and the id: a range of ids (`id between 91 and 100`) read by the primary key alone counted
        -- another organisation's rows in it (attack 22); read by this index, none of them is fetched
        if exists (select from pg_catalog.pg_attribute a where a.attrelid = tbl and a.attname = 'id'
                      and not a.attisdropped) then
            if v_kind = 'personal' and exists (select from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid
                                                where i.indrelid = tbl and c.relname = v_name || '_id_guarded'
                                                  and i.indexprs is null) then
                execute format('drop index %I.%I', v_schema, v_name || '_id_guarded');
            end if;
            execute format('create index if not exists %I on %s (id, %s)', v_name || '_id_guarded', tbl,
                           array_to_string(v_tail_cols, ', '));
        end if;
    end if;

    if v_kind <> 'personal' then
        return;
    end if;
    for v_part in select i.inhrelid::regclass from pg_catalog.pg_inherits i
                   where i.inhparent = tbl order by 1 loop
        execute format('alter table %s enable row level security', v_part);
        execute format('alter table %s force row level security', v_part);
    end loop;

    -- the change audit
    execute format('create or replace trigger audit_insert after insert on %s '
                   'referencing new table as new_rows for each statement execute function audit.capture()', tbl);
    execute format('create or replace trigger audit_update after update on %s '
                   'for each row execute function audit.capture_update(%L)', tbl, v_name);
    execute format('create or replace trigger audit_delete after delete on %s '
                   'referencing old table as old_rows for each statement execute function audit.capture()', tbl);
    execute format('create or replace trigger audit_truncate after truncate on %s '
                   'for each statement execute function audit.capture()', tbl);

    -- the restriction
    execute format('create or replace trigger %I before update on %s for each row '
                   'when (old.processing_ended) execute function privacy.refuse_ended_processing()',
                   v_name || '_processing_ended', tbl);
    execute format('create or replace trigger %I after insert on %s '
                   'referencing new table as new_rows for each statement '
                   'execute function privacy.sync_restricted()', v_name || '_restricted', tbl);
    execute format('alter table %s enable always trigger %I', tbl, v_name || '_restricted');

end
$$;
comment on procedure privacy.wire_table(regclass, text, text) is
    'Wire a personal-data or organisation-data table: catalogue, row security, audit and restriction triggers, policy index.';
