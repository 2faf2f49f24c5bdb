-- dossier:run-as superuser
-- Logs forget too (issue 15.4): the server's csv log holds what pgaudit logs of each read (the
-- statement and its parameters: names, IBANs, phone numbers) and the error messages of failed
-- writes. It is kept `server_log_retention_days` and no longer: audit.remove_expired_logs()
-- (db/functions/1100_audit.sql), scheduled daily in db/policies/1900_cron.sql, removes every log
-- file last written before that. adminpack provides pg_file_unlink() (superuser only; the job
-- runs as the superuser that schedules it). And audit.head() reads the cluster's identity for
-- signed digests (`dossier audit digest`).
create extension if not exists adminpack;
grant execute on function pg_catalog.pg_control_system() to dossier_owner;

insert into privacy.setting (key, value, note) values
    ('server_log_retention_days', '7',
     'Days the server''s csv log files (pgaudit read lines with their parameters) are kept before audit.remove_expired_logs() removes them')
on conflict (key) do nothing;
