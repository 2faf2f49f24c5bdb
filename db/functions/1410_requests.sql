-- Data-subject requests (db/schema/V1410__requests.sql; 004 art. 13): deadlines with suspension,
-- restriction of processing, erasure and the access export.

-- Row policies (privacy.expected_policy) hide restricted records from every role that does not
-- handle requests: `not restricted`, a flag on every personal-data row that follows
-- privacy.restriction (db/functions/1420_restricted.sql).

-- Every request with its deadline on a date: four weeks after receipt (13.3, 13.4, 13.6) plus
-- the days the term stood still while identity was being verified (13.2).
create or replace function privacy.request_state(p_as_of date)
    returns table (id bigint, subject_id bigint, kind text, annex text, received_on date, suspended boolean,
                   suspended_days integer, deadline date, status text, overdue boolean, days_left integer,
                   decision text, decision_reason text, closed_on date)
    language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
    select r.id, r.subject_id, r.kind, r.annex, r.received_on,
           s.open_now, s.days, (r.received_on + 28 + s.days)::date,
           case when r.closed_on is not null then 'closed' when s.open_now then 'suspended' else 'open' end,
           case when r.closed_on is not null then r.closed_on > r.received_on + 28 + s.days
                else not s.open_now and p_as_of > r.received_on + 28 + s.days end,
           case when r.closed_on is null then (r.received_on + 28 + s.days) - p_as_of end,
           r.decision, r.decision_reason, r.closed_on
      from privacy.subject_request r
     cross join lateral (
            select coalesce(sum(least(coalesce(x.until_date, p_as_of), p_as_of) - x.from_date), 0)::integer as days,
                   coalesce(bool_or(x.until_date is null and x.from_date <= p_as_of), false) as open_now
              from privacy.request_suspension x
             where x.request_id = r.id and x.from_date <= p_as_of) s
     where r.received_on <= p_as_of
$$;
comment on function privacy.request_state(date) is
    'Requests with their deadline (4 weeks, suspended while identity is verified: art. 13.2-13.6) on a date.';

create or replace function privacy.open_request(p_subject bigint, p_kind text, p_annex text, p_received date,
                                                p_identity_verified boolean, p_details text)
    returns bigint
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    v_id bigint;
begin
    begin
        insert into privacy.subject_request (subject_id, kind, annex, received_on, details)
        values (p_subject, p_kind, p_annex, coalesce(p_received, current_date), p_details)
        returning id into v_id;
    exception when foreign_key_violation then
        raise exception 'no data subject % (or no processing activity %)', p_subject, p_annex
            using errcode = 'no_data_found';
    end;
    if not p_identity_verified then
        insert into privacy.request_suspension (request_id, from_date, reason)
        values (v_id, coalesce(p_received, current_date),
                'identiteit nog niet vastgesteld; nadere gegevens gevraagd (art. 13.2)');
    end if;
    if p_kind in ('objection', 'restriction') then
        insert into privacy.restriction (subject_id, annex, request_id) values (p_subject, p_annex, v_id);
    end if;
    return v_id;
end
$$;

-- Art. 13.2: the proof of identity arrived; the term runs again from that day.
create or replace function privacy.verify_request(p_request bigint, p_on date) returns void
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
begin
    update privacy.request_suspension set until_date = coalesce(p_on, current_date)
     where request_id = p_request and until_date is null;
    if not found then
        raise exception 'request % is not waiting for identity verification', p_request
            using errcode = 'no_data_found';
    end if;
end
$$;

-- Lift what a request restricted (none in force: 0).
create or replace function privacy.lift_restrictions_of(p_request bigint, p_reason text) returns integer
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    n integer;
begin
    update privacy.restriction set lifted_at = now(), lifted_by = session_user, lift_reason = p_reason
     where request_id = p_request and lifted_at is null;
    get diagnostics n = row_count;
    return n;
end
$$;

