-- Data minimisation (db/functions/0300_minimisation.sql): for every annex a record with all its
-- listed categories inserts, and every category it does not list is refused by a named
-- constraint. The cases are generated from privacy.annex_category and the catalogue, so a new
-- annex rule or column gets its test without editing this file.
begin;

-- fixtures ------------------------------------------------------------------------------------
insert into dossier.org_unit (code, name, kind) values ('T-ORG', 'Testorganisatie', 'organisation');
insert into dossier.org_unit (code, name, kind, parent_id)
select 'T-SCHOOL', 'Testschool', 'school', id from dossier.org_unit where code = 'T-ORG';
create temp table fx as
select o.id as org, u.id as unit from dossier.org_unit o, dossier.org_unit u
 where o.code = 'T-ORG' and u.code = 'T-SCHOOL';
insert into dossier.subject (org_id) select org from fx;
update fx set org = org;
alter table fx add column subject bigint;
update fx set subject = (select max(id) from dossier.subject);

-- a valid value for every person_record column the catalogue lists
create temp table sample (col text primary key, val jsonb not null);
insert into sample values
    ('admin_number', '"P-1001"'), ('surname', '"Testpersoon"'), ('prefix', '"van"'),
    ('initials', '"J."'), ('first_names', '"Jan"'), ('partner_surname', '"Bakker"'),
    ('partner_prefix', '"de"'), ('salutation', '"De heer"'), ('title_before', '"dr."'),
    ('title_after', '"MSc"'), ('gender', '"M"'), ('birth_date', '"1980-02-03"'),
    ('birth_place', '"Utrecht"'), ('nationality', '"NL"'), ('street', '"Voorbeeldstraat"'),
    ('house_number', '"1a"'), ('postcode', '"1234 AB"'), ('city', '"Utrecht"'),
    ('country', '"NL"'), ('phone', '"+31 6 12345678"'), ('email', '"jan@example.org"'),
    ('iban', '"NL91ABNA0417164300"'), ('bsn', '"111222333"'), ('photo', '"\\x89504e47"');

create function pg_temp.ins(tbl text, doc jsonb) returns text language sql as $$
    select format('insert into dossier.%I (%s) select %s from jsonb_populate_record(null::dossier.%I, %L::jsonb)',
                  tbl, cols, cols, tbl, doc)
      from (select string_agg(quote_ident(k), ', ' order by k) as cols from jsonb_object_keys(doc) k) c
$$;

create function pg_temp.base(annex text) returns jsonb language sql as $$
    select jsonb_build_object('annex', annex, 'org_id', fx.org, 'unit_id', fx.unit,
                              'subject_id', fx.subject, 'source', 'test', 'surname', 'Testpersoon',
                              'legal_basis', (select min(basis) from privacy.processing_basis
                                               where activity = annex))
      from fx
$$;

-- every listed category filled; TP's phone is refused by its own rule (tp_m895_no_phone)
-- what an annex may hold is what the catalogue says (privacy.column_catalogue: the annex's
-- categories, less the columns fewer annexes list, privacy.annex_column_limit)
create function pg_temp.full_record(a text) returns jsonb language sql as $$
    select pg_temp.base(a) || coalesce(jsonb_object_agg(s.col, s.val), '{}')
      from privacy.column_catalogue cc
      join sample s on s.col = cc.column_name
     where cc.table_name = 'person_record' and cc.annex = a and not (a = 'TP' and cc.column_name = 'phone')
$$;

create temp table forbidden as
select a.code as annex, cc.column_name, cc.category
  from privacy.processing_activity a
 cross join privacy.column_category cc
 where cc.table_name = 'person_record'
   and not exists (select from privacy.column_catalogue k
                    where k.table_name = 'person_record' and k.annex = a.code and k.column_name = cc.column_name);

-- detail columns fewer annexes list than their table (privacy.annex_column_limit), with a value
create temp table column_sample (tbl text, col text, val jsonb, primary key (tbl, col));
insert into column_sample values
    ('employment', 'started_on', '"2020-08-01"'), ('employment', 'ended_on_job', '"2021-08-01"');
