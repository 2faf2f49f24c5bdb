-- privacy.policy_drift() (db/functions/1020_policy_check.sql; `dossier policy check`): nothing
-- on a migrated database (tests/test_access.py), and each kind of change made by hand is reported.
begin;
select plan(10);

select ok((select p.prosecdef is false from pg_catalog.pg_proc p where p.oid = 'privacy.policy_drift'::regproc),
          'policy_drift: SECURITY INVOKER');

grant select on dossier.person_record to board_member;
revoke select (surname) on dossier.person_record from absence_registrar;
alter table dossier_store.salary no force row level security;
alter table dossier_store.org_unit disable row level security;
drop policy select_school_manager on dossier_store.person_record;
alter policy select_hr_advisor on dossier_store.absence using (true);
create policy tap_extra on dossier_store.salary for select to hr_advisor using (true);
-- a way round the views (issue 13): a table of the catalogue read directly, another view on a stored table
drop view dossier.tax_record cascade;
create view dossier.tax_record as select * from dossier_store.tax_record;
create view reporting.tap_sneak with (security_invoker = true) as select bsn from dossier_store.person_record;
-- once: the report reads every ACL of our schemas (about a minute on a busy test machine)
create temp table tap_drift as select * from privacy.policy_drift();

select ok(exists (select from tap_drift where kind = 'unexpected privilege'
                     and object = 'dossier.person_record' and detail ~ 'board_member'),
          'an extra table grant is reported');
select ok(exists (select from tap_drift where kind = 'missing privilege'
                     and object = 'dossier.person_record.surname' and detail ~ 'absence_registrar'),
          'a missing column grant is reported');
select ok(exists (select from tap_drift where kind = 'row security' and object = 'dossier.salary'),
          'row security no longer forced on personal data is reported');
select ok(exists (select from tap_drift where kind = 'row security' and object = 'dossier.org_unit'),
          'row security off on organisation data is reported');
select ok(exists (select from tap_drift where kind = 'missing policy'
                     and object = 'dossier.person_record.select_school_manager'),
          'a dropped policy is reported');
select ok(exists (select from tap_drift where kind = 'changed policy'
                     and object = 'dossier.absence.select_hr_advisor'),
          'an altered policy is reported');
select ok(exists (select from tap_drift where kind = 'unexpected policy'
                     and object = 'dossier.salary.tap_extra'),
          'a policy added by hand is reported');

select ok(exists (select from tap_drift where kind = 'not behind a view' and object = 'dossier.tax_record'),
          'a table of the catalogue behind a view that is not security_barrier, security_invoker is reported');
select ok(exists (select from tap_drift where kind = 'reads a stored table' and object = 'reporting.tap_sneak'),
          'another view reading a table of dossier_store is reported');

select * from finish();
rollback;
