-- dossier:run-as superuser
-- Nightly and monthly jobs (pg_cron, only in the database named by cron.database_name):
-- close expired grants and drop their memberships (they stop working at valid_until already,
-- privacy.my_units and friends), and make next months' audit partitions ahead of time.
do $cron$
begin
    if pg_catalog.to_regnamespace('cron') is null then
        raise notice 'pg_cron is not installed in this database: jobs not scheduled';
        return;
    end if;
    perform cron.schedule('dossier-expire-grants', '15 2 * * *', 'select privacy.expire_grants()');
    perform cron.schedule('dossier-audit-partitions', '0 3 1 * *', 'select audit.ensure_partitions(3)');
end
$cron$;
