-- Foundation (db/schema/V0001__foundation.sql): roles, schemas, default privileges.
begin;
select plan(7);

select has_role(r, 'role ' || r || ' exists')
  from unnest(array['dossier_owner', 'dossier_admin']) r;

select is((select rolcanlogin from pg_roles where rolname = 'dossier_owner'), false,
          'dossier_owner never logs in');

select schemas_are(array['public', 'dossier', 'dossier_store', 'privacy', 'audit', 'reporting', 'mis',
                         'dossier_migrate', 'ext'],
                   'exactly the expected schemas (pg_cron lives only in cron.database_name)');

select is((select nspowner::regrole::text from pg_namespace where nspname = 'privacy'),
          'dossier_owner', 'dossier_owner owns the privacy schema');

select ok(not has_schema_privilege('public', 'public', 'create'),
          'PUBLIC cannot create in schema public');

select ok(exists (select from pg_extension where extname = 'pgaudit'), 'pgaudit is installed');

select * from finish();
rollback;
