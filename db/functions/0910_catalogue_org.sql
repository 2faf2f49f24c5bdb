-- The organisation of a planned session or a provider invoice is that of its activity or provider
-- (issue 14 item 1; db/schema/V1510__org_walls.sql): filled in when the writer leaves it out.
-- SECURITY INVOKER: a writer reads the parent row under its own row policies, so a parent of
-- another organisation looks like one that does not exist (the composite key then refuses it).
create or replace function dossier.fill_catalogue_org() returns trigger
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
begin
    if new.org_id is null then
        if tg_table_name = 'training_session' then
            select a.org_id into new.org_id from dossier.training_activity a where a.id = new.activity_id;
        else
            select p.org_id into new.org_id from dossier.training_provider p where p.id = new.provider_id;
        end if;
    end if;
    return new;
end
$$;
comment on function dossier.fill_catalogue_org() is
    'Fill a session''s or invoice''s organisation from its activity or provider, as the writer sees them.';

drop trigger if exists fill_org on dossier_store.training_session;
create trigger fill_org before insert on dossier_store.training_session
    for each row execute function dossier.fill_catalogue_org();
drop trigger if exists fill_org on dossier_store.provider_invoice;
create trigger fill_org before insert on dossier_store.provider_invoice
    for each row execute function dossier.fill_catalogue_org();