create temp table detail_forbidden as
select l.table_name, l.column_name, k.annex
  from privacy.annex_column_limit l
  join (select distinct table_name, annex from privacy.column_catalogue) k on k.table_name = l.table_name
 where l.column_name is not null and l.table_name <> 'person_record'
   and not exists (select from privacy.column_catalogue c
                    where c.table_name = l.table_name and c.column_name = l.column_name and c.annex = k.annex);

-- one valid detail row per detail table (record_id added below)
insert into dossier.training_provider (org_id, name) select org, 'Testopleider' from fx;
insert into dossier.training_activity (org_id, code, title, provider_id)
select fx.org, c, 'Cursus ' || c, p.id from fx, dossier.training_provider p, (values ('C1'), ('C2')) v(c);
insert into dossier.training_session (activity_id, starts_at)
select id, '2024-01-15 09:00+01' from dossier.training_activity where code = 'C1';
insert into dossier.provider_invoice (provider_id, number, invoice_date, amount)
select id, 'F-1', '2024-02-01', 100 from dossier.training_provider;

create temp table detail_sample (tbl text primary key, doc jsonb not null);
insert into detail_sample values
    ('application', '{"vacancy_code": "V-1", "position_applied": "docent", "applied_on": "2024-01-10"}'),
    ('previous_employment', '{"employer": "Voorbeeld BV", "position": "adviseur"}'),
    ('employment', '{"position": "docent", "started_on": "2020-08-01"}'),
    ('absence', '{"first_day": "2024-03-01", "reason_code": "sickness"}'),
    ('leave', '{"leave_type": "statutory", "starts_on": "2024-07-01"}'),
    ('working_condition', '{"measure_code": "ergonomic_equipment", "starts_on": "2024-01-01"}'),
    ('appraisal', '{"held_on": "2024-05-01", "kind": "appraisal", "known_to_subject": true}'),
    ('qualification', '{"kind": "degree", "description": "MSc"}'),
    ('education', '{"kind": "course", "course": "EHBO"}'),
    ('guardian', '{"relation": "parent", "surname": "Jansen"}'),
    ('family_member', '{"relation": "child", "surname": "Jansen", "purpose": "child_allowance"}'),
    ('salary', '{"period": "2024-01-01", "gross_amount": 3000}'),
    ('tax_record', '{"year": 2024}'),
    ('identity_document', '{"document_type": "passport", "copy": "\\x00"}'),
    ('severance_benefit', '{"kind": "other", "starts_on": "2024-01-01", "monthly_amount": 100}'),
    ('pension_entitlement', '{"fund": "Pensioenfonds", "registered_on": "2024-01-01", "employer_reference": "W-1"}'),
    ('pension_beneficiary', '{"relation": "partner", "surname": "Jansen"}'),
    ('payout', '{"paid_on": "2024-01-01", "kind": "expense_claim", "amount": 12.5}'),
    ('contribution', '{"year": 2024, "kind": "gift", "amount": 10}'),
    ('enrolment', jsonb_build_object('activity_id', (select id from dossier.training_activity where code = 'C2'), 'enrolled_on', '2024-01-01')),
    ('exam', jsonb_build_object('activity_id', (select id from dossier.training_activity where code = 'C1'), 'exam_date', '2024-02-01')),
    ('evaluation', jsonb_build_object('activity_id', (select id from dossier.training_activity where code = 'C1'), 'score', 8, 'submitted_on', '2024-02-02'));

select plan(
    (select count(*)::int from privacy.processing_activity)          -- valid record per annex
  + (select count(*)::int from forbidden)                            -- refused columns
  + (select count(*)::int from privacy.personal_table where category is not null) -- valid detail
  + (select count(*)::int from privacy.personal_table pt cross join privacy.processing_activity a
      where pt.category is not null and not exists (
            select from privacy.column_catalogue k where k.annex = a.code and k.table_name = pt.table_name))
  + (select count(*)::int from detail_forbidden)                      -- refused detail columns
  + 15);

-- A valid record per annex -------------------------------------------------------------------
create temp table rec (annex text primary key, id bigint);
select lives_ok(pg_temp.ins('person_record', pg_temp.full_record(code)),
                code || ': a record with every category the annex lists inserts')
  from privacy.processing_activity order by code;
