-- dossier:run-as superuser
-- No login but a superuser takes advisory locks in a dossier database (issues 14.3, 19.4): the
-- product's own locks are rows of privacy.product_lock, but `dossier migrate` serialises on a
-- session advisory lock, which any login could take and hold, so that no migration could run
-- (found by the roles helper). Advisory locks are per database, so this closes it.
do $adv$
declare
    f regprocedure;
begin
    for f in select p.oid::regprocedure from pg_catalog.pg_proc p
              where p.pronamespace = 'pg_catalog'::regnamespace
                and (p.proname like 'pg\_advisory\_%' or p.proname like 'pg\_try\_advisory\_%')
              order by 1 loop
        execute pg_catalog.format('revoke execute on function %s from public', f);
    end loop;
end
$adv$;
