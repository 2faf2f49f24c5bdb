-- dossier.record_key follows dossier.person_record (db/schema/V1310__record_key.sql): inserted,
-- re-keyed and deleted with it, statement by statement (transition tables). ENABLE ALWAYS: it
-- runs under session_replication_role = replica too (bulk loads), or details would lose their
-- anchor. Deleting a key cascades to the record's details (art. 14: erasure is complete).

-- SECURITY DEFINER: no application role holds any privilege on record_key.
create or replace function dossier.record_key_sync() returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
begin
    if tg_op = 'INSERT' then
        insert into dossier.record_key (id, annex, org_id, unit_id, subject_id)
        select n.id, n.annex, n.org_id, n.unit_id, n.subject_id from new_rows n;
    elsif tg_op = 'UPDATE' then
        update dossier.record_key k
           set annex = n.annex, org_id = n.org_id, unit_id = n.unit_id, subject_id = n.subject_id
          from old_rows o join new_rows n on n.id = o.id
         where k.id = o.id and k.annex = o.annex
           and (n.annex, n.org_id, n.unit_id, n.subject_id) is distinct from (o.annex, o.org_id, o.unit_id, o.subject_id);
    elsif tg_op = 'DELETE' then
        delete from dossier.record_key k using old_rows o where k.id = o.id and k.annex = o.annex;
    else
        truncate dossier.record_key cascade;
    end if;
    return null;
end
$$;
comment on function dossier.record_key_sync() is 'Keep dossier.record_key in step with dossier.person_record.';

create or replace trigger record_key_insert after insert on dossier_store.person_record
    referencing new table as new_rows for each statement execute function dossier.record_key_sync();
create or replace trigger record_key_update after update on dossier_store.person_record
    referencing old table as old_rows new table as new_rows for each statement execute function dossier.record_key_sync();
create or replace trigger record_key_delete after delete on dossier_store.person_record
    referencing old table as old_rows for each statement execute function dossier.record_key_sync();
create or replace trigger record_key_truncate after truncate on dossier_store.person_record
    for each statement execute function dossier.record_key_sync();
alter table dossier_store.person_record enable always trigger record_key_insert;
alter table dossier_store.person_record enable always trigger record_key_update;
alter table dossier_store.person_record enable always trigger record_key_delete;
alter table dossier_store.person_record enable always trigger record_key_truncate;
