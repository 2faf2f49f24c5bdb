-- privacy.apply_access() (db/functions/1015_apply_access.sql): installs exactly the derived
-- model, whatever was there before, and leaves the partitions without grants or policies.
-- (No drift after a migration at all: tests/test_access.py, `dossier policy check`.)
begin;
select plan(10);

create function pg_temp.as_role(p_role name, p_sql text) returns void
    language plpgsql as $$
begin
    execute format('set local role %I', p_role);
    execute p_sql;
    reset role;
end
$$;

select ok((select not p.prosecdef and p.proconfig @> array['search_path=pg_catalog, pg_temp']
             from pg_catalog.pg_proc p where p.oid = 'privacy.apply_access'::regproc),
          'apply_access: SECURITY INVOKER with a pinned search_path');
select is((select count(*)::int from privacy.actual_privilege a
            where a.object_name in (select relname from privacy.record_partition)),
          0, 'no role holds a privilege on a partition of person_record');
select throws_ok($$select pg_temp.as_role('hr_officer', 'select surname from dossier.person_record_a2')$$,
                 '42501', null, 'a partition queried directly is refused (its parent''s policies would not apply)');

-- tampering, then apply_access
grant select on dossier.person_record to board_member;
grant all on dossier.salary to public;
grant execute on function dossier.feed_sql(text) to school_manager;
drop policy select_school_manager on dossier_store.person_record;
alter policy select_hr_advisor on dossier_store.absence using (true);
create policy tap_extra on dossier_store.salary for select to hr_advisor using (true);
-- the table behind a view, named (issue 13): USAGE and a grant on it
grant usage on schema dossier_store to school_manager;
grant select on dossier_store.salary to school_manager;
call privacy.apply_access();

select table_privs_are('dossier', 'person_record', 'board_member', '{}'::name[], 'the table grant is gone');
select is((select count(*)::int from privacy.actual_privilege where role = 'public' and object_name = 'salary'),
          0, 'PUBLIC holds nothing on salary again');
select ok(not has_schema_privilege('school_manager', 'dossier_store', 'USAGE')
          and not has_table_privilege('school_manager', 'dossier_store.salary', 'SELECT'),
          'nobody but the importer may name the tables behind the views again');
select ok(not has_function_privilege('school_manager', 'dossier.feed_sql(text)', 'EXECUTE'),
          'the routine grant is gone');
select policies_are('dossier_store', 'person_record',
                    array(select policy_name from privacy.expected_policy where table_name = 'person_record'),
                    'the dropped policy is back, nothing else');
select isnt((select qual from pg_catalog.pg_policies where tablename = 'absence' and policyname = 'select_hr_advisor'),
            'true', 'the altered policy is as derived again');
select policies_are('dossier_store', 'salary', array(select policy_name from privacy.expected_policy where table_name = 'salary'),
                    'the extra policy is gone');

select * from finish();
rollback;
