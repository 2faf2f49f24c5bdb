-- The access matrix (004 Bijlage 7, art. 9, 13; 000 M895; contract §3) as data. The live
-- column privileges and row policies are derived from these rows by privacy.apply_access()
-- (db/policies/1010_apply_access.sql); `dossier policy check` compares them with the catalog.
-- Where the regulation is ambiguous the least-privilege reading is taken and noted here.

insert into privacy.app_role (role, kind, annex7_row, motivation_nl, data_nl, bookkeeping, mis) values
    ('hr_officer', 'annex7', '(Administratief) medewerker HRM, inclusief stagiaires',
     'voor alle in bijlage 1 t/m 5 genoemde doeleinden',
     'Alle informatie in de personeelsdossiers, het personeelsinformatiesysteem en het managementinformatiesysteem', true, true),
    ('hr_advisor', 'annex7', 'HRM-adviseur, inclusief stagiaires',
     'voor raadpleging persoonsgegevens en managementinformatie',
     'Alle informatie in de personeelsdossiers, het personeelsinformatiesysteem en het managementinformatiesysteem', true, true),
    ('payroll_administrator', 'annex7', '(Externe) salarisadministrateur',
     'voor alle in bijlage 1 t/m 5 genoemde doeleinden (en de uitbetalingen van bijlage 6)',
     'Alle informatie in de personeelsdossiers, het personeelsinformatiesysteem en het managementinformatiesysteem', true, true),
    ('hr_manager', 'annex7', 'Manager HRM',
     'voor raadpleging persoonsgegevens, managementinformatie en het maken van mutaties voor afdelingspersoneel',
     'Alle informatie in de personeelsdossiers, het personeelsinformatiesysteem en het managementinformatiesysteem', true, true),
    ('absence_registrar', 'annex7', 'Per school 1 medewerker óf roostermaker óf administratief medewerker',
     'voor verzuimregistratie',
     'Alleen gegevens t.b.v. verzuimregistratie: achternaam, voornaam; geboortedatum, man/vrouw; personeelsnummer, functie, locatie/team; eerste verzuimdag, % verzuim, reden van verzuim', false, false),
    ('board_member', 'annex7', 'Lid Raad van Bestuur',
     'voor raadpleging personeelsgegevens en managementinformatie',
     'Alle informatie in de personeelsdossiers, het personeelsinformatiesysteem en het managementinformatiesysteem', true, true),
    ('finance_manager', 'annex7', 'Manager Financiën', 'voor raadpleging managementinformatie',
     'Informatie in het managementinformatiesysteem', false, true),
    ('finance_advisor', 'annex7', 'Adviseur Financiën', 'voor raadpleging managementinformatie',
     'Informatie in het managementinformatiesysteem', false, true),
    ('internal_auditor', 'annex7', 'Interne Auditor', 'voor raadpleging managementinformatie',
     'Informatie in het managementinformatiesysteem', false, true),
    ('occupational_physician', 'annex7', 'Bedrijfsarts', 'voor raadpleging verzuiminformatie medewerkers',
     'Informatie uit het onderdeel verzuim van het personeelsinformatiesysteem', false, false),
    ('school_manager', 'annex7', 'Schooldirecteuren en teamleiders van (school)locatie(s) en stafmanagers (algemeen)',
     'voor raadpleging personeelsgegevens en managementinformatie',
     'Informatie in de personeelsdossiers en het managementinformatiesysteem', true, true),
    ('employee_self', 'implied', null, 'inzage in de eigen gegevens (art. 13.1)',
     'Alle gegevens over de betrokkene zelf', true, false),
    ('privacy_officer', 'implied', null, 'toezicht als functionaris gegevensbescherming (art. 16.3)',
     'Het register, het toegangsregister, verzoeken en auditmetadata; geen persoonsgegevens', false, false),
    ('training_administrator', 'implied', null, 'het opleidingspaspoort (000 M895, doel 1-7)',
     'De gegevens van het opleidingspaspoort', true, false),
    ('former_staff_administrator', 'implied', null,
     'de activiteiten van art. 15.2 (contacten, informatie, bijdragen en giften, geschillen en accountantscontrole), art. 15.4a',
     'De gegevens van oud-personeelsleden (art. 15.3)', true, false),
    ('dossier_importer', 'technical', null, 'de HR-importer (000 Bron)', 'Wat de import schrijft', false, false),
    ('dossier_retention', 'technical', null, 'bewaartermijnen (art. 14, 15.5)', 'Wat verwijderd wordt', false, false),
    ('dossier_admin', 'technical', null, 'beheer van toegang en beleid', 'Geen persoonsgegevens', false, false),
    ('dossier_owner', 'technical', null, 'eigenaar van de objecten; logt nooit in', 'Geen', false, false),
    ('dossier_self', 'technical', null, 'inzage in de eigen gegevens (art. 13.1) via functies; logt nooit in',
     'Alle gegevens over de betrokkene zelf, alleen voor de betrokkene', true, false)
