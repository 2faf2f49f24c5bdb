-- psql's \d+ is the documentation users read (style rule 6): partitions of person_record carry
-- their parent's column comments, so `\d+ dossier.person_record_a2` says what each column is.

create or replace function privacy.copy_partition_comments() returns integer
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    r record;
    n integer := 0;
begin
    for r in
        select c.relname as part, a.attname, d.description
          from pg_catalog.pg_inherits i
          join pg_catalog.pg_class c on c.oid = i.inhrelid
          join pg_catalog.pg_attribute a on a.attrelid = i.inhparent and a.attnum > 0
          join pg_catalog.pg_description d
            on d.objoid = i.inhparent and d.classoid = 'pg_catalog.pg_class'::regclass
           and d.objsubid = a.attnum
         where i.inhparent = privacy.stored('person_record')
           and pg_catalog.col_description(i.inhrelid, a.attnum) is distinct from d.description
    loop
        execute format('comment on column dossier.%I.%I is %L', r.part, r.attname, r.description);
        n := n + 1;
    end loop;
    for r in
        select rp.relname as part, a.code, a.name_nl, a.legal_reference
          from privacy.record_partition rp
          join privacy.processing_activity a on a.code = rp.annex
    loop
        execute format('comment on table dossier.%I is %L', r.part,
                       format('Records of annex %s: %s (%s).', r.code, r.name_nl, r.legal_reference));
    end loop;
    return n;
end
$$;
comment on function privacy.copy_partition_comments() is
    'Copy person_record''s column comments to its partitions; returns how many changed.';
