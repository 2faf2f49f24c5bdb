-- The HR importer (contract §5; 000 "via een koppeling, de HR-importer"). The shell streams the
-- file into pg_temp.hr_staging (COPY, every field as text), then, in one transaction as
-- dossier_importer: dossier.import_problems() checks every row at once, and
-- dossier.import_apply() creates the missing units, then MERGEs subjects, person records and
-- employment set-based. Rows whose fields did not change are not touched (no audit entries).
-- All SECURITY INVOKER: they run with the importer's privileges (privacy.technical_access).

-- The feed's columns, in contract order.
create or replace function dossier.feed_columns() returns text[]
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$
    select array['person_id', 'surname', 'prefix', 'initials', 'first_names', 'partner_surname',
                 'partner_prefix', 'salutation', 'title_before', 'title_after', 'gender', 'birth_date',
                 'birth_place', 'email', 'start_date', 'end_date', 'function', 'kolom', 'directie',
                 'afdeling', 'team']::text[]
$$;
comment on function dossier.feed_columns() is 'The HR importer feed''s header (contract §5).';

create or replace function dossier.import_stage() returns void
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
begin
    drop table if exists pg_temp.hr_staging, pg_temp.hr_typed, pg_temp.hr_feed, pg_temp.hr_paths;
    create temp table hr_staging (
        line integer not null, person_id text, surname text, prefix text, initials text, first_names text,
        partner_surname text, partner_prefix text, salutation text, title_before text, title_after text,
        gender text, birth_date text, birth_place text, email text, start_date text, end_date text,
        function text, kolom text, directie text, afdeling text, team text
    ) on commit drop;
end
$$;
comment on function dossier.import_stage() is 'Make pg_temp.hr_staging for one import (dropped at commit).';

-- Type the staged rows once (pg_temp.hr_typed) and return every problem of every row:
-- (line, field, value, problem). Set-based: dates are looked up in a calendar (YYYY-MM-DD, or
-- DD-MM-YYYY turned around; 2026-02-30 is in no calendar), e-mail addresses are checked with
-- the dossier.email domain's own CHECK expression, so the domain stays the one definition.
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
        select h.line, h.person_id as raw_person_id, h.surname as raw_surname, h.gender as raw_gender,
               h.birth_date as raw_birth_date, h.start_date as raw_start_date, h.end_date as raw_end_date,
               h.email as raw_email, h.function as raw_function,
               nullif(btrim(h.person_id), '') as person_id, nullif(btrim(h.surname), '') as surname,
               nullif(btrim(h.prefix), '') as prefix, nullif(btrim(h.initials), '') as initials,
               nullif(btrim(h.first_names), '') as first_names, nullif(btrim(h.partner_surname), '') as partner_surname,
               nullif(btrim(h.partner_prefix), '') as partner_prefix, nullif(btrim(h.salutation), '') as salutation,
               nullif(btrim(h.title_before), '') as title_before, nullif(btrim(h.title_after), '') as title_after,
               nullif(btrim(h.gender), '') as gender, nullif(btrim(h.birth_date), '') as birth_text,
               nullif(btrim(h.birth_place), '') as birth_place, nullif(btrim(h.email), '') as email,
               nullif(btrim(h.start_date), '') as start_text, nullif(btrim(h.end_date), '') as end_text,
               nullif(btrim(h.function), '') as position,
               array_remove(array[nullif(btrim(h.kolom), ''), nullif(btrim(h.directie), ''),
                                  nullif(btrim(h.afdeling), ''), nullif(btrim(h.team), '')], null) as unit_names,
               array_remove(array[case when nullif(btrim(h.kolom), '') is not null then 'kolom' end,
                                  case when nullif(btrim(h.directie), '') is not null then 'directie' end,
                                  case when nullif(btrim(h.afdeling), '') is not null then 'afdeling' end,
                                  case when nullif(btrim(h.team), '') is not null then 'team' end], null) as unit_kinds
          from pg_temp.hr_staging h
    )
    select h.*, b.d as birth_date, s.d as start_date, e.d as end_date,
           min(h.line) over (partition by h.person_id) as first_line, true as email_valid
      from h
      left join cal b on b.iso = regexp_replace(h.birth_text, '^(\d\d)-(\d\d)-(\d{4})$', '\3-\2-\1')
      left join cal s on s.iso = regexp_replace(h.start_text, '^(\d\d)-(\d\d)-(\d{4})$', '\3-\2-\1')
      left join cal e on e.iso = regexp_replace(h.end_text, '^(\d\d)-(\d\d)-(\d{4})$', '\3-\2-\1');
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
          from pg_temp.hr_typed t where t.birth_text is not null and t.birth_date is null
        union all
        select t.line, 'birth_date', t.raw_birth_date, 'in the future' from pg_temp.hr_typed t where t.birth_date > current_date
        union all
        select t.line, 'start_date', t.raw_start_date, 'required' from pg_temp.hr_typed t where t.start_text is null
        union all
        select t.line, 'start_date', t.raw_start_date, 'not a date (YYYY-MM-DD or DD-MM-YYYY)'
          from pg_temp.hr_typed t where t.start_text is not null and t.start_date is null
        union all
        select t.line, 'start_date', t.raw_start_date, 'before birth_date' from pg_temp.hr_typed t where t.start_date < t.birth_date
        union all
        select t.line, 'end_date', t.raw_end_date, 'not a date (YYYY-MM-DD or DD-MM-YYYY)'
          from pg_temp.hr_typed t where t.end_text is not null and t.end_date is null
        union all
        select t.line, 'end_date', t.raw_end_date, format('before start_date %s', t.start_date)
          from pg_temp.hr_typed t where t.end_date < t.start_date
        union all
        select t.line, 'email', t.raw_email, 'not an e-mail address' from pg_temp.hr_typed t where not t.email_valid
        union all
        select t.line, 'function', t.raw_function, 'required' from pg_temp.hr_typed t where t.position is null
    )
    select p.line, p.field, p.value, p.problem from p order by p.line, p.field;
