-- Two findings of an independent attack (issues 14.3, 19.4):
-- * a login gave itself a password (`alter role current_user password …`, which PostgreSQL allows
--   every role) and logged in over TCP unseen: the verifiers `dossier grant --password` and
--   `dossier password` set are recorded, and `policy check` reports a login whose password is not
--   one of them (privacy.unexpected_passwords());
-- * a session held the product's locks by sitting in an open transaction (a restriction waits
--   for every open write of personal data, a seal for the open seal): the watchdog now ends a
--   session idle in a transaction that has written (holds a transaction id) after 30 seconds, and
--   looks at lock waits from 10 seconds (a product-lock wait gives up after 30).
create table privacy.login_password (
    login      name primary key,
    verifier   text not null,
    set_by     name not null default session_user,
    set_at     timestamptz not null default pg_catalog.now()
);
comment on table privacy.login_password is
    'The SCRAM verifier dossier set for a login (grant --password, dossier password); any other password is reported.';

insert into privacy.setting (key, value, note) values
    ('watchdog_idle_writer_limit', '30 seconds',
     'The watchdog ends a session idle in a transaction that has written (it may hold product locks) after this')
on conflict (key) do nothing;
update privacy.setting set value = '10 seconds' where key = 'watchdog_lock_wait_limit' and value = '1 minute';
