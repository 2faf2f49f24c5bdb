-- The art. 30 register (AVG) and the column catalogue (contract §4), derived from the privacy
-- tables filled by db/schema/V0210__register_data.sql and the table migrations.

create or replace view privacy.processing as
select a.code,
       a.name_nl as name,
       a.controller,
       (select array_agg(p.text_nl order by p.clause) from privacy.purpose p
         where p.activity = a.code) as purposes,
       (select array_agg(b.basis order by l.clause) from privacy.processing_basis b
          join privacy.legal_basis l on l.code = b.basis where b.activity = a.code) as legal_basis,
       a.data_subjects_nl as data_subjects,
       (select array_agg(c.category order by c.category) from privacy.annex_category c
         where c.annex = a.code) as categories,
       (select array_agg(r.text_nl order by r.ordinal) from privacy.recipient r
         where r.activity = a.code) as recipients,
       a.retention_nl as retention,
       a.source_nl as source,
       a.outside_eu,
       a.reference,
       a.organisation,
       a.legal_reference,
       -- art. 2: the special categories processed, each with its legal ground (issue 16.6)
       (select coalesce(jsonb_agg(jsonb_build_object('category', d.code, 'ground', d.special_ground)
                                  order by d.code), '[]'::jsonb)
          from privacy.annex_category c join privacy.data_category d on d.code = c.category
         where c.annex = a.code and d.special) as special_categories
  from privacy.processing_activity a;
comment on view privacy.processing is
    'The AVG art. 30 register of processing activities, one row per activity (contract §4).';

-- Every column holding personal data, per relation and annex. person_record's columns appear for
-- the parent and for each partition whose annex allows their category; a detail table's columns
-- for every annex that allows the table's category.
create or replace view privacy.column_catalogue as
select 'dossier'::text as table_schema, rel.table_name, cc.column_name, cc.category, ac.annex,
       dc.special, cc.label_nl
  from privacy.column_category cc
  join privacy.annex_category ac on ac.category = cc.category
  join privacy.data_category dc on dc.code = cc.category
 cross join lateral (values ('person_record'), ('person_record_' || lower(ac.annex))) rel(table_name)
 where cc.table_name = 'person_record'
   and not exists (select from privacy.annex_column_limit l      -- columns fewer annexes list (issue 16.4)
                    where l.table_name = 'person_record' and l.column_name = cc.column_name
                      and not ac.annex = any (l.annexes))
union all
select 'dossier', cc.table_name, cc.column_name, cc.category, ac.annex, dc.special, cc.label_nl
  from privacy.column_category cc
  join privacy.personal_table pt on pt.table_name = cc.table_name
  join privacy.annex_category ac on ac.category = pt.category
  join privacy.data_category dc on dc.code = cc.category
 where cc.table_name <> 'person_record'
   and not exists (select from privacy.annex_column_limit l
                    where l.table_name = cc.table_name and (l.column_name is null or l.column_name = cc.column_name)
                      and not ac.annex = any (l.annexes));
comment on view privacy.column_catalogue is
    'Every personal-data column with its data category and annex (contract §4); special: health data (art. 2); '
    'label_nl: its Dutch label (V1900).';

-- Bijlage 7 "Per school 1 medewerker … voor verzuimregistratie" (issue 16.5): schools for which
-- more than one login holds absence_registrar today. A grant covers the schools in its subtree
-- and the school it lies in (a grant for a team of the school). For `dossier grant` and `policy
-- check` to report (they do not call it yet); none means the row is kept.
create or replace view privacy.registrar_conflicts as
with covered as (
    select distinct g.login, s.id as school_id
      from privacy.role_grant g
      join dossier.org_unit gu on gu.id = g.unit_id
      join dossier.org_unit s on s.kind in ('school', 'location') and s.org_id = gu.org_id
                             and (s.path like gu.path || '%' or gu.path like s.path || '%')
     where g.role = 'absence_registrar' and g.revoked_at is null
       and current_date >= g.valid_from and (g.valid_until is null or current_date <= g.valid_until)
)
select s.code as school_code, s.name as school_name, count(*)::integer as registrars,
       array_agg(c.login order by c.login) as logins
  from covered c join dossier.org_unit s on s.id = c.school_id
 group by s.id, s.code, s.name
having count(*) > 1;
comment on view privacy.registrar_conflicts is
    'Schools with more than one absence registrar in force (Bijlage 7: "per school 1 medewerker").';

-- Art. 12 (issue 16.8): an employee reads the register of what is processed (privacy.processing)
-- and its own entries in the access register (art. 9.2), through this view only.
create or replace view privacy.my_access_register with (security_barrier) as
select g.login, g.role, u.code as unit_code, u.name as unit_name, g.valid_from, g.valid_until, g.reason,
       ar.annex7_row, ar.motivation_nl as motivation, ar.data_nl as data,
       (g.valid_until is null or g.valid_until >= current_date) as in_force
  from privacy.role_grant g
  join dossier.org_unit u on u.id = g.unit_id
  join privacy.app_role ar on ar.role = g.role
 where g.revoked_at is null and g.login = session_user;
comment on view privacy.my_access_register is 'This login''s own entries in the access register (art. 9.2, 12).';

delete from privacy.object_audience where defined_in = '0210_register';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in) values
    ('privacy', 'registrar_conflicts', 'privacy_officer', 'SELECT', '0210_register'),
    ('privacy', 'registrar_conflicts', 'dossier_admin', 'SELECT', '0210_register'),
    ('privacy', 'processing', 'employee_self', 'SELECT', '0210_register'),
    ('privacy', 'my_access_register', 'employee_self', 'SELECT', '0210_register');
