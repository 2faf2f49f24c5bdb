-- The letters to a data subject (issue 17 item 5; 004 art. 13, AVG art. 12 and 15): who writes
-- (the organisation's controller), to whom (the subject's own name and address), and the Dutch
-- labels and types that turn an export into text a person reads. admin/dossier/requests.py
-- renders the access letter and the erasure decision from these; both use the same source.

-- The controller of an organisation as its letters name it: the organisation's own settings
-- (privacy.organisation_setting), else the register entry of the annex (the regulation's controller).
create or replace function privacy.controller_of(p_org bigint, p_annex text default null)
    returns table (organisation text, controller text, visiting_address text, postal_address text)
    language sql stable security invoker
    set search_path = pg_catalog, pg_temp
as $$
    select s.organisation, s.controller, s.visiting_address, s.postal_address
      from privacy.organisation_setting s where s.org_id = p_org
    union all
    select a.organisation, a.controller, a.visiting_address, a.postal_address
      from privacy.processing_activity a
     where a.code = coalesce(p_annex, 'A2')
       and not exists (select from privacy.organisation_setting s where s.org_id = p_org)
$$;
comment on function privacy.controller_of(bigint, text) is
    'The controller and addresses letters name: the organisation''s settings, else the register entry of the annex.';

-- To whom the letter goes: the name and address of the subject's most recently changed record
-- that has an address (else any record: the name alone). Null when no record is left.
create or replace function privacy.letter_addressee(p_subject bigint) returns jsonb
    language sql stable security invoker
    set search_path = pg_catalog, pg_temp
as $$
    select jsonb_build_object(
               'name', concat_ws(' ', p.title_before, coalesce(p.initials, p.first_names), p.prefix, p.surname,
                                 p.title_after),
               'salutation', p.salutation, 'gender', p.gender,
               'street', concat_ws(' ', p.street, p.house_number),
               'postcode_city', concat_ws('  ', p.postcode, upper(p.city)),
               'country', nullif(p.country, 'NL'))
      from dossier.person_record p
     where p.subject_id = p_subject
     order by (p.street is not null) desc, p.updated_at desc, p.id desc
     limit 1
$$;
comment on function privacy.letter_addressee(bigint) is
    'Name and address of a data subject for a letter, from their most recent record with an address.';

-- The Dutch labels and the types of every personal-data table and column (types tell a date from
-- a timestamp and an amount from a count), and the legal bases' Dutch names.
create or replace function privacy.letter_labels() returns jsonb
    language sql stable security invoker
    set search_path = pg_catalog, pg_temp
as $$
    select jsonb_build_object(
        'tables', (select jsonb_object_agg(t.table_name, t.label_nl) from privacy.personal_table t),
        'columns', (select jsonb_object_agg(x.table_name, x.cols) from (
                        select c.table_name, jsonb_object_agg(c.column_name, jsonb_build_object(
                                   'label', c.label_nl, 'pos', a.attnum,
                                   'type', format_type(a.atttypid, a.atttypmod),
                                   'base', b.typname)) as cols
                          from privacy.column_category c
                          left join pg_catalog.pg_attribute a
                            on a.attrelid = to_regclass('dossier.' || quote_ident(c.table_name))
                           and a.attname = c.column_name and not a.attisdropped
                          left join pg_catalog.pg_type d on d.oid = a.atttypid
                          left join pg_catalog.pg_type b        -- a domain's base type (dossier.record_date: date)
                            on b.oid = case when d.typtype = 'd' then d.typbasetype else d.oid end
                         group by c.table_name) x),
        'technical', (select jsonb_agg(t.column_name order by t.column_name) from privacy.technical_column t),
        'legal_bases', (select jsonb_object_agg(l.code, l.label_nl) from privacy.legal_basis l))
$$;
comment on function privacy.letter_labels() is
    'Dutch labels and types of the personal-data tables and columns, for the letters to a subject.';

-- the register's readers read the settings (public facts: who is controller, where); they are
-- written by the superuser as the register itself (docs/operations.md "The controller's letterhead")
delete from privacy.object_audience where defined_in = '1900_letter';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', 'organisation_setting', r, 'SELECT', '1900_letter'
  from unnest(array['privacy_officer', 'dossier_admin']::name[]) r;