on conflict (role) do update set kind = excluded.kind, annex7_row = excluded.annex7_row,
    motivation_nl = excluded.motivation_nl, data_nl = excluded.data_nl,
    bookkeeping = excluded.bookkeeping, mis = excluded.mis;

delete from privacy.access_rule;

-- "Alle informatie" of annexes 1-5 for the HR roles and the board: every category each annex lists.
insert into privacy.access_rule (role, annex, category, read_scope, write_privileges, write_scope, note)
select r.role, ac.annex, ac.category, 'org', r.writes, r.write_scope, r.note
  from privacy.annex_category ac
  join (values
        ('hr_officer', '{insert,update,delete}'::text[], 'org', 'Bijlage 7: alle doeleinden van bijlage 1-5'),
        ('hr_advisor', '{}'::text[], null, 'Bijlage 7: raadpleging'),
        ('hr_manager', '{insert,update,delete}'::text[], 'unit',
         'Bijlage 7: raadpleging; mutaties alleen voor afdelingspersoneel (own scope)'),
        ('board_member', '{}'::text[], null, 'Bijlage 7: raadpleging')
       ) as r(role, writes, write_scope, note) on true
 where ac.annex in ('A1', 'A2', 'A3', 'A4', 'A5');

-- The payroll administrator also records the payouts of Bijlage 6 (salary payments).
insert into privacy.access_rule (role, annex, category, read_scope, write_privileges, write_scope, note)
select 'payroll_administrator', ac.annex, ac.category, 'org', '{insert,update,delete}', 'org',
       'Bijlage 7: alle doeleinden van bijlage 1-5; bijlage 6 for the payouts it makes'
  from privacy.annex_category ac where ac.annex in ('A1', 'A2', 'A3', 'A4', 'A5', 'A6');

