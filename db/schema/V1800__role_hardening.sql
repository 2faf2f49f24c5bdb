-- dossier:run-as superuser
-- No escalation, locks nobody else can hold, logins that go away, resource limits, no large
-- objects (issue 19 items 1, 4, 5; issue 14 items 3, 5, 6).

-- 19.1: in PostgreSQL 15 CREATEROLE can grant any role (pg_execute_server_program, dossier_owner):
-- no login holds it. Role administration goes through the SECURITY DEFINER functions of
-- db/functions/1035_role_admin.sql, which grant the Annex 7 / implied roles and nothing else.
alter role dossier_admin nocreaterole;

-- 14.5: the throw-away logins of `dossier psql --as` are members of this group; pg_hba.conf
-- rejects its members over TCP (admin/dossier/cluster.py), so a password one sets is of no use.
do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'dossier_trial') then
        create role dossier_trial nologin noinherit;
    end if;
end
$roles$;
comment on role dossier_trial is
    'Group of the throw-away logins of `dossier psql --as`: never over TCP, gone after the session.';

-- 14.3 / 18.3: the product's locks, one registry of their names. A definer function locks a row
-- FOR UPDATE (exclusive) or FOR SHARE (shared) for the rest of its transaction
-- (privacy.take_product_lock, db/functions/0990_product_lock.sql). No application role holds any
-- privilege on the table, so none can lock a row of it, nor LOCK TABLE it; advisory-lock keys
-- are open to every login and are no longer used.
create table privacy.product_lock (
    name  text primary key,
    note  text not null
);
alter table privacy.product_lock owner to dossier_owner;
revoke all on privacy.product_lock from public;
comment on table privacy.product_lock is
    'The product''s locks, by name (issue 14.3): rows locked by privacy.take_product_lock(); no application role may touch them.';
insert into privacy.product_lock (name, note) values
    ('audit_seal', 'one audit.seal() at a time (db/functions/1100_audit.sql)'),
    ('grant_unit', 'one rebuild of privacy.grant_unit at a time (db/functions/1000_access_helpers.sql)'),
    ('restriction', 'inserts (shared) against restriction changes (exclusive) (db/functions/1420_restricted.sql)');

-- Role-level settings and attributes that privacy.grant_access gives every login it makes
-- (19.4); `dossier policy check` reports any other (db/functions/1020_policy_check.sql).
insert into privacy.setting (key, value, note) values
    ('login_connection_limit', '10', 'CONNECTION LIMIT of a login made by dossier grant (19.4)'),
    ('login_temp_file_limit', '256MB', 'temp_file_limit of every login made by dossier grant (19.4)'),
    ('login_statement_timeout', '15min', 'statement_timeout of every login (default; the watchdog enforces it)'),
    ('login_idle_in_transaction_timeout', '5min',
     'idle_in_transaction_session_timeout of every login (default; the watchdog enforces it)'),
    ('watchdog_statement_limit', '15 minutes', 'the watchdog cancels an application statement running longer'),
    ('watchdog_idle_in_transaction_limit', '5 minutes',
     'the watchdog ends an application session idle in a transaction longer'),
    ('watchdog_lock_wait_limit', '1 minute',
     'the watchdog ends an application session whose locks keep others waiting longer'),
    ('trial_login_minutes', '60', 'a dossier psql --as login is valid this long, then the tidy job drops it')
on conflict (key) do nothing;

-- 19.5: application roles create no large objects (an object outlives the revoke of its owner
-- and can be granted to PUBLIC). The server-side lo_import/lo_export are superuser-only already.
revoke execute on function pg_catalog.lo_create(oid), pg_catalog.lo_creat(integer),
    pg_catalog.lo_from_bytea(oid, bytea), pg_catalog.lo_import(text), pg_catalog.lo_import(text, oid),
    pg_catalog.lo_export(oid, text), pg_catalog.lo_open(oid, integer), pg_catalog.lo_put(oid, bigint, bytea),
    pg_catalog.lo_get(oid), pg_catalog.lo_get(oid, bigint, integer), pg_catalog.lowrite(integer, bytea),
    pg_catalog.loread(integer, integer), pg_catalog.lo_unlink(oid), pg_catalog.lo_truncate(integer, integer),
    pg_catalog.lo_truncate64(integer, bigint), pg_catalog.lo_lseek(integer, integer, integer),
    pg_catalog.lo_lseek64(integer, bigint, integer), pg_catalog.lo_tell(integer), pg_catalog.lo_tell64(integer),
    pg_catalog.lo_close(integer)
    from public;

-- The role-administration routines (db/functions/1035_role_admin.sql, owned by the superuser)
-- and who may execute them: `dossier policy check` expects exactly these EXECUTE grants.
create table privacy.admin_routine (
    routine  name primary key,
    role     name not null
);
alter table privacy.admin_routine owner to dossier_owner;
revoke all on privacy.admin_routine from public;
comment on table privacy.admin_routine is
    'Routines of the role administration (19.1) and the role that may execute each; filled by 1035_role_admin.sql.';
