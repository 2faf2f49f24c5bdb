-- dossier:run-as superuser
-- Foundation: the roles of contract §3, the extensions, and the schemas, owned by dossier_owner.
-- Roles are cluster-wide, so they are created only when missing.

-- Security first: nothing executable by PUBLIC by default (style rule 4).
alter default privileges revoke execute on functions from public;
revoke create on schema public from public;

do $roles$
declare
    r text;
begin
    foreach r in array array[
        -- technical roles
        'dossier_owner', 'dossier_admin', 'dossier_importer', 'dossier_retention', 'dossier_mis',
        'dossier_auditor',
        -- Annex 7 rows (004 Bijlage 7) and the roles the rest of the seeds imply
        'hr_officer', 'hr_advisor', 'payroll_administrator', 'hr_manager', 'absence_registrar',
        'board_member', 'finance_manager', 'finance_advisor', 'internal_auditor',
        'occupational_physician', 'school_manager', 'employee_self', 'privacy_officer',
        'training_administrator'
    ] loop
        if not exists (select from pg_catalog.pg_roles where rolname = r) then
            execute pg_catalog.format('create role %I nologin noinherit', r);
        end if;
    end loop;
end
$roles$;

-- dossier_owner owns every object and never logs in; dossier_admin manages logins and grants.
alter role dossier_owner nologin inherit;
alter role dossier_admin nologin createrole;
comment on role dossier_owner is 'Owns every dossier object; never logs in (contract §3).';
comment on role dossier_admin is 'Manages logins, grants and policies (contract §3).';
comment on role dossier_auditor is 'pgaudit.role: reads that touch what it may read are logged (004 art. 8, 10).';
comment on role dossier_mis is 'Owns the MIS views: reads what the aggregates need, nothing else.';

alter default privileges for role dossier_owner revoke execute on functions from public;
alter default privileges for role dossier_mis revoke execute on functions from public;
-- dossier_owner creates the MIS views and hands them to dossier_mis (ALTER … OWNER needs this).
grant dossier_mis to dossier_owner;

do $ext$
begin
    if pg_catalog.current_setting('shared_preload_libraries') like '%pgaudit%' then
        create extension if not exists pgaudit;
    end if;
    -- pg_cron installs only in the database named by cron.database_name.
    if pg_catalog.current_setting('cron.database_name', true) = pg_catalog.current_database() then
        create extension if not exists pg_cron;
    end if;
end
$ext$;

create schema dossier authorization dossier_owner;
comment on schema dossier is 'The personnel dossier (art. 6): organisation, subjects, records per annex.';
create schema privacy authorization dossier_owner;
comment on schema privacy is 'The regulation as data: categories, annexes, access matrix, registers (art. 9.2, AVG art. 30).';
create schema audit authorization dossier_owner;
comment on schema audit is 'Tamper-evident change audit (art. 10).';
create schema reporting authorization dossier_owner;
comment on schema reporting is 'Security-invoker views per audience for BI tools (Bijlage 7).';
create schema mis authorization dossier_owner;
comment on schema mis is 'Management information: aggregates with small-cell suppression (Bijlage 7).';
