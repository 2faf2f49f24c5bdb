-- The HR importer (contract §5; 000 "via een koppeling, de HR-importer"). The shell streams the
-- file into pg_temp.hr_staging (COPY, every field as text), then, in one transaction as
-- dossier_importer: dossier.import_problems() checks every row at once, and
-- dossier.import_apply() creates the missing units, then MERGEs subjects, person records and
-- employment set-based. Rows whose fields did not change are not touched (no audit entries).
-- All SECURITY INVOKER: they run with the importer's privileges (privacy.technical_access).

-- The feed's fields, in contract order (contract §5, docs/feed.md): the one list (issue 18
-- item 4). Everything else that names them is generated from it when this file is applied: the
-- staging table, the typed table, the compare and MERGE column lists of import_problems() and
-- import_apply() (the DO block below), dossier.feed_columns() (the header), and the importer's
-- privileges (privacy.technical_access, db/policies/1000_access_matrix.sql); admin/dossier/
-- importer.py's FIELDS is checked against it (tests/test_import.py).
--   kind: key (matches an existing record: person_id is the record's admin_number), text,
--         date (YYYY-MM-DD or DD-MM-YYYY), email (the dossier.email domain), unit (a level of
--         the unit path kolom › directie › afdeling › team, in this order);
--   record_column / employment_column: the column of dossier.person_record / dossier.employment
--         it fills (end_date fills both: the record's end and the job's).
-- Only its owner calls it: the functions made from it are static SQL.
create or replace function dossier.feed_field()
    returns table (ordinal integer, name text, kind text, record_column name, employment_column name)
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$
    select f.ordinal, f.name, f.kind, f.record_column, f.employment_column
      from (values
        (1, 'person_id', 'key', 'admin_number'::name, null::name),
        (2, 'surname', 'text', 'surname', null),
        (3, 'prefix', 'text', 'prefix', null),
        (4, 'initials', 'text', 'initials', null),
        (5, 'first_names', 'text', 'first_names', null),
        (6, 'partner_surname', 'text', 'partner_surname', null),
        (7, 'partner_prefix', 'text', 'partner_prefix', null),
        (8, 'salutation', 'text', 'salutation', null),
        (9, 'title_before', 'text', 'title_before', null),
        (10, 'title_after', 'text', 'title_after', null),
        (11, 'gender', 'text', 'gender', null),
        (12, 'birth_date', 'date', 'birth_date', null),
        (13, 'birth_place', 'text', 'birth_place', null),
        (14, 'email', 'email', 'email', null),
        (15, 'start_date', 'date', null, 'started_on'),
        (16, 'end_date', 'date', 'ended_on', 'ended_on_job'),
        (17, 'function', 'text', null, 'position'),
        (18, 'kolom', 'unit', null, null),
        (19, 'directie', 'unit', null, null),
        (20, 'afdeling', 'unit', null, null),
        (21, 'team', 'unit', null, null)) f(ordinal, name, kind, record_column, employment_column)
$$;
comment on function dossier.feed_field() is
    'The HR feed''s fields in contract order, with the record and employment columns they fill (contract §5).';

-- The SQL of the import functions is written once with the feed's column lists as tokens, and
-- dossier.feed_sql() fills them in from dossier.feed_field() when this file is applied:
--   {{staging_columns}}, {{typed_columns}}, {{typed_dates}}, {{date_joins}}, {{annex_limits}},
--   {{feed_names}}, {{record_set}}, {{employment_set}}, {{t.record_values}} (with the domain's
--   cast), and the identifier lists {{feed_fields}}, {{key_field}}, {{key_column}},
--   {{record_fields}}, {{record_columns}}, {{employment_fields}}, {{employment_columns}}, each
--   also with an alias: {{t.record_fields}} is t.surname, t.prefix, … The functions made are
--   static SQL, planned like any other.
create or replace function dossier.feed_sql(p_template text) returns text
    language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    v_sql text := p_template;
    v_lists jsonb;
    v_special jsonb;
    v_key text;
    v_text text;
    v_list jsonb;
    v_alias text;
begin
    with f as (select * from dossier.feed_field())
    select jsonb_build_object(
        'feed_fields', (select jsonb_agg(f.name order by f.ordinal) from f where f.kind <> 'unit'),
        'key_field', (select jsonb_agg(f.name order by f.ordinal) from f where f.kind = 'key'),
        'key_column', (select jsonb_agg(f.record_column order by f.ordinal) from f where f.kind = 'key'),
        'record_fields', (select jsonb_agg(f.name order by f.ordinal)
                            from f where f.record_column is not null and f.kind <> 'key'),
        'record_columns', (select jsonb_agg(f.record_column order by f.ordinal)
                             from f where f.record_column is not null and f.kind <> 'key'),
        'employment_fields', (select jsonb_agg(f.name order by f.ordinal) from f where f.employment_column is not null),
        'employment_columns', (select jsonb_agg(f.employment_column order by f.ordinal)
                                 from f where f.employment_column is not null)),
           jsonb_build_object(
        'feed_names', (select string_agg(quote_literal(f.name), ', ' order by f.ordinal) from f),
        'staging_columns', (select string_agg(format('%I text', f.name), ', ' order by f.ordinal) from f),
        -- every field raw (quoted by the problems) and trimmed (a date as <name>_text); the unit path
        'typed_columns', (select string_agg(format('h.%1$I as %2$I, nullif(btrim(h.%1$I), %4$L) as %3$I',
                                                   f.name, 'raw_' || f.name,
                                                   f.name || case when f.kind = 'date' then '_text' else '' end, ''),
                                            E',\n               ' order by f.ordinal) from f where f.kind <> 'unit')
                         || format(E',\n               array_remove(array[%s], null) as unit_names' ||
                                   E',\n               array_remove(array[%s], null) as unit_kinds',
                                   (select string_agg(format('nullif(btrim(h.%I), %L)', f.name, ''), ', ' order by f.ordinal)
                                      from f where f.kind = 'unit'),
                                   (select string_agg(format('case when nullif(btrim(h.%1$I), %3$L) is not null then %2$L end',
                                                             f.name, f.name, ''), ', ' order by f.ordinal)
                                      from f where f.kind = 'unit')),
        'typed_dates', (select string_agg(format(', %I.d as %I', 'd' || f.ordinal, f.name), '' order by f.ordinal)
                          from f where f.kind = 'date'),
        'date_joins', (select string_agg(format('left join cal %1$I on %1$I.iso = regexp_replace(h.%2$I, %3$L, %4$L)',
                                                'd' || f.ordinal, f.name || '_text', '^(\d\d)-(\d\d)-(\d{4})$', '\3-\2-\1'),
                                         E'\n      ' order by f.ordinal)
                         from f where f.kind = 'date'),
        -- fields an annex does not list (privacy.annex_column_limit, issue 16.4) are not written there
        'annex_limits', coalesce((select string_agg(format('update pg_temp.hr_typed t set %s where p_annex <> all (%L);',
                                                           x.sets, x.annexes), E'\n    ' order by x.annexes)
                                    from (select l.annexes, string_agg(format('%I = null', f.name), ', ' order by f.ordinal) as sets
                                            from f join privacy.annex_column_limit l
                                              on l.table_name = 'person_record' and l.column_name = f.record_column
                                           group by l.annexes) x), ''),
        't.record_values', (select string_agg(format('t.%I', f.name) || case f.kind when 'email' then '::dossier.email' else '' end,
                                              ', ' order by f.ordinal)
                              from f where f.record_column is not null and f.kind <> 'key'),
        'record_set', (select string_agg(format('%I = s.%I', f.record_column, f.name), ', ' order by f.ordinal)
                         from f where f.record_column is not null and f.kind <> 'key'),
        'employment_set', (select string_agg(format('%I = s.%I', f.employment_column, f.name), ', ' order by f.ordinal)
                             from f where f.employment_column is not null))
      into v_lists, v_special;

    for v_key, v_text in select e.key, e.value from jsonb_each_text(v_special) e loop
        v_sql := replace(v_sql, '{{' || v_key || '}}', v_text);
    end loop;
    for v_key, v_list in select e.key, e.value from jsonb_each(v_lists) e loop
        foreach v_alias in array array['', 'e.', 'r.', 's.', 't.'] loop
            v_sql := replace(v_sql, '{{' || v_alias || v_key || '}}',
                             (select string_agg(v_alias || quote_ident(a.x), ', ' order by a.n)
                                from jsonb_array_elements_text(v_list) with ordinality a(x, n)));
        end loop;
    end loop;
    if v_sql ~ '\{\{[a-z_.]+\}\}' then
        raise exception 'dossier.feed_sql: no list named %', substring(v_sql from '\{\{[a-z_.]+\}\}')
            using errcode = 'invalid_parameter_value';
    end if;
    return v_sql;
end
$$;
comment on function dossier.feed_sql(text) is
    'Fill the feed''s column lists ({{tokens}}) into the SQL of an import function, from dossier.feed_field().';

-- The feed's header, for the importer: the names of dossier.feed_field(), as a constant.
do $gen$ begin execute dossier.feed_sql($fn$
create or replace function dossier.feed_columns() returns text[]
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$
    select array[{{feed_names}}]::text[]
$$;
$fn$); end $gen$;
comment on function dossier.feed_columns() is 'The HR importer feed''s header (contract §5).';

do $gen$ begin execute dossier.feed_sql($fn$
create or replace function dossier.import_stage() returns void
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
begin
    drop table if exists pg_temp.hr_staging, pg_temp.hr_typed, pg_temp.hr_feed, pg_temp.hr_paths, pg_temp.hr_units;
    create temp table hr_staging (line integer not null, {{staging_columns}}) on commit drop;
end
$$;
$fn$); end $gen$;
comment on function dossier.import_stage() is 'Make pg_temp.hr_staging for one import (dropped at commit).';

-- Type the staged rows once (pg_temp.hr_typed) and return every problem of every row:
-- (line, field, value, problem). Set-based: dates are looked up in a calendar (YYYY-MM-DD, or
-- DD-MM-YYYY turned around; 2026-02-30 is in no calendar), e-mail addresses are checked with
-- the dossier.email domain's own CHECK expression, so the domain stays the one definition.
do $gen$ begin execute dossier.feed_sql($fn$
create or replace function dossier.import_problems()
    returns table (line integer, field text, value text, problem text)
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
    -- bulk statements on fresh temp tables: JIT compile time dwarfs the work; sorts in memory
    set jit = off set work_mem = '64MB'
as $$
declare
    email_ok text;
begin
    select pg_catalog.replace(pg_catalog.substring(pg_catalog.pg_get_constraintdef(c.oid), '^CHECK \((.*)\)$'),
                              'VALUE', 't.email')
      into strict email_ok
      from pg_catalog.pg_constraint c where c.contypid = 'dossier.email'::pg_catalog.regtype;

    drop table if exists pg_temp.hr_typed;
    create temp table hr_typed on commit drop as
    with cal as (
        select pg_catalog.to_char(d, 'YYYY-MM-DD') as iso, d::date as d
          from pg_catalog.generate_series(date '1900-01-01', date '2100-12-31', interval '1 day') d
    ),
    h as (
        select h.line,
               {{typed_columns}}
          from pg_temp.hr_staging h
    )
    select h.*{{typed_dates}},
           min(h.line) over (partition by h.person_id) as first_line, true as email_valid
      from h
      {{date_joins}};
    analyze pg_temp.hr_typed;
    execute format('update pg_temp.hr_typed t set email_valid = false where t.email is not null and not (%s)', email_ok);

    return query
    with p(line, field, value, problem) as (
        select t.line, 'person_id', t.raw_person_id, 'required' from pg_temp.hr_typed t where t.person_id is null
        union all
        select t.line, 'person_id', t.raw_person_id, 'letters, digits, _ . - only, at most 40'
          from pg_temp.hr_typed t where t.person_id !~ '^[A-Za-z0-9_.-]{1,40}$'
        union all
        select t.line, 'person_id', t.raw_person_id, format('duplicate: also on line %s', t.first_line)
          from pg_temp.hr_typed t where t.person_id is not null and t.line <> t.first_line
        union all
        select t.line, 'surname', t.raw_surname, 'required' from pg_temp.hr_typed t where t.surname is null
        union all
        select t.line, 'gender', t.raw_gender, 'must be M, V or X'
          from pg_temp.hr_typed t where t.gender not in ('M', 'V', 'X')
        union all
        select t.line, 'birth_date', t.raw_birth_date, 'not a date (YYYY-MM-DD or DD-MM-YYYY)'
          from pg_temp.hr_typed t where t.birth_date_text is not null and t.birth_date is null
        union all
        select t.line, 'birth_date', t.raw_birth_date, 'in the future' from pg_temp.hr_typed t where t.birth_date > current_date
        union all
        select t.line, 'start_date', t.raw_start_date, 'required' from pg_temp.hr_typed t where t.start_date_text is null
        union all
        select t.line, 'start_date', t.raw_start_date, 'not a date (YYYY-MM-DD or DD-MM-YYYY)'
          from pg_temp.hr_typed t where t.start_date_text is not null and t.start_date is null
        union all
        select t.line, 'start_date', t.raw_start_date, 'before birth_date' from pg_temp.hr_typed t where t.start_date < t.birth_date
        union all
        select t.line, 'end_date', t.raw_end_date, 'not a date (YYYY-MM-DD or DD-MM-YYYY)'
          from pg_temp.hr_typed t where t.end_date_text is not null and t.end_date is null
        union all
        select t.line, 'end_date', t.raw_end_date, format('before start_date %s', t.start_date)
          from pg_temp.hr_typed t where t.end_date < t.start_date
        union all
        select t.line, 'email', t.raw_email, 'not an e-mail address' from pg_temp.hr_typed t where not t.email_valid
        union all
        select t.line, 'function', t.raw_function, 'required' from pg_temp.hr_typed t where t.function is null
    )
    select p.line, p.field, p.value, p.problem from p order by p.line, p.field;
end
$$;
$fn$); end $gen$;
comment on function dossier.import_problems() is
    'Type the staged feed rows (pg_temp.hr_typed) and return one row per problem.';

-- A unit code from its parent's code and its name: DEMO-LOP-VWS-FINANCIEN (org_unit_code_format).
create or replace function dossier.unit_code(p_parent_code text, p_name text, p_parent_id bigint) returns text
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$
    select case when length(c) <= 63 then c
                else left(p_parent_code, 50) || '-' || upper(left(md5(p_parent_id || '/' || p_name), 12)) end
      from (select p_parent_code || '-' || coalesce(nullif(left(upper(regexp_replace(
                       translate(p_name, 'áàäâãéèëêíìïîóòöôõúùüûçñÁÀÄÂÉÈËÊÍÌÏÎÓÒÖÔÚÙÜÛÇÑ',
                                 'aaaaaeeeeiiiiooooouuuucnAAAAEEEEIIIIOOOOUUUUCN'),
                       '[^A-Za-z0-9]+', '', 'g')), 24), ''), 'U') as c) x
$$;

-- Apply the typed feed (pg_temp.hr_typed, made by import_problems(), which found no problem) for an organisation to one annex (A2 or TP). Returns the counts.
-- The organisation of the import run in this transaction (privacy.import_context), read by the
-- importer's row policies as an InitPlan, once per statement.
create or replace function privacy.import_org() returns bigint
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    -- SECURITY DEFINER: dossier_importer may not read privacy.import_context itself.
    select c.org_id from privacy.import_context c where c.xid = pg_catalog.pg_current_xact_id()
$$;
comment on function privacy.import_org() is
    'The organisation the HR import running in this transaction may touch (NULL: none).';

-- Called by `dossier import hr` (a superuser or a member of dossier_admin) before it takes the
-- role dossier_importer; the importer itself cannot call it, so a feed cannot widen its reach.
create or replace function privacy.begin_import(p_org_code text) returns bigint
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: writes privacy.import_context, which no login writes directly.
declare
    v_org bigint;
begin
    select u.id into v_org from dossier.org_unit u where u.code = p_org_code and u.kind = 'organisation';
    if v_org is null then
        raise exception 'no organisation with code %', p_org_code
            using errcode = 'no_data_found', hint = 'dossier.org_unit rows of kind organisation';
    end if;
    delete from privacy.import_context c where c.xid <> pg_catalog.pg_current_xact_id();
    insert into privacy.import_context (org_id) values (v_org)
    on conflict (xid) do update set org_id = excluded.org_id;
    return v_org;
end
$$;
comment on function privacy.begin_import(text) is
    'Name the organisation an HR import in this transaction may touch (before SET ROLE dossier_importer).';

-- New subject keys for the import run's organisation: the importer never chooses a key
-- (issue 13 item 5), it gets them from the sequence through the owner.
create or replace function dossier.new_subject_keys(p_org bigint, p_count integer) returns bigint[]
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: the importer holds no INSERT on dossier.subject; this inserts only for the run's organisation.
declare
    v_ids bigint[];
begin
    if p_org is null or p_org is distinct from privacy.import_org() then
        raise exception 'subject keys only for the organisation of the import in progress'
            using errcode = 'insufficient_privilege';
    end if;
    with made as (
        insert into dossier.subject (org_id) select p_org from pg_catalog.generate_series(1, p_count)
        returning id)
    select coalesce(array_agg(id order by id), '{}') into v_ids from made;
    return v_ids;
end
$$;
comment on function dossier.new_subject_keys(bigint, integer) is
    'Create subject keys for the organisation of the HR import in progress; returns them in order.';

do $gen$ begin execute dossier.feed_sql($fn$
create or replace function dossier.import_apply(p_org_code text, p_annex text, p_full boolean, p_file text)
    returns table (rows_read integer, inserted integer, updated integer, unchanged integer,
                   left_count integer, units_created integer)
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
    -- bulk statements on fresh temp tables: JIT compile time dwarfs the work; sorts in memory
    set jit = off set work_mem = '64MB'
as $$
declare
    v_org bigint;
    v_basis text := case p_annex when 'A2' then 'contract' else 'consent' end;
    n_units integer := 0;
    n integer;
    lvl integer;
    v_prefix record;
    v_parent bigint;
    v_unit bigint;
    n_left_absent integer := 0;
    v_keys bigint[];
begin
    if p_annex not in ('A2', 'TP') then
        raise exception 'import into % is not supported: the HR feed fills A2 or TP', p_annex
            using errcode = 'invalid_parameter_value';
    end if;
    select u.id into v_org from dossier.org_unit u where u.code = p_org_code and u.kind = 'organisation';
    if v_org is null or v_org is distinct from privacy.import_org() then
        raise exception 'no organisation with code % for this import', p_org_code
            using errcode = 'no_data_found',
                  hint = 'the organisation named by privacy.begin_import() in this transaction';
    end if;

    -- the unit tree: each distinct path kolom › directie › afdeling › team (empty levels skipped),
    -- made in preorder (a path sorts before its extensions), one unit at a time: ids then follow
    -- the tree, so a subtree made by one import is one range of ids. The row guard bounds a login's
    -- rows by its lowest and highest unit id, and a grant whose units are not one range is refused
    -- (privacy.scope_gap; made level by level, a kolom's units lay among its siblings')
    create temp table hr_paths on commit drop as
    select distinct t.unit_names as names, t.unit_kinds as kinds, v_org as unit_id from pg_temp.hr_typed t;
    create temp table hr_units (names text[] primary key, unit_id bigint not null) on commit drop;
    for v_prefix in
        select distinct on (p.names[1:l]) p.names[1:l] as names, p.kinds[l] as kind
          from pg_temp.hr_paths p cross join lateral pg_catalog.generate_series(1, cardinality(p.names)) l
         order by p.names[1:l], p.kinds[l]
    loop
        lvl := cardinality(v_prefix.names);
        v_parent := coalesce((select m.unit_id from pg_temp.hr_units m where m.names = v_prefix.names[1:lvl - 1]), v_org);
        v_unit := (select min(c.id) from dossier.org_unit c where c.parent_id = v_parent and c.name = v_prefix.names[lvl]);
        if v_unit is null then
            insert into dossier.org_unit (code, name, kind, parent_id)
            select dossier.unit_code(u.code, v_prefix.names[lvl], v_parent), v_prefix.names[lvl], v_prefix.kind, v_parent
              from dossier.org_unit u where u.id = v_parent
            returning id into v_unit;
            n_units := n_units + 1;
        end if;
        insert into pg_temp.hr_units values (v_prefix.names, v_unit);
    end loop;
    update pg_temp.hr_paths p set unit_id = m.unit_id from pg_temp.hr_units m where m.names = p.names;

    -- the typed feed, matched with what is there and compared (so the summary and the writes agree)
    -- partner names and salutation are listed by M895 only (privacy.annex_column_limit, issue 16.4)
    {{annex_limits}}
    create temp table hr_feed on commit drop as
    select t.line, {{t.feed_fields}}, p.unit_id,
           r.id as record_id, r.subject_id, r.ended_on as old_ended_on, (r.id is null) as is_new,
           false as new_subject, e.id as employment_id,
           case when r.id is null then 'inserted'
                when e.id is null
                  or (r.unit_id, {{r.record_columns}}) is distinct from (p.unit_id, {{t.record_values}})
                  or ({{e.employment_columns}}) is distinct from ({{t.employment_fields}})
                then 'updated' else 'unchanged' end as status
      from pg_temp.hr_typed t
      join pg_temp.hr_paths p on p.names = t.unit_names
      left join dossier.person_record r on r.org_id = v_org and r.annex = p_annex and r.admin_number = t.person_id
      -- per record, its latest employment by index: right whatever the (possibly stale) statistics
      -- say about an organisation that just received 10^5 rows
      left join lateral (select e.id, {{e.employment_columns}}
                           from dossier.employment e
                          where e.record_id = r.id and e.annex = p_annex
                          order by e.started_on desc, e.id desc limit 1) e on true;
    analyze pg_temp.hr_feed;

    -- a person the importer knows from the other annex it fills keeps their subject key
    update pg_temp.hr_feed f
       set subject_id = (select o.subject_id from dossier.person_record o
                          where o.org_id = v_org and o.annex = case p_annex when 'A2' then 'TP' else 'A2' end
                            and o.admin_number = f.person_id)
     where f.is_new;
    select dossier.new_subject_keys(v_org, count(*)::integer) into v_keys
      from pg_temp.hr_feed f where f.subject_id is null;
    update pg_temp.hr_feed f set subject_id = k.id, new_subject = true
      from (select x.line, row_number() over (order by x.line) as n
              from pg_temp.hr_feed x where x.subject_id is null) o
      join unnest(v_keys) with ordinality k(id, n) on k.n = o.n
     where f.line = o.line;
    update pg_temp.hr_feed f set record_id = nextval('dossier_store.person_record_id_seq') where f.record_id is null;

    merge into dossier_store.person_record t
    using (select * from pg_temp.hr_feed where status <> 'unchanged') s
       on t.id = s.record_id and t.annex = p_annex
     when matched then update set unit_id = s.unit_id, {{record_set}}
     when not matched then insert
          (id, annex, subject_id, org_id, unit_id, legal_basis, source, collected_on, {{key_column}}, {{record_columns}})
          overriding system value values
          (s.record_id, p_annex, s.subject_id, v_org, s.unit_id, v_basis, 'hr_importer', current_date,
           {{s.key_field}}, {{s.record_fields}});

    merge into dossier_store.employment t
    using (select * from pg_temp.hr_feed where status <> 'unchanged') s
       on t.id = s.employment_id
     when matched and ({{t.employment_columns}}) is distinct from ({{s.employment_fields}})
          then update set {{employment_set}}
     when not matched then insert
          (record_id, annex, org_id, unit_id, subject_id, {{employment_columns}})
          values (s.record_id, p_annex, v_org, s.unit_id, s.subject_id, {{s.employment_fields}});

    -- a complete feed: whoever the importer brought in before and is missing now has left today
    if p_full then
        with gone as (
            update dossier.person_record r set ended_on = current_date
             where r.org_id = v_org and r.annex = p_annex and r.source = 'hr_importer' and r.ended_on is null
               and not exists (select from pg_temp.hr_feed f where f.record_id = r.id)
            returning r.id),
        jobs as (
            update dossier.employment e set ended_on_job = greatest(current_date, e.started_on)
              from gone g where e.record_id = g.id and e.annex = p_annex and e.ended_on_job is null
            returning e.id)
        select count(*) into n_left_absent from gone;
    end if;

    select count(*),
           count(*) filter (where f.status = 'inserted'), count(*) filter (where f.status = 'updated'),
           count(*) filter (where f.status = 'unchanged'),
           count(*) filter (where f.end_date is not null and f.old_ended_on is null and not f.is_new) + n_left_absent,
           n_units
      into rows_read, inserted, updated, unchanged, left_count, units_created
      from pg_temp.hr_feed f;
    insert into privacy.import_run (org_id, annex, file_name, full_feed, rows_read, inserted, updated,
                                    unchanged, left_count, units_created)
    values (v_org, p_annex, p_file, p_full, rows_read, inserted, updated, unchanged, left_count, units_created);
    return next;
end
$$;
$fn$); end $gen$;
comment on function dossier.import_apply(text, text, boolean, text) is
    'Apply the staged HR feed to an organisation''s A2 or TP records (set-based MERGE); returns the counts.';

delete from privacy.object_audience where defined_in = '1300_import';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'dossier', f, 'dossier_importer', 'EXECUTE', '1300_import'
  from unnest(array['feed_columns()', 'import_stage()',
                    'import_problems()', 'unit_code(text, text, bigint)',
                    'import_apply(text, text, boolean, text)']) f;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in) values
    ('privacy', 'import_org()', 'dossier_importer', 'EXECUTE', '1300_import'),
    ('dossier', 'new_subject_keys(bigint, integer)', 'dossier_importer', 'EXECUTE', '1300_import'),
    ('privacy', 'begin_import(text)', 'dossier_admin', 'EXECUTE', '1300_import'),
    ('privacy', 'import_run', 'dossier_importer', 'INSERT', '1300_import'),
    ('privacy', 'import_run', 'privacy_officer', 'SELECT', '1300_import'),
    ('privacy', 'import_run', 'dossier_admin', 'SELECT', '1300_import');
