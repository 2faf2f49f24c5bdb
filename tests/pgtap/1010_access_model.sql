-- The derived access model (db/functions/1010_access_model.sql: privacy.expected_privilege and
-- privacy.expected_policy, installed by 1015_apply_access.sql), checked with pgTAP's own catalog
-- functions and generated from the model: every table with row security has exactly its
-- derived policies, and every role of privacy.app_role exactly its derived table privileges on
-- a representative set of tables and column privileges on a representative set of columns.
-- The hand-checked rows of Bijlage 7 are in 1000_access_matrix.sql.
begin;

-- the roles of privacy.app_role (not the owner) and those the model grants to besides (the MIS
-- views' owner, the auditor)
create temp table tap_role as
select ar.role from privacy.app_role ar where ar.role <> 'dossier_owner'
union select e.role from privacy.expected_privilege e where e.role <> 'dossier_owner'
order by 1;
-- records, a detail of each kind of access (absence: Bijlage 7 verzuim; salary: payroll only;
-- employment: the importer's), the keys and the organisation tree
create temp table tap_table (table_name) as
values ('person_record'::name), ('absence'), ('salary'), ('employment'), ('subject'), ('org_unit');
-- the columns Bijlage 7 and contract §3 single out: bsn and iban (not the school manager),
-- surname and initials (the absence registrar: "achternaam, voornaam", no initials), the
-- absence reason and last day (registrar: "reden van verzuim", not the recovery), salary, position
create temp table tap_column (table_name, column_name) as
values ('person_record'::name, 'bsn'::name), ('person_record', 'iban'), ('person_record', 'surname'),
       ('person_record', 'initials'), ('absence', 'reason_code'), ('absence', 'last_day'),
       ('salary', 'gross_amount'), ('employment', 'position');

select plan((select count(*)::int from privacy.wired_table)
            + (select count(*)::int from tap_role) * ((select count(*)::int from tap_table)
                                                      + (select count(*)::int from tap_column))
            + 2);

-- the generator covers what it claims
select is((select count(*)::int from tap_role r where not exists (select from pg_catalog.pg_roles g where g.rolname = r.role)),
          0, format('the %s roles of the model exist', (select count(*) from tap_role)));
select is((select count(*)::int from tap_column c
            where not exists (select from information_schema.columns i where i.table_schema = 'dossier'
                                 and i.table_name = c.table_name and i.column_name = c.column_name)),
          0, 'the representative columns exist');

-- policies: every table with row security (personal data, partitions, keys, organisation data)
select policies_are(case when w.kind = 'partition' then 'dossier' else 'dossier_store' end::name, w.table_name,
                    array(select p.policy_name from privacy.expected_policy p
                           where p.table_name = w.table_name order by 1),
                    format('dossier.%I (%s): exactly the policies of privacy.expected_policy', w.table_name, w.kind))
  from privacy.wired_table w
 order by w.table_name;

-- table privileges per role (a column privilege is not a table privilege)
select table_privs_are('dossier', t.table_name, r.role,
                       array(select e.privilege::name from privacy.expected_privilege e
                              where e.role = r.role and e.object_type = 'table' and e.schema_name = 'dossier'
                                and e.object_name = t.table_name order by 1),
                       format('%s on dossier.%I: the table privileges of privacy.expected_privilege', r.role, t.table_name))
  from tap_role r, tap_table t
 order by r.role, t.table_name;

-- column privileges per role: the column's own, and what a table privilege gives every column
select column_privs_are('dossier', c.table_name, c.column_name, r.role,
                        array(select e.privilege::name from privacy.expected_privilege e
                               where e.role = r.role and e.schema_name = 'dossier' and e.object_name = c.table_name
                                 and ((e.object_type = 'column' and e.column_name = c.column_name)
                                      or (e.object_type = 'table' and e.privilege in ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')))
                               group by e.privilege order by 1),
                        format('%s on dossier.%I.%I: the column privileges of privacy.expected_privilege',
                               r.role, c.table_name, c.column_name))
  from tap_role r, tap_column c
 order by r.role, c.table_name, c.column_name;

select * from finish();
rollback;