end
$$;
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

    -- the unit tree: each distinct path kolom › directie › afdeling › team (empty levels skipped)
    create temp table hr_paths on commit drop as
    select distinct t.unit_names as names, t.unit_kinds as kinds, v_org as unit_id from pg_temp.hr_typed t;
    for lvl in 1..4 loop
        insert into dossier.org_unit (code, name, kind, parent_id)
        select dossier.unit_code(u.code, x.name, x.parent_id), x.name, x.kind, x.parent_id
          from (select distinct p.unit_id as parent_id, p.names[lvl] as name, p.kinds[lvl] as kind
                  from pg_temp.hr_paths p where cardinality(p.names) >= lvl) x
          join dossier.org_unit u on u.id = x.parent_id
         where not exists (select from dossier.org_unit c where c.parent_id = x.parent_id and c.name = x.name);
        get diagnostics n = row_count;
        n_units := n_units + n;
        update pg_temp.hr_paths p
           set unit_id = (select min(c.id) from dossier.org_unit c where c.parent_id = p.unit_id and c.name = p.names[lvl])
         where cardinality(p.names) >= lvl;
    end loop;

    -- the typed feed, matched with what is there and compared (so the summary and the writes agree)
    -- partner names and salutation are listed by M895 only (privacy.annex_column_limit, issue 16.4)
    update pg_temp.hr_typed t set partner_surname = null, partner_prefix = null, salutation = null
     where p_annex <> 'TP';
    create temp table hr_feed on commit drop as
    select t.line, t.person_id, t.surname, t.prefix, t.initials, t.first_names, t.partner_surname,
           t.partner_prefix, t.salutation, t.title_before, t.title_after, t.gender, t.birth_date,
           t.birth_place, t.email, t.start_date, t.end_date, t.position, p.unit_id,
           r.id as record_id, r.subject_id, r.ended_on as old_ended_on, (r.id is null) as is_new,
           false as new_subject, e.id as employment_id,
           case when r.id is null then 'inserted'
                when e.id is null
                  or (r.unit_id, r.surname, r.prefix, r.initials, r.first_names, r.partner_surname,
                      r.partner_prefix, r.salutation, r.title_before, r.title_after, r.gender,
                      r.birth_date, r.birth_place, r.email, r.ended_on)
                     is distinct from
                     (p.unit_id, t.surname, t.prefix, t.initials, t.first_names, t.partner_surname,
                      t.partner_prefix, t.salutation, t.title_before, t.title_after, t.gender,
                      t.birth_date, t.birth_place, t.email::dossier.email, t.end_date)
                  or (e.position, e.started_on, e.ended_on_job) is distinct from (t.position, t.start_date, t.end_date)
                then 'updated' else 'unchanged' end as status
      from pg_temp.hr_typed t
      join pg_temp.hr_paths p on p.names = t.unit_names
      left join dossier.person_record r on r.org_id = v_org and r.annex = p_annex and r.admin_number = t.person_id
      -- per record, its latest employment by index: right whatever the (possibly stale) statistics
      -- say about an organisation that just received 10^5 rows
      left join lateral (select e.id, e.position, e.started_on, e.ended_on_job
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
    update pg_temp.hr_feed f set record_id = nextval('dossier.person_record_id_seq') where f.record_id is null;

    merge into dossier.person_record t
    using (select * from pg_temp.hr_feed where status <> 'unchanged') s
       on t.id = s.record_id and t.annex = p_annex
     when matched then update set
          unit_id = s.unit_id, surname = s.surname, prefix = s.prefix, initials = s.initials,
          first_names = s.first_names, partner_surname = s.partner_surname, partner_prefix = s.partner_prefix,
          salutation = s.salutation, title_before = s.title_before, title_after = s.title_after,
          gender = s.gender, birth_date = s.birth_date, birth_place = s.birth_place, email = s.email,
          ended_on = s.end_date
     when not matched then insert
          (id, annex, subject_id, org_id, unit_id, legal_basis, source, collected_on, admin_number,
           surname, prefix, initials, first_names, partner_surname, partner_prefix, salutation,
           title_before, title_after, gender, birth_date, birth_place, email, ended_on)
          overriding system value values
          (s.record_id, p_annex, s.subject_id, v_org, s.unit_id, v_basis, 'hr_importer', current_date,
           s.person_id, s.surname, s.prefix, s.initials, s.first_names, s.partner_surname, s.partner_prefix,
           s.salutation, s.title_before, s.title_after, s.gender, s.birth_date, s.birth_place, s.email,
           s.end_date);

    merge into dossier.employment t
    using (select * from pg_temp.hr_feed where status <> 'unchanged') s
       on t.id = s.employment_id
     when matched and (t.position, t.started_on, t.ended_on_job) is distinct from (s.position, s.start_date, s.end_date)
          then update set position = s.position, started_on = s.start_date, ended_on_job = s.end_date
     when not matched then insert
          (record_id, annex, org_id, unit_id, subject_id, position, started_on, ended_on_job)
          values (s.record_id, p_annex, v_org, s.unit_id, s.subject_id, s.position, s.start_date, s.end_date);

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
