-- `select *` for every role (issue 17 item 2). A BI tool starts with `select * from t`; on a
-- table a role may read only some columns of, that is "permission denied". For every role and
-- every table it reads some columns of, reporting.<role>_<table> holds exactly those columns: a
-- security_invoker view, so the caller's own column privileges and row policies apply (it grants
-- nothing the table does not). Every column carries the comment of the table's column.
-- privacy.my_relations lists what the current login may read with `select *`, with what each holds.
set local search_path = pg_catalog, pg_temp;
set local jit = off;  -- as in 1007_self.sql

do $views$
declare
    t record;
    col record;
    v_name text;
begin
    for t in select c.relname from pg_catalog.pg_class c
              where c.relnamespace = 'reporting'::regnamespace and c.relkind = 'v'
                and pg_catalog.obj_description(c.oid, 'pg_class') like 'Role view:%' loop
        execute format('drop view reporting.%I', t.relname);
    end loop;

    for t in select e.role, e.object_name as table_name,
                    string_agg(pg_catalog.quote_ident(e.column_name::text), ', ' order by a.attnum) as cols
               from privacy.expected_privilege e
               join privacy.app_role ar on ar.role = e.role and ar.kind <> 'technical'
               join pg_catalog.pg_attribute a
                 on a.attrelid = pg_catalog.format('dossier.%I', e.object_name)::regclass and a.attname = e.column_name
              where e.object_type = 'column' and e.privilege = 'SELECT' and e.schema_name = 'dossier'
              group by e.role, e.object_name
              order by 1, 2 loop
        v_name := t.role || '_' || t.table_name;
        execute format('create view reporting.%I with (security_invoker = true) as select %s from dossier.%I',
                       v_name, t.cols, t.table_name);
        execute format('comment on view reporting.%I is %L', v_name,
                       format('Role view: what %s may read of dossier.%s (%s), select * ready.', t.role,
                              t.table_name, coalesce(pg_catalog.obj_description(
                                  pg_catalog.format('dossier.%I', t.table_name)::regclass, 'pg_class'), 'no description')));
        for col in select a.attname, pg_catalog.col_description(a.attrelid, a.attnum) as note
                   from pg_catalog.pg_attribute a
                  where a.attrelid = pg_catalog.format('dossier.%I', t.table_name)::regclass
                    and a.attnum > 0 and not a.attisdropped
                    and pg_catalog.col_description(a.attrelid, a.attnum) is not null loop
            if exists (select from pg_catalog.pg_attribute v
                        where v.attrelid = pg_catalog.format('reporting.%I', v_name)::regclass and v.attname = col.attname) then
                execute format('comment on column reporting.%I.%I is %L', v_name, col.attname, col.note);
            end if;
        end loop;
    end loop;
end
$views$;

-- Columns of the reporting and MIS views without a comment get the one of the table column they
-- show (view_column_usage), or one of these for what they compute.
do $comments$
declare
    r record;
    v_note text;
