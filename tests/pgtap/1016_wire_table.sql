-- One procedure wires a table (db/functions/1016_wire_table.sql, db/policies/1016_wire_tables.sql;
-- issue 18 item 2): a table added through privacy.wire_table has every piece, and every table of
-- the catalogue has them after a migration.
begin;
select plan(26);

-- every table of the migrated catalogue is wired
select is((select count(*)::int from privacy.wired_table w
             join pg_catalog.pg_class c on c.oid = privacy.stored(w.table_name)
            where not c.relrowsecurity or c.relforcerowsecurity <> (w.kind in ('personal', 'partition'))),
          0, 'row security on every wired table; forced on personal data and partitions only');
select is((select count(*)::int from privacy.personal_table p
            where (select count(*) from pg_catalog.pg_trigger t
                    where t.tgrelid = privacy.stored(p.table_name) and not t.tgisinternal
                      and t.tgname in ('audit_insert', 'audit_update', 'audit_delete', 'audit_truncate',
                                       p.table_name || '_processing_ended', p.table_name || '_restricted')) <> 6),
          0, 'every personal-data table has the four audit triggers and the two restriction triggers');
select is((select count(*)::int from privacy.personal_table p
            where exists (select from information_schema.columns c where c.table_schema = 'dossier_store'
                             and c.table_name = p.table_name and c.column_name = 'record_id')
              and to_regclass(format('dossier_store.%I', p.table_name || '_record_guarded')) is null),
          0, 'every detail table has its covering policy index');
select is((select count(*)::int from pg_catalog.pg_class c
            where c.relnamespace in ('dossier'::regnamespace, 'dossier_store'::regnamespace)
              and c.relkind in ('r', 'p') and c.relrowsecurity
              and c.relname not in (select table_name from privacy.wired_table)),
          0, 'no table has row security that privacy.wired_table does not list');

select is((select count(*)::int from pg_catalog.pg_index i
             join pg_catalog.pg_class t on t.oid = i.indrelid and t.relnamespace = 'dossier_store'::regnamespace
            where not i.indisunique
              and exists (select from pg_catalog.pg_attribute o where o.attrelid = t.oid and o.attname = 'org_id')
              and not exists (select from pg_catalog.pg_attribute o where o.attrelid = t.oid and o.attname = 'org_id'
                                 and o.attnum = any ((i.indkey::int2[])[0:i.indnkeyatts - 1]))),
          0, 'every plain index of a table behind a view has org_id among its key columns');
select cmp_ok((select count(*)::int from pg_catalog.pg_index i
                 join privacy.personal_table p on privacy.stored(p.table_name) = i.indrelid
                where not i.indisunique and i.indpred is null), '>', 40,
              'personal data has its plain indexes (the next test counts those without the bounds)');
select is((select count(*)::int from pg_catalog.pg_index i
             join privacy.personal_table p on privacy.stored(p.table_name) = i.indrelid
            where not i.indisunique and i.indpred is null
              and not ((select array_agg(a.attname::text) from pg_catalog.pg_attribute a
                         where a.attrelid = i.indrelid and a.attnum = any ((i.indkey::int2[])[0:i.indnkeyatts - 1]))
                       @> array['org_id', 'unit_id', 'annex_no']
                       and pg_catalog.pg_get_indexdef(i.indexrelid) ~ '\(\(restricted\)::integer\)\)( INCLUDE|$)')),
          0, 'every plain index of personal data has the guard''s bounds among its key columns (org, unit, annex, and the flag as an integer, rechecked on a lossy page)');

-- a new table: refused until its category is known
create table dossier.tap_hobby (like dossier.detail_base including all, hobby text);
select throws_ok($$call privacy.wire_table('dossier.tap_hobby')$$, '22023',
                 'privacy.wire_table: dossier.tap_hobby is not in the catalogue (privacy.personal_table, privacy.org_table); give its data category to register it as personal data',
                 'an uncatalogued table without a category is refused, by name');
select throws_ok($$call privacy.wire_table('dossier.tap_hobby', 'no_such_category')$$, '23503',
                 'privacy.wire_table(tap_hobby): no data category no_such_category',
                 'an unknown category is refused');
select throws_ok($$call privacy.wire_table('privacy.setting', 'training')$$, '22023', null,
                 'only tables of schema dossier are wired');

-- one call
call privacy.wire_table('dossier.tap_hobby', 'training', 'Hobbies (test)');
call privacy.wire_table('dossier.tap_hobby', 'training', 'Hobbies (test)');  -- a second call changes nothing
select results_eq($$select category, description from privacy.personal_table where table_name = 'tap_hobby'$$,
                  $$values ('training'::text, 'Hobbies (test)'::text)$$, 'registered in privacy.personal_table');
