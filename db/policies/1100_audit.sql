-- Attach the change audit (db/functions/1100_audit.sql) to every personal-data table, and make
-- this month's and the next three months' audit partitions. Re-runs after every schema change,
-- so a new personal-data table is audited from its first row.
select audit.ensure_partitions(3);

do $audit$
declare
    t text;
begin
    for t in select table_name from privacy.personal_table order by 1 loop
        execute format('drop trigger if exists audit_insert on dossier.%I', t);
        execute format('drop trigger if exists audit_update on dossier.%I', t);
        execute format('drop trigger if exists audit_delete on dossier.%I', t);
        execute format('drop trigger if exists audit_truncate on dossier.%I', t);
        execute format('create trigger audit_insert after insert on dossier.%I referencing new table as new_rows '
                       'for each statement execute function audit.capture()', t);
        -- the table's own name as argument: on a partitioned table the row trigger fires on the partition
        execute format('create trigger audit_update after update on dossier.%I '
                       'for each row execute function audit.capture_update(%L)', t, t);
        execute format('create trigger audit_delete after delete on dossier.%I referencing old table as old_rows '
                       'for each statement execute function audit.capture()', t);
        execute format('create trigger audit_truncate after truncate on dossier.%I '
                       'for each statement execute function audit.capture()', t);
    end loop;
end
$audit$;
