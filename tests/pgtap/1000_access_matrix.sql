-- The access matrix (db/policies/1000_access_matrix.sql; db/functions/1000_access_helpers.sql)
-- checked by hand against the regulation: one block per row of 004 Bijlage 7 ("Tabel overzicht
-- toegang tot personeelsregistratie", art. 9.2), quoting it, with what the row allows and a
-- denial tried as the role (SQLSTATE 42501). The whole derived model, generated, is in
-- 1010_access_model.sql.
begin;
select plan(46);

-- A query as a role, inside the test's transaction; the role ends with the call, error or not.
create function pg_temp.as_role(p_role name, p_sql text) returns void
    language plpgsql as $$
begin
    execute format('set local role %I', p_role);
    execute p_sql;
    reset role;
end
$$;
create temp table tap_personal as select table_name::name from privacy.personal_table;

-- "Per school 1 medewerker óf roostermaker óf administratief medewerker ➤ voor verzuimregistratie:
--  Alleen gegevens t.b.v. verzuimregistratie: achternaam, voornaam; geboortedatum, man/vrouw;
--  personeelsnummer, functie, locatie/team; eerste verzuimdag, % verzuim, reden van verzuim."
select set_eq($$select column_name::text from privacy.actual_privilege
                 where role = 'absence_registrar' and object_name = 'person_record' and privilege = 'SELECT'
                   and column_name <> all (privacy.key_columns())$$,
              $$values ('surname'), ('prefix'), ('first_names'), ('birth_date'), ('gender'), ('admin_number')$$,
              'absence registrar reads of a record: achternaam, voornaam, geboortedatum, man/vrouw, personeelsnummer');
select column_privs_are('dossier', 'employment', 'position', 'absence_registrar', array['SELECT'],
                        'absence registrar reads the functie');
select set_eq($$select column_name::text from privacy.actual_privilege
                 where role = 'absence_registrar' and object_name = 'absence' and privilege = 'INSERT'
                   and column_name not in ('record_id')$$,
              $$values ('first_day'), ('percentage'), ('reason_code')$$,
              'absence registrar records eerste verzuimdag, % verzuim, reden van verzuim');
select column_privs_are('dossier', 'absence', 'last_day', 'absence_registrar', '{}'::name[],
                        'absence registrar: not the last day (the row lists the first; issue 16.5)');
select column_privs_are('dossier', 'person_record', 'initials', 'absence_registrar', '{}'::name[],
                        'absence registrar: "achternaam, voornaam", not the initials (issue 16.5)');
select lives_ok($$select pg_temp.as_role('absence_registrar',
                   'select surname, first_names, birth_date, gender, admin_number from dossier.person_record')$$,
                'absence registrar may query the listed fields');
select throws_ok($$select pg_temp.as_role('absence_registrar', 'select bsn from dossier.person_record')$$,
                 '42501', null, 'absence registrar: the BSN is refused');
select throws_ok($$select pg_temp.as_role('absence_registrar', 'select gross_amount from dossier.salary')$$,
                 '42501', null, 'absence registrar: salary is refused');
select throws_ok($$select pg_temp.as_role('absence_registrar', 'select street from dossier.person_record')$$,
                 '42501', null, 'absence registrar: the address is refused');
select ok((select qual from pg_catalog.pg_policies where tablename = 'absence' and policyname = 'select_absence_registrar')
          ~ 'privacy.scope\(''absence_registrar''::name, ''unit''::text\)',
          'absence registrar: "per school": its own unit only');

-- "Bedrijfsarts ➤ voor raadpleging verzuiminformatie medewerkers: Informatie uit het onderdeel
--  verzuim van het personeelsinformatiesysteem."
select set_eq($$select distinct object_name::text from privacy.actual_privilege
                 where role = 'occupational_physician' and schema_name = 'dossier'
                   and object_name in (select table_name from tap_personal)$$,
              $$values ('person_record'), ('employment'), ('absence')$$,
              'occupational physician: the absence part only (who, their function, their absence)');
select column_privs_are('dossier', 'absence', 'reason_code', 'occupational_physician', array['SELECT'],
                        'occupational physician reads the reason of absence, and writes nothing');
select throws_ok($$select pg_temp.as_role('occupational_physician',
                   'insert into dossier.absence (record_id, first_day, percentage, reason_code) values (1, current_date, 100, ''sickness'')')$$,
                 '42501', null, 'occupational physician: recording absence is refused ("raadpleging")');
select throws_ok($$select pg_temp.as_role('occupational_physician', 'select id from dossier.appraisal')$$,
                 '42501', null, 'occupational physician: appraisals are refused');

-- "Manager Financiën / Adviseur Financiën / Interne Auditor ➤ voor raadpleging
--  managementinformatie: Informatie in het managementinformatiesysteem."
select is((select count(*)::int from privacy.actual_privilege
            where role in ('finance_manager', 'finance_advisor', 'internal_auditor')
              and schema_name = 'dossier' and object_name in (select table_name from tap_personal)),
          0, 'finance manager, finance advisor, internal auditor: no privilege on any personal-data table');
select ok((select bool_and(ar.mis) from privacy.app_role ar
            where ar.role in ('finance_manager', 'finance_advisor', 'internal_auditor')),
          'and they are MIS roles');
select throws_ok($$select pg_temp.as_role('finance_manager', 'select surname from dossier.person_record')$$,
                 '42501', null, 'finance manager: the records are refused');
select throws_ok($$select pg_temp.as_role('internal_auditor', 'select gross_amount from dossier.salary')$$,
                 '42501', null, 'internal auditor: salary is refused');

-- "HRM-adviseur ➤ voor raadpleging persoonsgegevens en managementinformatie" and
-- "Lid Raad van Bestuur ➤ voor raadpleging personeelsgegevens en managementinformatie":
-- reading all of annexes 1-5, writing nothing.
select is((select count(*)::int from privacy.actual_privilege
            where role in ('hr_advisor', 'board_member') and privilege in ('INSERT', 'UPDATE', 'DELETE')
              and schema_name = 'dossier'),
          0, 'HR advisor and board member write nothing ("raadpleging")');
select column_privs_are('dossier', 'person_record', 'bsn', 'hr_advisor', array['SELECT'],
                        'HR advisor reads "alle informatie", the BSN included');
select throws_ok($$select pg_temp.as_role('hr_advisor', 'update dossier.person_record set surname = ''X''')$$,
                 '42501', null, 'HR advisor: an update is refused');
select throws_ok($$select pg_temp.as_role('board_member', 'delete from dossier.absence')$$,
                 '42501', null, 'board member: a delete is refused');
select policies_are('dossier_store', 'payout',
                    array(select p.policy_name from privacy.expected_policy p where p.table_name = 'payout'),
                    'payouts (Bijlage 6) have their own policies');
select ok(not exists (select from pg_catalog.pg_policies where tablename = 'payout'
                       and ('hr_advisor' = any (roles) or 'board_member' = any (roles) or 'hr_officer' = any (roles))),
          'and none for the roles of "bijlage 1 t/m 5"');

-- "(Administratief) medewerker HRM ➤ voor alle in bijlage 1 t/m 5 genoemde doeleinden": writes
-- annexes 1-5, organisation-wide.
select is((select with_check from pg_catalog.pg_policies where tablename = 'person_record' and policyname = 'insert_hr_officer'),
          '((annex = ANY (''{A1,A2,A3,A4,A5}''::text[])) AND (org_id = ANY (privacy.scope(''hr_officer''::name, ''org''::text))))',
          'HR officer inserts records of annexes 1-5 in its organisation');
select policy_cmd_is('dossier_store', 'person_record', 'delete_hr_officer', 'delete', 'HR officer deletes records');

-- the row guard (issue 13): a restrictive SELECT policy per reading role, made of zero-cost steps
select is((select count(*)::int from pg_catalog.pg_policies
            where schemaname = 'dossier_store' and policyname like 'guard\_%' and (permissive <> 'RESTRICTIVE' or cmd <> 'SELECT')),
          0, 'every row guard is a restrictive SELECT policy');
select is((select qual from pg_catalog.pg_policies where tablename = 'absence' and policyname = 'guard_school_manager'),
          '((privacy.row_map(''absence''::name, false))[annex_no][unit_no] AND ((NOT restricted) OR (privacy.row_map(''absence''::name, true))[annex_no][unit_no])'
          ' AND (annex_no >= array_lower(privacy.row_map(''absence''::name, false), 1)) AND (annex_no <= array_upper(privacy.row_map(''absence''::name, false), 1))'
          ' AND (unit_id >= array_lower(privacy.row_map(''absence''::name, false), 2)) AND (unit_id <= array_upper(privacy.row_map(''absence''::name, false), 2))'
          ' AND ((restricted)::integer <= LEAST(cardinality(privacy.row_map(''absence''::name, true)), 1))'
          ' AND (org_id >= array_lower(privacy.org_map(''absence''::name), 1)) AND (org_id <= array_upper(privacy.org_map(''absence''::name), 1)))',
          'the school manager''s guard on absence: its cells, and no restricted person; then their bounds and the flag as an integer, for the indexes');

-- "(Externe) salarisadministrateur ➤ voor alle in bijlage 1 t/m 5 genoemde doeleinden" (and the
-- payouts of Bijlage 6 it makes)
select ok((select with_check from pg_catalog.pg_policies where tablename = 'person_record' and policyname = 'insert_payroll_administrator')
          ~ '\{A1,A2,A3,A4,A5,A6\}', 'payroll administrator writes annexes 1-6');
select table_privs_are('dossier', 'payout', 'payroll_administrator', array['DELETE'],
                       'payroll administrator: payouts, by column privileges and DELETE');

-- "Manager HRM ➤ voor raadpleging persoonsgegevens, managementinformatie en het maken van
--  mutaties voor afdelingspersoneel": reads the organisation, changes its own unit only.
select ok((select qual from pg_catalog.pg_policies where tablename = 'person_record' and policyname = 'select_hr_manager')
          ~ 'privacy.scope\(''hr_manager''::name, ''org''::text\)', 'HR manager reads organisation-wide');
select ok((select qual || with_check from pg_catalog.pg_policies where tablename = 'person_record' and policyname = 'update_hr_manager')
          !~ '''org''', 'HR manager changes records of its unit only ("afdelingspersoneel")');
select ok((select with_check from pg_catalog.pg_policies where tablename = 'person_record' and policyname = 'update_hr_manager')
          ~ 'privacy.scope\(''hr_manager''::name, ''unit''::text\)', 'the unit scope in the check too');

-- "Schooldirecteuren en teamleiders van (school)locatie(s) en stafmanagers (algemeen) ➤ voor
--  raadpleging personeelsgegevens en managementinformatie: Informatie in de personeelsdossiers"
-- (contract §3: not iban, bsn, salary, tax, id_copy, family), of their own school.
select column_privs_are('dossier', 'person_record', 'surname', 'school_manager', array['SELECT'],
                        'school manager reads the personnel record');
select throws_ok($$select pg_temp.as_role('school_manager', 'select iban from dossier.person_record')$$,
                 '42501', null, 'school manager: the IBAN is refused');
select throws_ok($$select pg_temp.as_role('school_manager', 'select bsn from dossier.person_record')$$,
                 '42501', null, 'school manager: the BSN is refused');
select throws_ok($$select pg_temp.as_role('school_manager', 'select gross_amount from dossier.salary')$$,
                 '42501', null, 'school manager: salary is refused');
select throws_ok($$select pg_temp.as_role('school_manager', 'select id from dossier.family_member')$$,
                 '42501', null, 'school manager: family is refused');
select throws_ok($$select pg_temp.as_role('school_manager', 'update dossier.person_record set surname = ''X''')$$,
                 '42501', null, 'school manager: an update is refused ("raadpleging")');
select ok((select qual from pg_catalog.pg_policies where tablename = 'person_record' and policyname = 'select_school_manager')
          ~ '\{A2\}.*privacy.scope\(''school_manager''::name, ''unit''::text\)',
          'school manager: annex 2 records of its own school');

-- Art. 13.1 (recht op inzage): the employee reads their own data through functions only.
select is((select count(*)::int from privacy.actual_privilege
            where role = 'employee_self' and schema_name = 'dossier'
              and object_name in (select table_name from tap_personal)),
          0, 'employee_self holds no privilege on a personal-data table (issue 13)');
select throws_ok($$select pg_temp.as_role('employee_self', 'select surname from dossier.person_record')$$,
                 '42501', null, 'employee_self: the records table is refused');

-- Art. 16.3: the privacy officer supervises without reading personal data.
select is((select count(*)::int from privacy.actual_privilege
            where role = 'privacy_officer' and schema_name = 'dossier'
              and object_name in (select table_name from tap_personal)),
          0, 'privacy officer: no privilege on any personal-data table');
select throws_ok($$select pg_temp.as_role('privacy_officer', 'select surname from dossier.person_record')$$,
                 '42501', null, 'privacy officer: the records are refused');

-- The helpers every policy calls (1000_access_helpers.sql): pinned, and the scope is the login's.
select is((select count(*)::int from pg_catalog.pg_proc p
            where p.oid in ('privacy.scope_now(name, text)'::regprocedure, 'privacy.scope_day()'::regprocedure)
              and not (p.prosecdef and p.proconfig @> array['search_path=pg_catalog, pg_temp'])),
          0, 'privacy.scope_now and privacy.scope_day: SECURITY DEFINER with a pinned search_path');
select is(privacy.scope_now('hr_officer', 'org'), '{}'::bigint[],
          'a session without a grant of the role has an empty scope');

select * from finish();
rollback;
