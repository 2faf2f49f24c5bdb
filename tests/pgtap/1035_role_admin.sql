-- Role administration (db/functions/1035_role_admin.sql) and the product locks
-- (db/functions/0990_product_lock.sql, db/schema/V1800): issue 19.1, 14.3.
begin;
select plan(19);

-- no login, and no group role, holds CREATEROLE (19.1)
select is((select rolcreaterole from pg_roles where rolname = 'dossier_admin'), false,
          'dossier_admin has no CREATEROLE');
select is((select count(*)::integer from pg_roles where rolcreaterole and not rolsuper), 0,
          'no role but the superusers holds CREATEROLE');

-- the role functions are SECURITY DEFINER, owned by a superuser, executable by dossier_admin only
select is_definer('privacy', 'grant_access', array['text', 'name', 'text', 'date', 'text', 'bigint'],
                  'grant_access is SECURITY DEFINER');
select is_definer('privacy', 'revoke_access', array['text', 'name', 'text'], 'revoke_access is SECURITY DEFINER');
select is_definer('privacy', 'expire_grants', array[]::name[], 'expire_grants is SECURITY DEFINER');
select is_definer('privacy', 'set_password', array['text', 'text'], 'set_password is SECURITY DEFINER');
select is_definer('privacy', 'open_trial_login', array['name', 'text', 'bigint'],
                  'open_trial_login is SECURITY DEFINER');
select is((select bool_and(r.rolsuper) from privacy.admin_routine a
             join pg_proc p on p.oid = ('privacy.' || a.routine)::regprocedure
             join pg_roles r on r.oid = p.proowner), true,
          'every role-administration routine is owned by a superuser');
select is((select count(*)::integer from privacy.admin_routine a
            where has_function_privilege('public', ('privacy.' || a.routine)::regprocedure, 'execute')), 0,
          'no role-administration routine is executable by PUBLIC');
select function_privs_are('privacy', 'grant_access', array['text', 'name', 'text', 'date', 'text', 'bigint'],
                          'dossier_admin', array['EXECUTE'], 'dossier_admin may grant');
select function_privs_are('privacy', 'grant_access', array['text', 'name', 'text', 'date', 'text', 'bigint'],
                          'hr_officer', array[]::text[], 'an application role may not');
select function_privs_are('privacy', 'watchdog', array[]::name[], 'dossier_admin', array[]::text[],
                          'the watchdog is the superuser''s (pg_cron) only');

-- the register is written by the functions only (no forged granted_by)
select table_privs_are('privacy', 'role_grant', 'dossier_admin', array['SELECT'],
                       'dossier_admin reads the grants register, writes it only through the functions');

-- the product locks: one registry of names, no privilege for any application role (14.3, 18.3)
select set_eq('select name from privacy.product_lock', array['audit_seal', 'grant_unit', 'restriction'],
              'the product locks, by name');
select is((select count(*)::integer from privacy.app_role a
            where a.role <> 'dossier_owner'
              and (has_table_privilege(a.role, 'privacy.product_lock', 'select')
                   or has_table_privilege(a.role, 'privacy.product_lock', 'update'))), 0,
          'no dossier role may read or lock privacy.product_lock');
select function_privs_are('privacy', 'take_product_lock', array['text', 'boolean'], 'school_manager',
                          array[]::text[], 'an application role may not take a product lock');
select function_privs_are('privacy', 'take_product_lock', array['text', 'boolean'], 'dossier_retention',
                          array['EXECUTE'], 'the restriction trigger (dossier_retention) may');

-- large objects: no lo_* function for PUBLIC (19.5)
select is((select count(*)::integer from pg_proc
            where pronamespace = 'pg_catalog'::regnamespace and (proname like 'lo\_%' or proname in ('loread', 'lowrite'))
              and proname not in ('lo_compat_privileges')
              and has_function_privilege('public', oid, 'execute')), 0,
          'no large-object function is executable by PUBLIC');
select throws_ok('select privacy.take_product_lock(''no_such_lock'')', '42704', 'no dossier lock named ''no_such_lock''',
                 'an unknown lock name is refused');

select * from finish();
rollback;
