-- The catalogue (db/schema/V0200__catalogue.sql, db/functions/0210_register.sql): every column
-- of every table in schema dossier is accounted for, documented, and categorised.
begin;
select plan(9);

select is(
    (select array_agg(c.relname::text order by c.relname) from pg_class c
      where c.relnamespace = 'dossier'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
        and c.relname not in (select table_name from privacy.personal_table)
        and c.relname not in (select table_name from privacy.non_personal_table)),
    null, 'every table in dossier is declared personal or non-personal');

select is(
    (select array_agg(format('%s.%s', a.table_name, a.column_name) order by 1)
       from information_schema.columns a
      where a.table_schema = 'dossier'
        and a.table_name in (select table_name from privacy.personal_table)
        and a.column_name not in (select column_name from privacy.technical_column)
        and not exists (select from privacy.column_category cc
                         where cc.table_name = a.table_name and cc.column_name = a.column_name)),
    null, 'every non-technical column of a personal-data table has a category');

select is(
    (select array_agg(format('%s.%s', cc.table_name, cc.column_name) order by 1)
       from privacy.column_category cc
      where not exists (select from privacy.column_catalogue k
                         where k.table_name = cc.table_name and k.column_name = cc.column_name)
        and exists (select from privacy.annex_category ac where ac.category = cc.category)),
    null, 'every categorised column appears in privacy.column_catalogue');

select is(
    (select array_agg(format('%s.%s', k.table_name, k.column_name) order by 1)
       from privacy.column_catalogue k
      where not exists (select from information_schema.columns c
                         where c.table_schema = k.table_schema and c.table_name = k.table_name
                           and c.column_name = k.column_name)),
    null, 'the catalogue names only columns that exist');

select is(
    (select array_agg(format('%s.%s', c.relname, a.attname) order by 1)
       from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relnamespace = 'dossier'::regnamespace and c.relkind in ('r', 'p')
        and c.relname in (select table_name from privacy.personal_table union all
                          select 'person_record_' || lower(code) from privacy.processing_activity)
        and col_description(c.oid, a.attnum) is null),
    null, 'every column of every personal-data table has a COMMENT (psql \d+)');

select is(
    (select array_agg(c.relname::text order by 1) from pg_class c
      where c.relnamespace = 'dossier'::regnamespace and c.relkind in ('r', 'p')
        and obj_description(c.oid, 'pg_class') is null),
    null, 'every table in dossier has a COMMENT');

select set_eq('select code from privacy.data_category',
    array['name', 'gender', 'birth_date', 'birth_place', 'nationality', 'address', 'contact', 'iban',
          'admin_number', 'bsn', 'id_copy', 'photo', 'guardian', 'family', 'education', 'application',
          'employment', 'absence', 'working_conditions', 'appraisal', 'qualification', 'salary', 'tax',
          'benefit', 'pension', 'payout', 'contribution', 'training'],
    'the data categories of contract §4');

select set_eq('select code from privacy.processing',
    array['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'FS', 'TP'], 'one register entry per annex code');

select is((select array_length(purposes, 1) from privacy.processing where code = 'TP'), 7,
          'M895 has its seven purposes');

select * from finish();
rollback;
