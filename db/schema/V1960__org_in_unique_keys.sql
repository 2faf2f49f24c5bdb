-- Unique keys that another organisation's rows cannot answer for (issue 14, found by an
-- independent attack): a unique key is checked before the foreign keys, so an insert naming
-- another organisation's invoice number, or its enrolment and session, was refused with
-- "duplicate key" instead of "not present". Every unique key of a personal-data or organisation
-- table that does not already hold the row's own id or organisation now leads with org_id: a row
-- the writer may insert is of its own organisation (row security checks that first), so it can
-- only ever collide with rows of that organisation. And an index that leads with org_id takes the
-- policy's organisation test as its first condition, so it never returns another organisation's rows.
do $uk$
declare
    r record;
    v_cols text;
begin
    for r in
        select c.conname, c.conrelid::regclass as tbl, c.conkey
          from pg_catalog.pg_constraint c
          join pg_catalog.pg_class t on t.oid = c.conrelid
         where c.contype = 'u' and t.relnamespace = 'dossier'::regnamespace and t.relkind = 'r'
           and (t.relname in (select table_name from privacy.personal_table)
                or t.relname in (select table_name from privacy.org_table))
           and exists (select from pg_catalog.pg_attribute a where a.attrelid = c.conrelid and a.attname = 'org_id')
           and not exists (select from pg_catalog.pg_attribute a
                            where a.attrelid = c.conrelid and a.attnum = any (c.conkey) and a.attname in ('id', 'org_id'))
           and not exists (select from pg_catalog.pg_constraint f where f.contype = 'f' and f.conindid = c.conindid)
         order by 1
    loop
        select string_agg(pg_catalog.quote_ident(a.attname), ', ' order by k.n) into v_cols
          from unnest(r.conkey) with ordinality k(attnum, n)
          join pg_catalog.pg_attribute a on a.attrelid = r.tbl and a.attnum = k.attnum;
        execute format('alter table %s drop constraint %I', r.tbl, r.conname);
        execute format('alter table %s add constraint %I unique (org_id, %s)', r.tbl, r.conname, v_cols);
    end loop;
end
$uk$;
