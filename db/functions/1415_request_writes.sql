-- dossier:run-as superuser
-- What the request functions (db/functions/1410_requests.sql, issue 19.2) need to see or do in
-- the dossier itself, as dossier_retention: the subject's records (its organisation, whether a
-- record rests on an objectionable ground) and erasure. dossier_owner, which owns the request
-- functions and the registers, has no row policy on the personal-data tables (FORCE ROW LEVEL
-- SECURITY), so it calls these; dossier_retention already reads every record's keys and deletes
-- what retention and requests decide (db/policies/1000_access_matrix.sql).
--
-- SECURITY DEFINER, owned by dossier_retention; EXECUTE for dossier_owner only (the request
-- functions run as it). Superuser file: it hands the functions to dossier_retention, which
-- privacy.apply_access() then leaves alone (it grants dossier_owner's EXECUTE again, a no-op).

drop function if exists privacy.erase_subject(bigint, date);

-- The caller may handle requests of this subject: a superuser, or a privacy officer of the
-- subject's organisation (its grants in force). The request functions call it.
-- SECURITY DEFINER: reads the subject's records past the caller's row policies (dossier_retention's).
create or replace function privacy.assert_request_scope(p_subject bigint) returns void
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
begin
    if exists (select from pg_catalog.pg_roles r where r.rolname = session_user and r.rolsuper) then
        return;
    end if;
    if not exists (select from dossier.person_record p
                    where p.subject_id = p_subject
                      and p.org_id in (select o.org_id from privacy.my_org o where o.role = 'privacy_officer')) then
        raise exception 'data subject % is not of an organisation you handle requests for (privacy_officer grant)',
            p_subject using errcode = 'insufficient_privilege';
    end if;
end
$$;
comment on function privacy.assert_request_scope(bigint) is
    'Refuse unless the caller is a superuser or a privacy officer of the subject''s organisation (grants register).';

-- How many records the subject has (in one annex; on an objectionable ground, art. 13.6).
-- SECURITY DEFINER: reads the subject's records past the caller's row policies (dossier_retention's).
create or replace function privacy.subject_record_count(p_subject bigint, p_annex text, p_objectionable boolean)
    returns integer
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    select count(*)::integer
      from dossier.person_record p join privacy.legal_basis b on b.code = p.legal_basis
     where p.subject_id = p_subject and (p_annex is null or p.annex = p_annex)
       and (not p_objectionable or b.objectionable)
$$;
comment on function privacy.subject_record_count(bigint, text, boolean) is
    'Records of a subject (in an annex; only on public task or legitimate interest), for the request functions.';

-- Erasure (art. 13.5; AVG art. 17; issue 16.2): per annex and part (the record, or the rows of a
-- detail category), what a legal hold, a legal duty or the running contract keeps
-- (privacy.erasure_duty), and the rest erased as the officer decides: p_erase lists 'A2' (the
-- whole annex) or 'A2:absence' (one category); null: everything nothing keeps. The record's own
-- columns go with the record. Returns per part what was deleted and what was kept and why.
-- SECURITY DEFINER: deletes records and details as dossier_retention, the role that carries out erasure.
create or replace function privacy.erase_subject(p_request bigint, p_as_of date, p_erase text[]) returns jsonb
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    r privacy.subject_request;
    x record;
    v_ids bigint[];
    v_rows bigint[];
    n integer;
    result jsonb;
begin
    select * into strict r from privacy.subject_request where id = p_request;
    if r.kind <> 'erasure' then
        raise exception 'request % is a % request, not erasure', p_request, r.kind using errcode = 'invalid_parameter_value';
    end if;
    if exists (select from unnest(p_erase) e
                where e !~ '^(A[1-6]|FS|TP)(:[a-z_]+)?$'
                   or (e like '%:%' and split_part(e, ':', 2) not in
                        (select pt.category from privacy.personal_table pt where pt.category is not null))) then
        raise exception 'erase: % — give an annex (A2) or an annex and a detail category (A2:absence)',
            (select string_agg(e, ', ') from unnest(p_erase) e
              where e !~ '^(A[1-6]|FS|TP)(:[a-z_]+)?$'
                 or (e like '%:%' and split_part(e, ':', 2) not in
                      (select pt.category from privacy.personal_table pt where pt.category is not null)))
            using errcode = 'invalid_parameter_value';
    end if;
    create temp table erase_plan (annex text, record_id bigint, part text, category text, rows integer,
                                  why_kept text, erase boolean) on commit drop;
    -- the records, and the rows per detail table
    insert into pg_temp.erase_plan (annex, record_id, part, category, rows)
    select p.annex, p.id, 'record', null, 1
      from dossier.person_record p
     where p.subject_id = r.subject_id and (r.annex is null or p.annex = r.annex);
    for x in select pt.table_name, pt.category from privacy.personal_table pt
              where pt.category is not null order by pt.table_name loop
        execute format('insert into pg_temp.erase_plan (annex, record_id, part, category, rows)
                        select d.annex, d.record_id, %L, %L, count(*)::integer from dossier.%I d
                         where d.record_id in (select e.record_id from pg_temp.erase_plan e where e.part = ''record'')
                         group by d.annex, d.record_id', x.table_name, x.category, x.table_name);
    end loop;
    -- what keeps each part: a legal hold, else a duty of its annex (and category)
    update pg_temp.erase_plan e set why_kept = k.why
      from (select e2.record_id, e2.part,
                   coalesce(
                       (select 'wettelijke bewaarplicht (legal hold): ' || string_agg(h.reason, '; ' order by h.id)
                          from privacy.legal_hold h
                         where h.subject_id = r.subject_id and h.lifted_at is null
                           and (h.annex is null or h.annex = e2.annex)
                        having count(*) > 0),
                       (select d.ground_nl || ' (' || d.legal_reference || ')'
                          from privacy.erasure_duty d join dossier.person_record p on p.id = e2.record_id and p.annex = e2.annex
                         where d.annex = e2.annex and (d.category is null or d.category = e2.category)
                           and (p.ended_on is null
                                or (d.kept_while = 'fiscal_term' and (p.ended_on + d.period)::date > p_as_of))
                         order by d.category nulls last limit 1)) as why
              from pg_temp.erase_plan e2) k
     where k.record_id = e.record_id and k.part = e.part;
    -- the officer's decision: what was asked for and nothing keeps
    update pg_temp.erase_plan e
       set erase = e.why_kept is null
               and (p_erase is null or e.annex = any (p_erase)
                    or (e.category is not null and e.annex || ':' || e.category = any (p_erase)));
    -- a record goes whole (its details by cascade) only when every part of it may go
    update pg_temp.erase_plan e set erase = false
     where e.part = 'record' and e.erase
       and exists (select from pg_temp.erase_plan o where o.record_id = e.record_id and o.annex = e.annex and not o.erase);
    select array_agg(e.record_id) into v_ids from pg_temp.erase_plan e where e.part = 'record' and e.erase;
    if v_ids is not null then
        perform privacy.erase_records(v_ids, array[r.subject_id]);
    end if;
    for x in select distinct e.part from pg_temp.erase_plan e
              where e.part <> 'record' and e.erase
                and not (e.record_id = any (coalesce(v_ids, '{}'))) loop
        execute format('with d as (delete from dossier.%I d
                                    where (d.record_id, d.annex) in (select e.record_id, e.annex from pg_temp.erase_plan e
                                                                      where e.part = %L and e.erase)
                                    returning d.id)
                        select array_agg(d.id) from d', x.part, x.part) into v_rows;
        n := audit.redact_rows(x.part::name, array[r.subject_id], v_rows);
    end loop;
    select coalesce(jsonb_agg(jsonb_build_object(
               'annex', g.annex, 'part', g.part, 'deleted', g.deleted, 'kept', g.kept,
               'why_kept', case when g.kept = 0 then null
                                else coalesce(g.why, 'niet opgenomen in de beslissing tot verwijdering (verzoek ' || r.id || ')') end)
               order by g.annex, g.part <> 'record', g.part), '[]'::jsonb)
      into result
      from (select e.annex, e.part,
                   coalesce(sum(e.rows) filter (where e.erase), 0)::integer as deleted,
                   coalesce(sum(e.rows) filter (where not e.erase), 0)::integer as kept,
                   max(e.why_kept) as why
              from pg_temp.erase_plan e group by e.annex, e.part) g;
    drop table pg_temp.erase_plan;
    return result;
end
$$;
comment on function privacy.erase_subject(bigint, date, text[]) is
    'Erasure: per annex and part what a hold, a legal duty or the running contract keeps (with the ground); erase the rest as decided.';

do $owner$
declare
    f text;
begin
    foreach f in array array['privacy.assert_request_scope(bigint)', 'privacy.subject_record_count(bigint, text, boolean)',
                             'privacy.erase_subject(bigint, date, text[])']
    loop
        execute format('alter function %s owner to dossier_retention', f);
        execute format('revoke all on function %s from public', f);
        execute format('grant execute on function %s to dossier_owner', f);
    end loop;
end
$owner$;