begin
    for r in select n.nspname, c.relname, a.attname
               from pg_catalog.pg_class c
               join pg_catalog.pg_namespace n on n.oid = c.relnamespace
               join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
              where n.nspname in ('reporting', 'mis') and c.relkind = 'v'
                and pg_catalog.col_description(c.oid, a.attnum) is null loop
        v_note := null;
        begin
            select pg_catalog.col_description(pg_catalog.format('%I.%I', u.table_schema, u.table_name)::regclass,
                                              b.attnum)
              into v_note
              from information_schema.view_column_usage u
              join pg_catalog.pg_attribute b
                on b.attrelid = pg_catalog.format('%I.%I', u.table_schema, u.table_name)::regclass
               and b.attname = u.column_name
             where u.view_schema = r.nspname and u.view_name = r.relname and u.column_name = r.attname
               and pg_catalog.col_description(pg_catalog.format('%I.%I', u.table_schema, u.table_name)::regclass,
                                              b.attnum) is not null
             limit 1;
        end;
        v_note := coalesce(v_note, case r.attname
            when 'record_id' then 'The person_record this row belongs to.'
            when 'absence_id' then 'The absence row.'
            when 'unit_code' then 'Code of the organisation unit (dossier.org_unit.code).'
            when 'unit_name' then 'Name of the organisation unit.'
            when 'unit_kind' then 'Kind of unit: organisation, school, team, directie, afdeling …'
            when 'parent_code' then 'Code of the parent unit.'
            when 'org_code' then 'Code of the organisation (the controller).'
            when 'department_code' then 'Code of the department charged (M895 doel 6).'
            when 'department' then 'Name of the department charged (M895 doel 6).'
            when 'activity_code' then 'Code of the learning activity (M895 doel 1).'
            when 'activity' then 'Title of the learning activity (M895 doel 1).'
            when 'suppressed' then 'True when the cell holds fewer than k persons or could reveal one (its figures are empty).'
            when 'headcount' then 'Persons with a current annex 2 record in the unit''s subtree (empty when suppressed).'
            when 'fte' then 'Sum of current FTE (empty when suppressed).'
            when 'absence_pct' then 'Absence over the last 365 days, weighted by percentage, per person-year (%).'
            when 'avg_sick_leave_days' then 'Average duration of a sick-leave spell in days (toelichting art. 5).'
            when 'absence_frequency' then 'Sick-leave spells per person over the last 365 days.'
            when 'inflow_12m' then 'Persons who started in the last 12 months.'
            when 'outflow_12m' then 'Persons who left in the last 12 months.'
            when 'band' then 'Age band.'
            when 'gender' then 'Gender (M, V, X; ? unknown; * folded).'
            when 'age_band' then 'Age band at leaving (* folded).'
            when 'year_left' then 'Year of leaving (0: all years, folded).'
            when 'participants' then 'Distinct participants (M895).'
            when 'enrolments' then 'Enrolments (M895).'
            when 'completions' then 'Completed enrolments (M895).'
            when 'completed' then 'Completed enrolments (M895).'
            when 'completion_pct' then 'Completed enrolments as a percentage of enrolments.'
            when 'cost' then 'Training costs charged (M895 doel 6).'
            when 'persons' then 'Persons counted (at least k).'
            when 'id' then 'Key of the row.'
            when 'annex' then 'Annex (processing purpose): A1 applicants … A6 payouts, FS former staff, TP training passport.'
            when 'org_id' then 'The organisation (controller, art. 2) the row belongs to.'
            when 'unit_id' then 'The organisation unit the row is scoped to.'
            when 'subject_id' then 'The data subject (dossier.subject) the row is about.'
            when 'enrolment_id' then 'The enrolment (M895) the row belongs to.'
            when 'activity_id' then 'The learning activity (M895 doel 1).'
            when 'session_id' then 'The planned session (M895 doel 1).'
            when 'invoice_id' then 'The provider invoice (M895 doel 7).'
            when 'created_at' then 'When the row was written.'
            when 'updated_at' then 'When the row was last changed.'
            else null end);
        if v_note is null and r.relname like 'my\_%' then   -- the employee's own views: their table's comment
            select pg_catalog.col_description(b.attrelid, b.attnum) into v_note
              from pg_catalog.pg_attribute b
             where b.attrelid = coalesce(pg_catalog.to_regclass(pg_catalog.format('dossier.%I', substr(r.relname, 4))),
                                         'dossier.person_record'::regclass)
               and b.attname = r.attname;
        end if;
        if v_note is not null then
            execute format('comment on column %I.%I.%I is %L', r.nspname, r.relname, r.attname, v_note);
        end if;
    end loop;
end
$comments$;

-- What the current login may read with `select *`: every relation in our schemas on which it
-- holds SELECT on the relation itself (not only on some columns), with its description.
create or replace view privacy.my_relations with (security_invoker = true) as
select n.nspname::text as schema_name, c.relname::text as relation_name,
       case c.relkind when 'v' then 'view' else 'table' end as kind,
       pg_catalog.obj_description(c.oid, 'pg_class') as holds
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where n.nspname in ('dossier', 'reporting', 'mis', 'privacy')
   and c.relkind in ('r', 'p', 'v', 'm')
   and not c.relispartition
   and pg_catalog.has_table_privilege(c.oid, 'SELECT')
 order by 1, 2;
comment on view privacy.my_relations is
    'The relations the current login may read with select *, with what each holds (start here in a BI tool).';

delete from privacy.object_audience where defined_in = '1008_role_views';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select distinct 'reporting', c.relname, e.role, 'SELECT', '1008_role_views'
  from privacy.expected_privilege e
  join privacy.app_role ar on ar.role = e.role and ar.kind <> 'technical'
  join pg_catalog.pg_class c on c.relnamespace = 'reporting'::regnamespace and c.relkind = 'v'
                            and c.relname = e.role || '_' || e.object_name
 where e.object_type = 'column' and e.privilege = 'SELECT' and e.schema_name = 'dossier';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
values ('privacy', 'my_relations', '@users', 'SELECT', '1008_role_views');