select results_eq($$select column_name, category from privacy.column_category where table_name = 'tap_hobby'$$,
                  $$values ('hobby'::text, 'training'::text)$$,
                  'its columns in privacy.column_category, the technical ones left out');
select is((select relkind::text || ' ' || array_to_string(reloptions, ',') from pg_catalog.pg_class
            where oid = 'dossier.tap_hobby'::regclass),
          'v security_barrier=true,security_invoker=true',
          'the table moved to dossier_store; dossier.tap_hobby is its security_barrier, security_invoker view');
select ok((select relrowsecurity and relforcerowsecurity from pg_catalog.pg_class where oid = 'dossier_store.tap_hobby'::regclass),
          'row security enabled and forced');
select set_eq($$select tgname::text, tgenabled::text from pg_catalog.pg_trigger
                 where tgrelid = 'dossier_store.tap_hobby'::regclass and not tgisinternal$$,
              $$values ('audit_insert', 'O'), ('audit_update', 'O'), ('audit_delete', 'O'), ('audit_truncate', 'O'),
                       ('tap_hobby_processing_ended', 'O'), ('tap_hobby_restricted', 'A')$$,
              'the audit triggers, and the restriction triggers (the flag also under replica mode)');
select is((select pg_catalog.pg_get_triggerdef(oid) from pg_catalog.pg_trigger
            where tgrelid = 'dossier_store.tap_hobby'::regclass and tgname = 'audit_update'),
          'CREATE TRIGGER audit_update AFTER UPDATE ON dossier_store.tap_hobby FOR EACH ROW EXECUTE FUNCTION audit.capture_update(''tap_hobby'')',
          'the update audit names its table');
select has_index('dossier_store', 'tap_hobby', 'tap_hobby_record_guarded', 'the covering policy index');
select is((select pg_catalog.pg_get_indexdef('dossier_store.tap_hobby_record_guarded'::regclass)),
          'CREATE INDEX tap_hobby_record_guarded ON dossier_store.tap_hobby USING btree (record_id, org_id, unit_id, annex_no, ((restricted)::integer)) INCLUDE (annex, unit_no, subject_id, restricted)',
          'it carries the columns the policies filter on');

-- the audit trigger writes; the access matrix gives the new table its policies
insert into dossier.tap_hobby (record_id, annex, org_id, unit_id, subject_id, hobby) values (1, 'TP', 1, 1, 1, 'chess');
select is((select count(*)::int from audit.change where table_name = 'tap_hobby' and operation = 'INSERT'),
          1, 'an insert is in the change audit');
call privacy.apply_access();
select policies_are('dossier_store', 'tap_hobby',
                    array(select policy_name::name from privacy.expected_policy where table_name = 'tap_hobby'),
                    'apply_access gives it exactly the policies the matrix derives');
select ok((select count(*) from privacy.expected_policy where table_name = 'tap_hobby') > 0,
          'and the matrix derives some (category training)');

-- organisation data: row security, not forced, nothing else
create table dossier.tap_room (id bigint primary key, org_id bigint not null, name text);
insert into privacy.org_table (table_name, note) values ('tap_room', 'test');
call privacy.wire_table('dossier.tap_room');
select ok((select relrowsecurity and not relforcerowsecurity from pg_catalog.pg_class where oid = 'dossier_store.tap_room'::regclass),
          'organisation data: row security enabled, not forced');
select is((select count(*)::int from pg_catalog.pg_trigger where tgrelid = 'dossier_store.tap_room'::regclass and not tgisinternal),
          0, 'organisation data: no personal-data triggers');

-- person_record wires its partitions with it
alter table dossier.person_record_a1 no force row level security;
call privacy.wire_table('dossier.person_record');
select ok((select relforcerowsecurity from pg_catalog.pg_class where oid = 'dossier.person_record_a1'::regclass),
          'wiring person_record forces row security on its partitions');

-- only a superuser wires (the restriction trigger's function is dossier_retention's alone)
set local role dossier_owner;
select throws_ok($$call privacy.wire_table('dossier.tap_hobby')$$, '42501', null,
                 'the owner of the tables cannot run it: it is the superuser''s wiring');
reset role;
select ok(not has_function_privilege('dossier_owner', 'privacy.sync_restricted()', 'EXECUTE'),
          'because nobody but dossier_retention executes privacy.sync_restricted()');

select * from finish();
rollback;
