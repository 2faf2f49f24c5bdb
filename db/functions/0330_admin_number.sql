-- A record written by hand gets its personnel number (administratienummer, Bijlage 1-5 lid 2)
-- from the database: no application role holds INSERT or UPDATE on person_record.admin_number
-- (db/functions/1010_access_model.sql), so no unique-key error ever answers for a number the
-- writer chose (issue 13 item 5). The HR importer, which may read every record of its run's
-- organisation, sets the source system's number itself.
create or replace function dossier.assign_admin_number() returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: writers hold no USAGE on the sequence.
begin
    if new.admin_number is null
       and exists (select from privacy.annex_category ac
                    where ac.annex = new.annex and ac.category = 'admin_number') then
        new.admin_number := 'D' || pg_catalog.lpad(pg_catalog.nextval('dossier.admin_number_seq')::text, 7, '0');
    end if;
    return new;
end
$$;
comment on function dossier.assign_admin_number() is
    'Give a record written without a personnel number one from dossier.admin_number_seq.';

-- Only for a row without a number (WHEN): a load that brings its numbers (the HR importer's)
-- pays no definer call per row.
drop trigger if exists assign_admin_number on dossier_store.person_record;
create trigger assign_admin_number before insert on dossier_store.person_record
    for each row when (new.admin_number is null) execute function dossier.assign_admin_number();