-- Decide and close (a besluit, art. 13.7). A refused objection or restriction lifts its
-- restriction; a granted one keeps it until lifted.
create or replace function privacy.close_request(p_request bigint, p_decision text, p_reason text, p_on date,
                                                 p_outcome jsonb)
    returns void
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    r privacy.subject_request;
begin
    select * into r from privacy.subject_request where id = p_request for update;
    if not found then
        raise exception 'no request %', p_request using errcode = 'no_data_found';
    elsif r.closed_on is not null then
        raise exception 'request % was closed on %', p_request, r.closed_on using errcode = 'object_not_in_prerequisite_state';
    end if;
    update privacy.request_suspension set until_date = greatest(from_date, coalesce(p_on, current_date))
     where request_id = p_request and until_date is null;
    update privacy.subject_request
       set decision = p_decision, decision_reason = p_reason, closed_on = coalesce(p_on, current_date),
           closed_by = session_user, outcome = p_outcome
     where id = p_request;
    if r.kind in ('objection', 'restriction') and p_decision = 'refused' then
        perform privacy.lift_restrictions_of(p_request, format('verzoek %s afgewezen: %s', p_request, p_reason));
    end if;
end
$$;

create or replace function privacy.lift_restriction(p_request bigint, p_reason text) returns integer
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    n integer := privacy.lift_restrictions_of(p_request, p_reason);
begin
    if n = 0 then
        raise exception 'request % has no restriction in force', p_request using errcode = 'no_data_found';
    end if;
    return n;
end
$$;

-- Erasure (art. 13.5; AVG art. 17): delete what no legal duty keeps — records whose rule allows
-- deletion on request (A1, FS, TP) or whose retention has already run out — unless a legal hold
-- keeps them; say per annex what was deleted and what was kept and why. Runs as
-- dossier_retention (the shell sets the role), like the nightly job.
create or replace function privacy.erase_subject(p_request bigint, p_as_of date) returns jsonb
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    r privacy.subject_request;
    v_ids bigint[];
    result jsonb;
begin
    select * into strict r from privacy.subject_request where id = p_request;
    if r.kind <> 'erasure' then
        raise exception 'request % is a % request, not erasure', p_request, r.kind
            using errcode = 'invalid_parameter_value';
    end if;
    create temp table erase_plan on commit drop as
    select s.record_id, s.annex, s.state, rr.on_request, rr.reading_nl, rr.legal_reference,
           (select string_agg(h.reason, '; ' order by h.id) from privacy.legal_hold h
             where h.subject_id = s.subject_id and h.lifted_at is null
               and (h.annex is null or h.annex = s.annex)) as hold_reason,
           (s.state = 'due' or rr.on_request) as erase
      from privacy.retention_status(p_as_of) s
      join privacy.retention_rule rr on rr.annex = s.annex
     where s.subject_id = r.subject_id and (r.annex is null or s.annex = r.annex);
    -- a legal hold keeps even what could go on request
    update pg_temp.erase_plan set erase = false where hold_reason is not null;
    select array_agg(record_id) into v_ids from pg_temp.erase_plan where erase;
    if v_ids is not null then
        perform privacy.erase_records(v_ids, array[r.subject_id]);
    end if;
    select coalesce(jsonb_agg(jsonb_build_object(
               'annex', x.annex, 'deleted', x.deleted, 'kept', x.kept,
               'why_kept', case when x.kept = 0 then null
                                when x.hold is not null then 'wettelijke bewaarplicht (legal hold): ' || x.hold
                                else x.reading || ' (' || x.ref || ')' end) order by x.annex), '[]'::jsonb)
      into result
      from (select p.annex, count(*) filter (where p.erase) as deleted, count(*) filter (where not p.erase) as kept,
                   max(p.hold_reason) as hold, max(p.reading_nl) as reading, max(p.legal_reference) as ref
              from pg_temp.erase_plan p group by p.annex) x;
    drop table pg_temp.erase_plan;
    return result;
end
$$;
comment on function privacy.erase_subject(bigint, date) is
    'Erasure request: delete what no legal duty keeps; per annex what was deleted and kept, and why.';

-- The access export (art. 13.1; toelichting "Recht van inzage"): the controller, a complete
-- overview of the data across every annex, the purposes, the categories, the recipients and the
-- origin. The admin shell runs it for the controller; it reads every personal-data table.
create or replace function privacy.subject_export(p_subject bigint) returns jsonb
    language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    t record;
    details jsonb := '{}';
    rows jsonb;
    result jsonb;
