-- dossier:run-as superuser
-- Jobs (pg_cron, only in the database named by cron.database_name): seal the audit chain every
-- minute; nightly and monthly:
-- close expired grants and drop their memberships (they stop working at valid_until already,
-- privacy.my_unit and the other scope views), make next months' audit partitions ahead of time, and run
-- retention (004 art. 14, 15.5; 000) as dossier_cron, a login whose only role is
-- dossier_retention: pg_cron runs a job as its username, and a NOLOGIN group role cannot be one.
-- The cluster's jobs connect over the local socket (cron.host, cron.use_background_workers = off:
-- pg_cron 1.4's background workers make every job wait for the longest one, citusdata/pg_cron#200);
-- the job logins (the superuser, dossier_cron) must be able to connect there without a password.
do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'dossier_cron') then
        create role dossier_cron login;
    end if;
    alter role dossier_cron login inherit nosuperuser nocreatedb nocreaterole nobypassrls noreplication;
    grant dossier_retention to dossier_cron;
end
$roles$;
comment on role dossier_cron is 'Login of the retention job (pg_cron); its only role is dossier_retention.';

do $cron$
begin
    if pg_catalog.to_regnamespace('cron') is null then
        raise notice 'pg_cron is not installed in this database: jobs not scheduled';
        return;
    end if;
    perform cron.schedule('dossier-expire-grants', '15 2 * * *', 'select privacy.expire_grants()');
    perform cron.schedule('dossier-audit-partitions', '0 3 1 * *', 'select audit.ensure_partitions(3)');
    -- the audit chain: seal every minute what was committed (db/schema/V1420__audit_seals.sql)
    perform cron.schedule('dossier-audit-seal', '* * * * *', 'select audit.seal()');
    -- issue 13: when the day turns in the organisation's zone, replan what holds yesterday's scope
    perform cron.schedule('dossier-scope-day', '* * * * *', 'select privacy.turn_scope_day()');
    -- 19.4 / 14.5: every minute, cut application sessions past the limits (privacy.watchdog,
    -- docs/operations.md "Limits") and drop throw-away logins whose shell never cleaned up
    perform cron.schedule('dossier-watchdog', '* * * * *', 'select count(*) from privacy.watchdog()');
    perform cron.schedule('dossier-tidy-trial-logins', '* * * * *', 'select privacy.tidy_trial_logins()');
    -- audit retention (issue 15.5): monthly, drop the audit partitions past audit_retention_months,
    -- as dossier_cron (dossier_retention may run audit.drop_expired_partitions)
    perform cron.schedule_in_database('dossier-audit-retention', '45 3 1 * *',
                                      'select audit.drop_expired_partitions()',
                                      pg_catalog.current_database(), 'dossier_cron', true);
    -- logs forget too (issue 15.4): daily, remove server log files older than
    -- server_log_retention_days (pg_file_unlink: the superuser that schedules this)
    perform cron.schedule('dossier-server-log-retention', '50 3 * * *', 'select audit.remove_expired_logs()');
    -- the read audit's facts out of the server log (V1602), every five minutes, as the superuser
    perform cron.schedule('dossier-audit-reads', '*/5 * * * *', 'select audit.collect_reads()');
    perform cron.schedule_in_database('dossier-retention', '30 2 * * *', 'call privacy.run_retention()',
                                      pg_catalog.current_database(), 'dossier_cron', true);
end
$cron$;
