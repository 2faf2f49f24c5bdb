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
--     register_detail makes, and the `_record_scope` index of before the flag.
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
    v_part name;
begin
    select c.relname into v_name from pg_catalog.pg_class c
     where c.oid = tbl and c.relnamespace = 'dossier'::regnamespace and c.relkind in ('r', 'p');
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

    -- row security
    execute format('alter table dossier.%I enable row level security', v_name);
    if v_kind in ('organisation', 'keys') then
        execute format('alter table dossier.%I no force row level security', v_name);
    else
        execute format('alter table dossier.%I force row level security', v_name);
    end if;
    if v_kind <> 'personal' then
        return;
    end if;
    for v_part in select c.relname from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
                   where i.inhparent = tbl order by 1 loop
        execute format('alter table dossier.%I enable row level security', v_part);
        execute format('alter table dossier.%I force row level security', v_part);
    end loop;

    -- the change audit
    execute format('create or replace trigger audit_insert after insert on dossier.%I '
                   'referencing new table as new_rows for each statement execute function audit.capture()', v_name);
    execute format('create or replace trigger audit_update after update on dossier.%I '
                   'for each row execute function audit.capture_update(%L)', v_name, v_name);
    execute format('create or replace trigger audit_delete after delete on dossier.%I '
                   'referencing old table as old_rows for each statement execute function audit.capture()', v_name);
    execute format('create or replace trigger audit_truncate after truncate on dossier.%I '
                   'for each statement execute function audit.capture()', v_name);

    -- the restriction
    execute format('create or replace trigger %I before update on dossier.%I for each row '
                   'when (old.processing_ended) execute function privacy.refuse_ended_processing()',
                   v_name || '_processing_ended', v_name);
    execute format('create or replace trigger %I after insert on dossier.%I '
                   'referencing new table as new_rows for each statement '
                   'execute function privacy.sync_restricted()', v_name || '_restricted', v_name);
    execute format('alter table dossier.%I enable always trigger %I', v_name, v_name || '_restricted');

    -- the covering policy index of a detail table
    if exists (select from pg_catalog.pg_attribute a
                where a.attrelid = tbl and a.attname = 'record_id' and not a.attisdropped) then
        -- the row guard's columns too (annex_no, unit_no: V1950, V1990)
        execute format('create index if not exists %I on dossier.%I (record_id) '
                       'include (annex, annex_no, org_id, unit_id, unit_no, subject_id, restricted)',
                       v_name || '_record_guard', v_name);
        execute format('drop index if exists dossier.%I', v_name || '_record_policy');
        execute format('drop index if exists dossier.%I', v_name || '_record_idx');
        execute format('drop index if exists dossier.%I', v_name || '_record_scope');
    end if;
end
$$;
comment on procedure privacy.wire_table(regclass, text, text) is
    'Wire a personal-data or organisation-data table: catalogue, row security, audit and restriction triggers, policy index.';