begin
    if not exists (select from dossier.subject s where s.id = p_subject) then
        raise exception 'no data subject %', p_subject using errcode = 'no_data_found';
    end if;
    for t in select pt.table_name from privacy.personal_table pt where pt.table_name <> 'person_record'
              order by pt.table_name loop
        execute format('select jsonb_agg(to_jsonb(d) order by d.id) from dossier.%I d where d.subject_id = $1',
                       t.table_name) into rows using p_subject;
        if rows is not null then
            details := details || jsonb_build_object(t.table_name, rows);
        end if;
    end loop;
    select jsonb_build_object(
        'subject_id', p_subject,
        'generated_at', now(),
        'controller', (select jsonb_agg(distinct jsonb_build_object(
                                'organisation', a.organisation, 'controller', a.controller,
                                'visiting_address', a.visiting_address, 'postal_address', a.postal_address))
                         from privacy.processing_activity a
                        where a.code in (select p.annex from dossier.person_record p where p.subject_id = p_subject)),
        'processing', coalesce(jsonb_agg(jsonb_build_object(
                'annex', a.code, 'name_nl', a.name_nl, 'name_en', a.name_en,
                'purposes', (select jsonb_agg(jsonb_build_object('clause', pu.clause, 'nl', pu.text_nl, 'en', pu.text_en)
                                              order by pu.clause) from privacy.purpose pu where pu.activity = a.code),
                'categories', (select jsonb_agg(jsonb_build_object('code', dc.code, 'nl', dc.label_nl, 'en', dc.label_en)
                                                order by dc.code)
                                 from privacy.annex_category ac join privacy.data_category dc on dc.code = ac.category
                                where ac.annex = a.code),
                'recipients', (select jsonb_agg(jsonb_build_object('nl', rc.text_nl, 'en', rc.text_en) order by rc.ordinal)
                                 from privacy.recipient rc where rc.activity = a.code),
                'origin', jsonb_build_object('register_nl', a.source_nl, 'register_en', a.source_en,
                                             'records', (select jsonb_agg(distinct p.source) from dossier.person_record p
                                                          where p.subject_id = p_subject and p.annex = a.code)),
                'retention_nl', a.retention_nl, 'retention_en', a.retention_en,
                'records', (select jsonb_agg(to_jsonb(p) - 'photo'
                                             || jsonb_build_object('photo_supplied', p.photo is not null)
                                             || jsonb_build_object('details', (
                                                    select coalesce(jsonb_object_agg(d.key, d.rows), '{}')
                                                      from (select e.key, jsonb_agg(v.value) as rows
                                                              from jsonb_each(details) e,
                                                                   jsonb_array_elements(e.value) v
                                                             where (v.value->>'record_id')::bigint = p.id
                                                               and v.value->>'annex' = p.annex
                                                             group by e.key) d))
                                             order by p.id)
                              from dossier.person_record p where p.subject_id = p_subject and p.annex = a.code)
            ) order by a.code), '[]'::jsonb),
        'requests', (select jsonb_agg(jsonb_build_object('id', q.id, 'kind', q.kind, 'received_on', q.received_on,
                                                         'decision', q.decision, 'closed_on', q.closed_on) order by q.id)
                       from privacy.subject_request q where q.subject_id = p_subject))
      into result
      from privacy.processing_activity a
     where a.code in (select p.annex from dossier.person_record p where p.subject_id = p_subject);
    return result;
end
$$;
comment on function privacy.subject_export(bigint) is
    'Everything art. 13 lists about one subject, as JSON (controller, data per annex, purposes, categories, recipients, origin).';

delete from privacy.object_audience where defined_in = '1410_requests';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in) values
    -- it keeps the restricted flags (db/functions/1420_restricted.sql)
    ('privacy', 'restriction', 'dossier_retention', 'SELECT', '1410_requests'),
    ('privacy', 'personal_table', 'dossier_retention', 'SELECT', '1410_requests'),
    ('privacy', 'erase_subject(bigint, date)', 'dossier_retention', 'EXECUTE', '1410_requests'),
    ('privacy', 'subject_request', 'dossier_retention', 'SELECT', '1410_requests');
-- the privacy officer keeps the requests (contract §3: "requests")
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', o, 'privacy_officer', p, '1410_requests'
  from unnest(array['subject_request', 'request_suspension', 'restriction']) o,
       unnest(array['SELECT', 'INSERT', 'UPDATE']) p;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', f, 'privacy_officer', 'EXECUTE', '1410_requests'
  from unnest(array['request_state(date)', 'open_request(bigint, text, text, date, boolean, text)',
                    'verify_request(bigint, date)', 'close_request(bigint, text, text, date, jsonb)',
                    'lift_restriction(bigint, text)', 'lift_restrictions_of(bigint, text)']) f;
