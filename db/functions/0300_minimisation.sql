-- Data minimisation by the storage itself (004 art. 4.4, art. 5; "geen andere gegevens dan …"
-- in Bijlage 1-6 lid 2, art. 15.3; 000 M895 "Persoonsgegevens").
--
-- privacy.enforce_minimisation() derives, from privacy.annex_category and the catalogue:
--   * on each person_record partition, for every column whose category the annex does not list:
--     CHECK (column IS NULL), named <annex>_not_listed_<column>;
--   * on each detail table: CHECK (annex = ANY (<annexes listing the table's category>)),
--     named <table>_only_in_<annexes>;
--   * where privacy.annex_column_limit allows a column (or a whole table) in fewer annexes than
--     its category: the column NULL elsewhere (<annex>_not_listed_<column> on the partitions,
--     <table>_<column>_only_in_<annexes> on a detail table), the table only in those annexes.
-- It adds what is missing and drops what the data no longer asks for, so a rule changed by a
-- migration (a row in privacy.annex_category) becomes a constraint on the next `dossier migrate`.

-- The partitions of person_record with their annex, read from each partition's bound
-- (used by the minimisation, comment, access and drift functions).
create or replace view privacy.record_partition as
select c.oid, c.relname,
       (regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), '''([A-Z0-9]+)'''))[1] as annex
  from pg_catalog.pg_inherits i
  join pg_catalog.pg_class c on c.oid = i.inhrelid
 where i.inhparent = privacy.stored('person_record');
comment on view privacy.record_partition is 'Partitions of dossier.person_record and the annex each holds.';

create or replace function privacy.enforce_minimisation()
    returns table (action text, table_name text, constraint_name text)
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    part record;
    col record;
    tbl record;
    stale record;
    cname text;
    allowed text[];
begin
    for part in
        select rp.relname, rp.oid, rp.annex, a.legal_reference
          from privacy.record_partition rp
          join privacy.processing_activity a on a.code = rp.annex
         order by rp.relname
    loop
        for col in
            select cc.column_name, cc.category,
                   exists (select from privacy.annex_category ac
                            where ac.annex = part.annex and ac.category = cc.category)
                   and not exists (select from privacy.annex_column_limit l
                                    where l.table_name = 'person_record' and l.column_name = cc.column_name
                                      and not part.annex = any (l.annexes)) as listed
              from privacy.column_category cc
             where cc.table_name = 'person_record'
             order by cc.column_name
        loop
            cname := lower(part.annex) || '_not_listed_' || col.column_name;
            if not col.listed and not exists (select from pg_catalog.pg_constraint
                                               where conrelid = part.oid and conname = cname) then
                execute format('alter table dossier.%I add constraint %I check (%I is null)',
                               part.relname, cname, col.column_name);
                execute format('comment on constraint %I on dossier.%I is %L', cname, part.relname,
                    format('%s: geen andere gegevens dan de lijst; %s (categorie %s) staat er niet op.%s',
                           part.legal_reference, col.column_name, col.category,
                           coalesce(' ' || (select l.clause from privacy.annex_column_limit l
                                             where l.table_name = 'person_record' and l.column_name = col.column_name), '')));
                action := 'added'; table_name := part.relname; constraint_name := cname;
                return next;
            elsif col.listed and exists (select from pg_catalog.pg_constraint
                                          where conrelid = part.oid and conname = cname) then
                execute format('alter table dossier.%I drop constraint %I', part.relname, cname);
                action := 'dropped'; table_name := part.relname; constraint_name := cname;
                return next;
            end if;
        end loop;
    end loop;

    for tbl in
        select pt.table_name as name, pt.category, privacy.stored(pt.table_name) as oid
          from privacy.personal_table pt
         where pt.category is not null
         order by pt.table_name
    loop
        select coalesce(array_agg(ac.annex order by ac.annex), '{}') into allowed
          from privacy.annex_category ac
         where ac.category = tbl.category
           and not exists (select from privacy.annex_column_limit l
                            where l.table_name = tbl.name and l.column_name is null and not ac.annex = any (l.annexes));
        cname := tbl.name || '_only_in_' ||
                 coalesce(nullif(lower(array_to_string(allowed, '_')), ''), 'none');
        for stale in
            select conname from pg_catalog.pg_constraint
             where conrelid = tbl.oid and conname like tbl.name || '\_only\_in\_%' and conname <> cname
        loop
            execute format('alter table %s drop constraint %I', tbl.oid, stale.conname);
            action := 'dropped'; table_name := tbl.name; constraint_name := stale.conname;
            return next;
        end loop;
        if not exists (select from pg_catalog.pg_constraint
                        where conrelid = tbl.oid and conname = cname) then
            execute format('alter table %s add constraint %I check (annex = any (%L::text[]))',
                           tbl.oid, cname, allowed);
            execute format('comment on constraint %I on %s is %L', cname, tbl.oid,
                format('Categorie %s is alleen toegestaan in %s (privacy.annex_category).',
                       tbl.category, coalesce(nullif(array_to_string(allowed, ', '), ''), 'geen bijlage')));
            action := 'added'; table_name := tbl.name; constraint_name := cname;
            return next;
        end if;
        -- columns of the table that fewer annexes list than its category (privacy.annex_column_limit)
        for col in
            select l.column_name, l.clause,
                   array(select a from unnest(allowed) a where a = any (l.annexes) order by 1) as annexes
              from privacy.annex_column_limit l
             where l.table_name = tbl.name and l.column_name is not null
             order by l.column_name
        loop
            cname := tbl.name || '_' || col.column_name || '_only_in_' ||
                     coalesce(nullif(lower(array_to_string(col.annexes, '_')), ''), 'none');
            for stale in
                select conname from pg_catalog.pg_constraint
                 where conrelid = tbl.oid and conname like tbl.name || '\_' || col.column_name || '\_only\_in\_%'
                   and conname <> cname
            loop
                execute format('alter table %s drop constraint %I', tbl.oid, stale.conname);
                action := 'dropped'; table_name := tbl.name; constraint_name := stale.conname;
                return next;
            end loop;
            if not exists (select from pg_catalog.pg_constraint where conrelid = tbl.oid and conname = cname) then
                execute format('alter table %s add constraint %I check (%I is null or annex = any (%L::text[]))',
                               tbl.oid, cname, col.column_name, col.annexes);
                execute format('comment on constraint %I on %s is %L', cname, tbl.oid, col.clause);
                action := 'added'; table_name := tbl.name; constraint_name := cname;
                return next;
            end if;
        end loop;
    end loop;
end
$$;
comment on function privacy.enforce_minimisation() is
    'Derive the minimisation constraints from privacy.annex_category; returns what it changed.';
