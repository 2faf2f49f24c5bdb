-- Indexes for the row policies (issue 4: "the scoped columns indexed"). Every policy on a detail
-- table filters on the row's annex, org_id or unit_id and subject_id, and on its restricted flag
-- (V1450); a detail row is mostly reached by its record. An index on record_id that carries those
-- columns lets "one person's dossier" read the details of a record from the index alone,
-- policies included (no heap visit per row). It replaces the plain record_id index
-- register_detail makes, and the `_record_scope` index of before the flag. Re-runs after every
-- schema change, so a new detail table gets it too.
do $idx$
declare
    t text;
begin
    for t in
        select c.table_name from information_schema.columns c
          join privacy.personal_table pt on pt.table_name = c.table_name
         where c.table_schema = 'dossier' and c.column_name = 'record_id'
         order by 1
    loop
        execute format('create index if not exists %s on dossier.%I (record_id) '
                       'include (annex, org_id, unit_id, subject_id, restricted)', t || '_record_policy', t);
        execute format('drop index if exists dossier.%I', t || '_record_idx');
        execute format('drop index if exists dossier.%I', t || '_record_scope');
    end loop;
end
$idx$;