-- Verzuimregistratie (Bijlage 7): only the listed fields, in the annex that holds absence (A2).
-- "achternaam, voornaam" is read as surname, prefix, initials and first names, not partner names
-- or titles; "functie, locatie/team" as the position (the unit is the record's scope key);
-- "eerste verzuimdag, % verzuim, reden van verzuim" as the absence table, not leave.
-- Issue 16.5: not initials (the row lists "achternaam, voornaam") and not absence.last_day (it
-- lists "eerste verzuimdag, % verzuim, reden van verzuim"); the HR roles record the recovery.
-- The registrar's UPDATE of first_day is withheld (privacy.expected_privilege): the check
-- last_day >= first_day would accept or refuse it by the last_day it may not read.
insert into privacy.access_rule (role, annex, category, columns, tables, read_scope,
                                 write_privileges, write_scope, note)
select r.role, 'A2', f.category, f.columns, f.tables, r.scope,
       case when r.role = 'absence_registrar' and f.category = 'absence' then '{insert,update}'::text[]
            else '{}' end,
       case when r.role = 'absence_registrar' and f.category = 'absence' then 'unit' end,
       r.note
  from (values ('absence_registrar', 'unit', 'Bijlage 7: per school, verzuimregistratie'),
               ('occupational_physician', 'org', 'Bijlage 7: raadpleging verzuiminformatie')) r(role, scope, note)
 cross join (values
        ('name', '{surname,prefix,first_names}'::text[], null::text[]),
        ('birth_date', null, null), ('gender', null, null), ('admin_number', null, null),
        ('employment', '{position}', '{employment}'),
        ('absence', '{first_day,percentage,reason_code}', '{absence}')) f(category, columns, tables);

-- School managers (Bijlage 7 "informatie in de personeelsdossiers"): the personnel records of
-- their own school, without bank account or family (contract §3: not iban, bsn, salary, tax,
-- id_copy, family; annex 2 holds none of the others).
insert into privacy.access_rule (role, annex, category, read_scope, note)
select 'school_manager', ac.annex, ac.category, 'unit', 'Bijlage 7: schooldirecteuren, eigen locatie'
  from privacy.annex_category ac
 where ac.annex = 'A2' and ac.category not in ('iban', 'bsn', 'salary', 'tax', 'id_copy', 'family');

-- Art. 13.1: the employee reads every record about themself, in every annex.
insert into privacy.access_rule (role, annex, category, read_scope, note)
select 'employee_self', ac.annex, ac.category, 'self', 'art. 13.1: recht op inzage'
  from privacy.annex_category ac;

-- M895: the LMS staff run the training passport; the identity data comes from the HR importer,
-- so they write the training rows only.
insert into privacy.access_rule (role, annex, category, read_scope, write_privileges, write_scope, note)
select 'training_administrator', ac.annex, ac.category, 'org',
       case when ac.category = 'training' then '{insert,update,delete}'::text[] else '{}' end,
       case when ac.category = 'training' then 'org' end,
       '000 M895: doel 1-7'
  from privacy.annex_category ac where ac.annex = 'TP';

-- Art. 15.4a (issue 16.7): those charged with the activities of art. 15.2 process the former
-- staff records, and nothing else; the processing exists by the controller's choice (art. 15.1).
insert into privacy.access_rule (role, annex, category, read_scope, write_privileges, write_scope, note)
select 'former_staff_administrator', ac.annex, ac.category, 'org', '{insert,update,delete}', 'org',
       'art. 15.4a: belast met de activiteiten van art. 15.2'
  from privacy.annex_category ac where ac.annex = 'FS';

-- The technical roles (contract §3: what their job needs, nothing more).
delete from privacy.technical_access;
insert into privacy.technical_access (role, object_name, privilege, columns, annexes, note) values
    -- The HR importer (000 Bron "via een koppeling, de HR-importer"; contract §5) writes the feed's
    -- fields of annex 2 and training-passport records, their employment and the unit tree, and
    -- reads back only those fields, to tell changed rows from unchanged ones.
    ('dossier_importer', 'org_unit', 'INSERT', '{code,name,kind,parent_id}', null, 'new units of the feed'),
    ('dossier_importer', 'subject', 'SELECT', '{id,org_id}', null, 'subject keys of the organisation'),
    ('dossier_importer', 'person_record_id_seq', 'USAGE', null, null, 'keys allocated before the set-based insert'),
    -- (the feed's own columns of person_record and employment follow below, from dossier.feed_field())
    -- The retention job (004 art. 14, 15.5; 000 Bewaartermijn) reads a record's keys and retention
    -- clock, never its contents, and deletes it; the details go by the cascading foreign keys.
    ('dossier_retention', 'person_record', 'SELECT',
     '{id,annex,subject_id,org_id,unit_id,legal_basis,collected_on,ended_on,retention_consent,deceased_on,restricted,processing_ended}',
     null, 'the retention clock; the legal basis an objection depends on (art. 13.6)'),
    -- the clock follows the facts (db/functions/1405_clocks.sql, issue 16.1), never set by hand;
    -- the flags of restricted and ended processing (art. 13.6, db/functions/1420_restricted.sql)
    ('dossier_retention', 'person_record', 'UPDATE', '{ended_on,restricted,processing_ended}', null,
     'the retention clock derived from its facts (art. 14); restricted and ended processing (art. 13.6)'),
    ('dossier_retention', 'person_record', 'DELETE', null, null, 'expired records (art. 14)');
-- The importer's columns of person_record and employment: the keys it writes with every row, and
-- the columns the feed's fields fill (dossier.feed_field(), db/functions/1300_import.sql; issue
-- 18 item 4), so a field added to the feed brings its privileges.
insert into privacy.technical_access (role, object_name, privilege, columns, annexes, note)
select 'dossier_importer', x.object_name, x.privilege, x.keys || x.filled, '{A2,TP}', x.note
  from (select 'person_record' as object_name, v.privilege, v.keys, v.note,
               array(select f.record_column::text from dossier.feed_field() f
                      where f.record_column is not null and (v.privilege <> 'UPDATE' or f.kind <> 'key')
                      order by f.ordinal) as filled
          from (values ('SELECT', '{id,annex,subject_id,org_id,unit_id,source}'::text[], 'the feed''s fields, to compare'),
                       ('INSERT', '{id,annex,subject_id,org_id,unit_id,legal_basis,source,collected_on}', 'new people of the feed'),
                       ('UPDATE', '{unit_id}', 'changed people and leavers')) v(privilege, keys, note)
        union all
        select 'employment', v.privilege, v.keys, v.note,
               array(select f.employment_column::text from dossier.feed_field() f
                      where f.employment_column is not null order by f.ordinal)
          from (values ('SELECT', '{id,record_id,annex,org_id,unit_id,subject_id}'::text[], 'the feed''s employment fields, to compare'),
                       ('INSERT', '{record_id,annex,org_id,unit_id,subject_id}', 'datum in dienst, functie (000)'),
                       ('UPDATE', '{}', 'datum in/uit dienst, functie (000)')) v(privilege, keys, note)) x;

-- It also carries out restrictions (art. 13.6; db/functions/1420_restricted.sql): it reads the
-- keys of every personal-data row and sets its `restricted` flag; it reads the facts a retention
-- clock follows (db/functions/1405_clocks.sql); it deletes detail rows past their own term (A6
-- payouts, art. 14c) and the parts of a dossier an erasure decision erases (art. 13.5).
insert into privacy.technical_access (role, object_name, privilege, columns, annexes, note)
select 'dossier_retention', p.table_name, x.privilege,
       case when x.privilege = 'SELECT' then x.columns || coalesce(f.facts, '{}') else x.columns end, null, x.note
  from privacy.personal_table p
  left join (values ('application', '{procedure_ended_on}'::text[]), ('employment', '{ended_on_job}'),
                    ('salary', '{period}'), ('severance_benefit', '{ends_on}'), ('pension_entitlement', '{settled_on}'),
                    ('payout', '{paid_on}')) f(table_name, facts) on f.table_name = p.table_name,
       (values ('SELECT', '{id,record_id,annex,subject_id,restricted,processing_ended}'::text[],
                'whose rows a restriction concerns; the facts a retention clock follows'),
               ('UPDATE', '{restricted,processing_ended}'::text[], 'restricted and ended processing (art. 13.6)'),
               ('DELETE', null, 'rows past their own term (art. 14c) or erased by a decision (art. 13.5)')) x(privilege, columns, note)
 where p.table_name <> 'person_record';

-- Art. 13.5, 13.6: the HR roles that make mutations handle the requests; they keep seeing
-- restricted records (everyone else stops seeing them until the restriction is lifted).
update privacy.app_role set handles_requests = (role in ('hr_officer', 'hr_manager'));