insert into rec select annex, min(id) from dossier.person_record group by annex;

-- Each category an annex does not list is refused -------------------------------------------
select throws_ok(
    pg_temp.ins('person_record', pg_temp.base(f.annex) || jsonb_build_object(f.column_name, s.val)),
    '23514',
    format('new row for relation "person_record_%s" violates check constraint "%s_not_listed_%s"',
           lower(f.annex), lower(f.annex), f.column_name),
    format('%s refuses %s (category %s)', f.annex, f.column_name, f.category))
  from forbidden f left join sample s on s.col = f.column_name
 order by f.annex, f.column_name;

-- Detail tables: a valid row in an allowed annex; refused in every other -------------------
insert into dossier.enrolment (record_id, activity_id, enrolled_on)
select r.id, a.id, '2024-01-01' from rec r, dossier.training_activity a
 where r.annex = 'TP' and a.code = 'C1';
insert into detail_sample
select 'attendance', jsonb_build_object('enrolment_id', e.id, 'session_id', s.id, 'present', true)
  from dossier.enrolment e, dossier.training_session s where e.activity_id = s.activity_id
union all
select 'cost_allocation', jsonb_build_object('enrolment_id', e.id, 'charged_unit_id', fx.unit, 'amount', 100)
  from dossier.enrolment e, fx where e.activity_id = (select id from dossier.training_activity where code = 'C1')
union all
select 'invoice_line', jsonb_build_object('enrolment_id', e.id, 'invoice_id', i.id, 'amount', 100)
  from dossier.enrolment e, dossier.provider_invoice i
 where e.activity_id = (select id from dossier.training_activity where code = 'C1');

select lives_ok(
    pg_temp.ins(pt.table_name, coalesce(d.doc, '{}') || jsonb_build_object('record_id', r.id)),
    format('%s: a row in annex %s inserts', pt.table_name, r.annex))
  from privacy.personal_table pt
  left join detail_sample d on d.tbl = pt.table_name
  join lateral (select rec.annex, rec.id from rec
                 where exists (select from privacy.column_catalogue k
                                where k.table_name = pt.table_name and k.annex = rec.annex)
                 order by rec.annex limit 1) r on true
 where pt.category is not null
 order by pt.table_name;

select throws_ok(
    pg_temp.ins(pt.table_name, coalesce(d.doc, '{}') || jsonb_build_object('record_id', r.id)),
    '23514', null,
    format('%s refuses a row of an annex %s record (category %s not listed)', pt.table_name, r.annex, pt.category))
  from privacy.personal_table pt
  left join detail_sample d on d.tbl = pt.table_name
  join rec r on not exists (select from privacy.column_catalogue k
                             where k.table_name = pt.table_name and k.annex = r.annex)
 where pt.category is not null
 order by pt.table_name, r.annex;

-- a detail column an annex does not list is refused by its named constraint
select throws_ok(
    pg_temp.ins(f.table_name, (coalesce(d.doc, '{}') - f.column_name)
                || jsonb_build_object(f.column_name, cs.val, 'record_id', r.id)),
    '23514',
    format('new row for relation "%s" violates check constraint "%s"', f.table_name,
           (select c.conname from pg_catalog.pg_constraint c
             where c.conrelid = privacy.stored(f.table_name)
               and c.conname like f.table_name || '\_' || f.column_name || '\_only\_in\_%')),
    format('%s refuses %s in annex %s (privacy.annex_column_limit)', f.table_name, f.column_name, f.annex))
  from detail_forbidden f
  join rec r on r.annex = f.annex
  left join detail_sample d on d.tbl = f.table_name
  left join column_sample cs on cs.tbl = f.table_name and cs.col = f.column_name
 order by f.table_name, f.column_name, f.annex;

-- Rules of their own ------------------------------------------------------------------------
select is((select count(*)::int from privacy.personal_table pt where pt.category is not null
            and not exists (select from detail_sample d where d.tbl = pt.table_name)), 0,
          'every detail table has a sample row in this test');

select throws_ok(
    pg_temp.ins('person_record', pg_temp.base('TP') || '{"phone": "+31 6 12345678"}'),
    '23514', 'new row for relation "person_record_tp" violates check constraint "tp_m895_no_phone"',
    'M895 takes an e-mail address from the HR importer, no telephone');

