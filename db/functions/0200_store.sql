-- The tables behind the views (issue 13, V2000): every table with row security lives in schema
-- dossier_store and is read and written through dossier.<table>, a security_barrier,
-- security_invoker view over it. Why: a security_barrier view is never pulled up into the
-- caller's query, so no condition of the caller runs on a row before the table's row policies
-- (docs/security.md, "Reading through views").
--
-- privacy.stored(name) is the table behind dossier.<name> (or the table itself while it is still
-- in schema dossier): the code that changes tables (constraints, policies, triggers, indexes)
-- names it, never the view.
create or replace function privacy.stored(p_name name) returns regclass
    language sql stable security invoker
    set search_path = pg_catalog, pg_temp
as $$
    select coalesce(pg_catalog.to_regclass(pg_catalog.format('dossier_store.%I', p_name)),
                    pg_catalog.to_regclass(pg_catalog.format('dossier.%I', p_name)))
$$;
comment on function privacy.stored(name) is
    'The table behind the view dossier.<name> (schema dossier_store), or dossier.<name> while it is a table.';

-- Move one table of schema dossier behind a view of the same name, or make its view again
-- (idempotent). `create or replace` keeps the view's grants and takes up columns added to the
-- table since (a dropped column needs `drop view dossier.<name>` first). The view carries the
-- table's comments; its privileges are the access matrix's (privacy.apply_access), the table's
-- are the view's, table-wide.
create or replace procedure privacy.hide_table(p_name name)
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    col record;
begin
    if pg_catalog.to_regclass(pg_catalog.format('dossier_store.%I', p_name)) is null then
        if not exists (select from pg_catalog.pg_class c
                        where c.relnamespace = 'dossier'::regnamespace and c.relname = p_name
                          and c.relkind in ('r', 'p') and not c.relispartition) then
            raise exception 'privacy.hide_table: dossier.% is not a table', p_name
                using errcode = 'invalid_parameter_value';
        end if;
        execute format('alter table dossier.%I set schema dossier_store', p_name);
    end if;
    execute format('create or replace view dossier.%I with (security_barrier, security_invoker) as '
                   'select * from dossier_store.%I', p_name, p_name);
    execute format('alter view dossier.%I owner to dossier_owner', p_name);
    execute format('comment on view dossier.%I is %L', p_name,
                   coalesce(pg_catalog.obj_description(format('dossier_store.%I', p_name)::regclass, 'pg_class'),
                            p_name || ' data'));
    for col in select a.attname, pg_catalog.col_description(a.attrelid, a.attnum) as note
                 from pg_catalog.pg_attribute a
                where a.attrelid = format('dossier_store.%I', p_name)::regclass
                  and a.attnum > 0 and not a.attisdropped
                  and pg_catalog.col_description(a.attrelid, a.attnum) is not null loop
        execute format('comment on column dossier.%I.%I is %L', p_name, col.attname, col.note);
    end loop;
end
$$;
comment on procedure privacy.hide_table(name) is
    'Move dossier.<name> to schema dossier_store and put a security_barrier, security_invoker view in its place.';

-- Every table of the catalogue (personal data, the subject keys, organisation data); the
-- partitions of person_record stay where they are.
do $hide$
declare
    t name;
begin
    for t in select pt.table_name::name from privacy.personal_table pt
             union select 'subject'::name
             union select ot.table_name::name from privacy.org_table ot
             order by 1 loop
        call privacy.hide_table(t);
    end loop;
end
$hide$;
