-- dossier:run-as superuser
-- Scope as a plan-time constant (issue 13; 004 art. 9, 10.2, 13.1; Bijlage 7).
--
-- The row policies used to read the caller's scope through an uncorrelated subquery, an InitPlan
-- that runs only when the first row reaches it. PostgreSQL evaluates a caller's leakproof
-- conditions (text, date and integer comparisons) before the policy when they are cheaper, so
-- EXPLAIN (ANALYZE) said "never executed" or not depending on a hidden row's value: one bit per
-- query. The policies now call privacy.scope(role, kind), folded to a constant array while the
-- statement is planned (db/functions/1000_access_helpers.sql): nothing about the policy runs while
-- rows are read, so the order of evaluation shows nothing.

-- Grant dates are judged in one fixed zone, whatever the session's TimeZone (issue 13 item 4).
insert into privacy.setting (key, value, note) values
    ('time_zone', 'Europe/Amsterdam', 'Zone in which grant dates (valid_from, valid_until) are judged'),
    ('scope_day', '', 'The day for which the scope constants in cached plans were last made (internal)')
on conflict (key) do nothing;

-- The employee's own data (art. 13.1) is read through definer functions owned by dossier_self,
-- never through a table privilege of employee_self (db/functions/1020_self.sql).
do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'dossier_self') then
        create role dossier_self nologin noinherit;
    end if;
end
$roles$;
comment on role dossier_self is
    'Owns the functions through which an employee reads their own data (art. 13.1); never logs in.';
alter default privileges for role dossier_self revoke execute on functions from public;
-- dossier_owner creates those functions and hands them to dossier_self (ALTER … OWNER needs this).
grant dossier_self to dossier_owner;
grant usage, create on schema reporting to dossier_self;
