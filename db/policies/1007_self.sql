-- The employee's own data (004 art. 13.1, recht op inzage), through functions instead of tables
-- (issue 13). employee_self holds no privilege on any table: it reads reporting.my_<table>, a view
-- over the SECURITY DEFINER function reporting.my_<table>_rows(), owned by dossier_self, which
-- reads the table under dossier_self's row policy `subject_id = any (privacy.scope('employee_self',
-- 'self'))` (the login's own subject, folded into the plan). A caller's conditions apply to what the
-- function returned, never to another person's row: no plan, error or order of evaluation of the
-- caller's query touches one. The access export (`dossier request export`) is unchanged.
--
-- One function and one view per personal-data table, made from what the access matrix gives
-- dossier_self (privacy.expected_privilege), so a new table or column follows the matrix.
set local search_path = pg_catalog, pg_temp;
set local jit = off;  -- the loop below reads privacy.expected_privilege per table: compiling each plan cost seconds

drop view if exists reporting.my_records;

do $self$
declare
    t record;
    v_sig text;
    v_cols text;
    v_order text;
begin
    -- views and functions of tables that are gone or changed shape
    for t in select c.relname from pg_catalog.pg_class c
              where c.relnamespace = 'reporting'::regnamespace and c.relkind = 'v'
                and pg_catalog.pg_get_userbyid(c.relowner) = 'dossier_self' loop
        execute format('drop view reporting.%I', t.relname);
    end loop;
    for t in select p.oid::regprocedure as fn from pg_catalog.pg_proc p
              where p.pronamespace = 'reporting'::regnamespace
                and pg_catalog.pg_get_userbyid(p.proowner) = 'dossier_self' loop
        execute format('drop function %s', t.fn);
    end loop;

    for t in select distinct e.object_name as table_name from privacy.expected_privilege e
              where e.role = 'dossier_self' and e.object_type = 'column' and e.privilege = 'SELECT'
                and e.schema_name = 'dossier'
              order by 1 loop
        select string_agg(format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), ', '
                          order by a.attnum),
               string_agg(format('t.%I', a.attname), ', ' order by a.attnum),
               case when bool_or(a.attname = 'id') then 't.id' else '1' end
          into v_sig, v_cols, v_order
          from pg_catalog.pg_attribute a
         where a.attrelid = pg_catalog.format('dossier.%I', t.table_name)::regclass
           and a.attnum > 0 and not a.attisdropped
           and a.attname in (select e.column_name from privacy.expected_privilege e
                              where e.role = 'dossier_self' and e.object_type = 'column'
                                and e.privilege = 'SELECT' and e.object_name = t.table_name);
        execute format($f$
            create function reporting.%1$I() returns table (%2$s)
                language sql stable security definer
                set search_path = pg_catalog, pg_temp
            as $body$ select %3$s from dossier.%4$I t order by %5$s $body$$f$,
            'my_' || t.table_name || '_rows', v_sig, v_cols, t.table_name, v_order);
        execute format('comment on function reporting.%I() is %L', 'my_' || t.table_name || '_rows',
                       format('SECURITY DEFINER (dossier_self): the caller''s own rows of dossier.%s (art. 13.1).',
                              t.table_name));
        execute format('alter function reporting.%I() owner to dossier_self', 'my_' || t.table_name || '_rows');
        execute format('create view reporting.%I with (security_barrier) as select * from reporting.%I()',
                       'my_' || t.table_name, 'my_' || t.table_name || '_rows');
        execute format('comment on view reporting.%I is %L', 'my_' || t.table_name,
                       format('Your own rows of %s (art. 13.1: inzage); employee_self.', t.table_name));
        execute format('alter view reporting.%I owner to dossier_self', 'my_' || t.table_name);
    end loop;
end
$self$;

-- The employee's own records in every annex, in short (art. 13.1).
create view reporting.my_records with (security_barrier) as
select r.annex, r.id as record_id, r.admin_number, r.surname, r.prefix, r.initials, r.first_names,
       r.gender, r.birth_date, r.street, r.house_number, r.postcode, r.city, r.email, r.iban,
       r.source, r.collected_on
  from reporting.my_person_record_rows() r;
comment on view reporting.my_records is 'The employee''s own records in every annex (art. 13.1).';
alter view reporting.my_records owner to dossier_self;

delete from privacy.object_audience where defined_in = '1007_self';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'reporting', c.relname, 'employee_self', 'SELECT', '1007_self'
  from pg_catalog.pg_class c
 where c.relnamespace = 'reporting'::regnamespace and c.relkind = 'v'
   and pg_catalog.pg_get_userbyid(c.relowner) = 'dossier_self';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'reporting', p.proname || '()', 'employee_self', 'EXECUTE', '1007_self'
  from pg_catalog.pg_proc p
 where p.pronamespace = 'reporting'::regnamespace and pg_catalog.pg_get_userbyid(p.proowner) = 'dossier_self';
