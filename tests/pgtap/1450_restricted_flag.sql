-- The restricted flag (db/schema/V1450__restricted_flag.sql, db/functions/1420_restricted.sql;
-- 004 art. 13.6): on every personal-data table, kept by triggers, also on tables made later.
begin;
select plan(8);

select is((select count(*)::int from privacy.personal_table p
            where not exists (select from information_schema.columns c
                               where c.table_schema = 'dossier_store' and c.table_name = p.table_name
                                 and c.column_name = 'restricted' and c.is_nullable = 'NO'
                                 and c.column_default = 'false')),
          0, 'every personal-data table has restricted boolean not null default false');

select is((select count(*)::int from privacy.personal_table p
            where not exists (select from pg_catalog.pg_trigger t
                               where t.tgrelid = privacy.stored(p.table_name)
                                 and t.tgname = p.table_name || '_restricted' and t.tgenabled = 'A')),
          0, 'every personal-data table flags its inserts, replica mode included (ENABLE ALWAYS)');

select is((select p.proowner::regrole::text from pg_catalog.pg_proc p
            where p.oid = 'privacy.sync_restricted()'::regprocedure),
          'dossier_retention', 'the flag is kept as dossier_retention');

select ok(not exists (select from privacy.actual_privilege a
                       where a.column_name = 'restricted' and a.privilege in ('INSERT', 'UPDATE')
                         and a.role <> 'dossier_retention'),
          'no role but dossier_retention may write the flag');

create table dossier.tap_detail (like dossier.detail_base including all, note text);
select has_column('dossier', 'tap_detail', 'restricted', 'a detail table made from the template later has the flag');

-- a subject with two annexes; an A2 restriction flags A2 only, and a new A2 row at once
insert into dossier.org_unit (code, name, kind) values ('TAP-O', 'Org', 'organisation');
insert into dossier.subject (org_id) select id from dossier.org_unit where code = 'TAP-O';
insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname)
select a, (select max(id) from dossier.subject), o.id, o.id,
       (select min(basis) from privacy.processing_basis where activity = a), 'test', 'Proef'
  from dossier.org_unit o, unnest(array['A2', 'A3']) a where o.code = 'TAP-O';
insert into privacy.restriction (subject_id, annex) select max(id), 'A2' from dossier.subject;
insert into dossier.absence (record_id, first_day, percentage, reason_code)
select r.id, date '2026-01-05', 100, 'sickness' from dossier.person_record r
 where r.subject_id = (select max(id) from dossier.subject) and r.annex = 'A2';
select results_eq(
    $$select r.annex, r.restricted from dossier.person_record r
       where r.subject_id = (select max(id) from dossier.subject) order by 1$$,
    $$values ('A2', true), ('A3', false)$$,
    'an A2 restriction flags the A2 record only');
select ok((select bool_and(a.restricted) from dossier.absence a
            where a.subject_id = (select max(id) from dossier.subject)),
          'a row inserted while the restriction stands is flagged at once');
update privacy.restriction set lifted_at = now(), lifted_by = current_user, lift_reason = 'tap'
 where subject_id = (select max(id) from dossier.subject);
select is((select count(*)::int from (select subject_id, restricted from dossier.person_record
                                         union all select subject_id, restricted from dossier.absence) x
            where x.subject_id = (select max(id) from dossier.subject) and x.restricted),
          0, 'lifted: no row of the subject flagged');

select * from finish();
rollback;