select throws_ok(
    pg_temp.ins('appraisal', '{"held_on": "2024-05-01", "kind": "appraisal", "known_to_subject": false}'::jsonb
                || jsonb_build_object('record_id', (select id from rec where annex = 'A2'))),
    '23514', 'new row for relation "appraisal" violates check constraint "a2_2j_known_to_subject"',
    'Bijlage 2 lid 2j: only appraisal data known to the employee');

select throws_ok(
    pg_temp.ins('employment', '{"position": "docent", "started_on": "2020-08-01", "fte": 0.8}'::jsonb
                || jsonb_build_object('record_id', (select id from rec where annex = 'FS'))),
    '23514', 'new row for relation "employment" violates check constraint "a4_fs_position_and_period_only"',
    'art. 15.3b: former staff keep position and period only, not the terms');

select throws_ok(
    pg_temp.ins('absence', '{"first_day": "2024-03-01", "reason_code": "burn-out"}'::jsonb
                || jsonb_build_object('record_id', (select id from rec where annex = 'A2'))),
    '23514', 'new row for relation "absence" violates check constraint "a2_2g_reason_code_only"',
    'Bijlage 2 lid 2g: absence stores a reason code, never the nature of an illness');

select columns_are('dossier', 'absence',
    array['id', 'record_id', 'annex', 'org_id', 'unit_id', 'subject_id', 'created_at', 'restricted', 'processing_ended',
          'first_day', 'last_day', 'percentage', 'reason_code', 'annex_no', 'unit_no'],
    'absence has no column for the nature of an illness (Bijlage 2 lid 2g)');

select is((select count(*)::int from information_schema.columns
            where table_schema = 'dossier'
              and column_name ~ '(health|illness|diagnos|medic|relig|ethnic|race|politic|sexual|union_member|criminal)'),
          0, 'no column for special categories of personal data (art. 2)');

select throws_ok(
    $$insert into privacy.data_category (code, label_nl, label_en, special)
      values ('health', 'gezondheid', 'health', true)$$,
    '23514', 'new row for relation "data_category" violates check constraint "data_category_special_has_ground"',
    'a special category cannot be declared without its legal ground (art. 2; AVG art. 9)');

-- Issue 16.4, each gap by its named constraint -------------------------------------------------
select throws_ok(
    pg_temp.ins('previous_employment', '{"employer": "Voorbeeld BV", "position": "adviseur", "end_reason": "ontslag"}'::jsonb
                || jsonb_build_object('record_id', (select id from rec where annex = 'A4'))),
    '23514', 'new row for relation "previous_employment" violates check constraint "previous_employment_only_in_a1"',
    'Bijlage 4 lists no earlier employment (nor does art. 15.3 or M895)');
select throws_ok(
    pg_temp.ins('person_record', pg_temp.base('A6') || '{"salutation": "Mevrouw"}'),
    '23514', 'new row for relation "person_record_a6" violates check constraint "a6_not_listed_salutation"',
    'Bijlage 6 leaves out gender, so no salutation either');
select throws_ok(
    pg_temp.ins('person_record', pg_temp.base('A2') || '{"partner_surname": "Bakker"}'),
    '23514', 'new row for relation "person_record_a2" violates check constraint "a2_not_listed_partner_surname"',
    'partner names are listed by M895 only');
select lives_ok(
    pg_temp.ins('employment', jsonb_build_object('position', 'docent', 'record_id', (select id from rec where annex = 'A4'))),
    'Bijlage 4: an employment row with only the functie, no start date');

-- Issue 16.6: absence (sickness, maternity) is health data, with its ground, and the register says so
select ok((select special and special_ground ~ 'AVG art. 9 lid 2b' from privacy.data_category where code = 'absence'),
          'absence is a special category (health), with the legal ground of the employer''s sickness registration');
select is((select special_categories->0->>'category' from privacy.processing where code = 'A2'), 'absence',
          'the art. 30 register lists the special category of A2');

select is((select count(*)::int from dossier.person_record), (select count(*)::int from privacy.processing_activity),
          'only the valid records were written');

select * from finish();
rollback;
