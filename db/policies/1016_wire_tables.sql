-- dossier:run-as superuser
-- Wire every table of the catalogue (privacy.wire_table, db/functions/1016_wire_table.sql): row
-- security, the change audit, the restriction triggers and the covering policy index. Re-runs
-- after every schema change, so a table a migration registers (privacy.register_detail, or a
-- row in privacy.org_table) is wired before the migration run ends. Superuser file: the
-- restriction trigger names privacy.sync_restricted(), which only dossier_retention executes.
-- person_record's partitions are wired with person_record.
do $wire$
declare
    t name;
begin
    for t in select w.table_name from privacy.wired_table w where w.kind <> 'partition' order by 1 loop
        call privacy.wire_table(privacy.stored(t));
    end loop;
end
$wire$;
