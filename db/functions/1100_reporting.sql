-- Reporting views for BI tools (design: "Column scope"): security_invoker, so the caller's column
-- privileges and row policies apply; one view per audience, holding only columns that audience
-- may read, so a tool connecting as a role gets its rows and columns and nothing else.

drop view if exists reporting.staff_full, reporting.staff_school, reporting.absence_registration,
                    reporting.training_participants;

-- HR roles and the board (Bijlage 7 "alle informatie"): annex 2 records with their employment.
create view reporting.staff_full with (security_invoker = true) as
select r.id as record_id, r.admin_number, r.surname, r.prefix, r.initials, r.first_names,
       r.title_before, r.title_after, r.gender, r.birth_date, r.birth_place, r.nationality,
       r.street, r.house_number, r.postcode, r.city, r.phone, r.email, r.iban,
       u.code as unit_code, u.name as unit_name, e.position, e.fte, e.contract_type, e.started_on,
       e.ended_on_job
  from dossier.person_record r
  join dossier.org_unit u on u.id = r.unit_id
  left join dossier.employment e on e.record_id = r.id and e.annex = r.annex
 where r.annex = 'A2';
comment on view reporting.staff_full is 'Annex 2 staff with employment: HR roles, payroll, board (Bijlage 7).';

-- School managers: their school's staff, without bank account (contract §3).
create view reporting.staff_school with (security_invoker = true) as
select r.id as record_id, r.admin_number, r.surname, r.prefix, r.initials, r.first_names,
       r.title_before, r.title_after, r.gender, r.birth_date, r.email, r.phone,
       u.code as unit_code, u.name as unit_name, e.position, e.fte, e.contract_type, e.started_on,
       e.ended_on_job
  from dossier.person_record r
  join dossier.org_unit u on u.id = r.unit_id
  left join dossier.employment e on e.record_id = r.id and e.annex = r.annex
 where r.annex = 'A2';
comment on view reporting.staff_school is 'Annex 2 staff of the manager''s school, without IBAN (Bijlage 7).';

-- Verzuimregistratie (Bijlage 7): exactly its listed fields.
create view reporting.absence_registration with (security_invoker = true) as
select a.id as absence_id, r.admin_number, r.surname, r.prefix, r.first_names,
       r.birth_date, r.gender, e.position, u.code as unit_code, u.name as unit_name,
       a.first_day, a.percentage, a.reason_code   -- not initials, not last_day (issue 16.5)
  from dossier.absence a
  join dossier.person_record r on r.id = a.record_id and r.annex = a.annex
  join dossier.org_unit u on u.id = a.unit_id
  left join dossier.employment e on e.record_id = r.id and e.annex = r.annex;
comment on view reporting.absence_registration is
    'Absence with the fields Bijlage 7 lists for verzuimregistratie: absence registrar, occupational physician.';

-- M895: participants and their training.
create view reporting.training_participants with (security_invoker = true) as
select r.id as record_id, r.admin_number, r.surname, r.prefix, r.initials, r.first_names, r.email,
       u.code as unit_code, u.name as unit_name, a.code as activity_code, a.title as activity,
       en.status, en.enrolled_on, en.completed_on
  from dossier.enrolment en
  join dossier.person_record r on r.id = en.record_id and r.annex = en.annex
  join dossier.org_unit u on u.id = en.unit_id
  join dossier.training_activity a on a.id = en.activity_id;
comment on view reporting.training_participants is 'Training passport participants (000 M895 doel 1, 2).';

delete from privacy.object_audience where defined_in = '1100_reporting';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'reporting', v, r, 'SELECT', '1100_reporting'
  from (values
    ('staff_full', array['hr_officer', 'hr_advisor', 'payroll_administrator', 'hr_manager', 'board_member']),
    ('staff_school', array['school_manager']),
    ('absence_registration', array['absence_registrar', 'occupational_physician']),
    ('training_participants', array['training_administrator'])) a(v, roles),
  unnest(a.roles) r;
