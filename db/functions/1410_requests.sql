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

-- The registers are written only through the functions below (issue 19.2, 14.6;
-- db/schema/V1720__request_registers.sql). Each checks the state transition, the caller's scope
-- (a superuser, or a privacy_officer of the subject's organisation by the grants register,
-- privacy.my_org, privacy.assert_request_scope) and takes who and when from the session
-- (session_user, now(), privacy.scope_day(): the organisation's day, not the session's zone): no caller supplies an opener, a closer, a decision date, a
-- suspension or an erasure outcome. The privacy officer holds EXECUTE on them and no
-- INSERT/UPDATE on the registers. SECURITY DEFINER, owned by dossier_owner (the registers'
-- owner); what they need from the dossier itself runs as dossier_retention
-- (db/functions/1415_request_writes.sql).

drop function if exists privacy.close_request(bigint, text, text, date, jsonb);
drop function if exists privacy.verify_request(bigint, date);

-- SECURITY DEFINER: writes the request registers, which no application role may write (issue 19.2).
create or replace function privacy.open_request(p_subject bigint, p_kind text, p_annex text, p_received date,
                                                p_identity_verified boolean, p_details text)
    returns bigint
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    v_id bigint;
    v_received date := coalesce(p_received, privacy.scope_day());
begin
    if v_received > privacy.scope_day() then
        raise exception 'received_on % is in the future', v_received using errcode = 'invalid_parameter_value';
    end if;
    -- the officer's organisation first: a subject of another organisation, and one that does not
    -- exist, get the same answer (found by an independent attack)
    perform privacy.assert_request_scope(p_subject);
    if privacy.subject_record_count(p_subject, p_annex, false) = 0 then
        raise exception 'no data subject % with a record%', p_subject, coalesce(' in ' || p_annex, '')
            using errcode = 'no_data_found';
    end if;
    -- art. 13.6: an objection concerns only processing on public task or legitimate interest
    if p_kind = 'objection' and privacy.subject_record_count(p_subject, p_annex, true) = 0 then
        raise exception 'objection refused: art. 13.6 covers only processing on public task or legitimate interest (art. 7 e, f); subject % has no record on those grounds%',
            p_subject, coalesce(' in ' || p_annex, '') using errcode = 'check_violation';
    end if;
    insert into privacy.subject_request (subject_id, kind, annex, received_on, details)
    values (p_subject, p_kind, p_annex, v_received, p_details)
    returning id into v_id;
    if not coalesce(p_identity_verified, false) then
        insert into privacy.request_suspension (request_id, from_date, reason)
        values (v_id, v_received, 'identiteit nog niet vastgesteld; nadere gegevens gevraagd (art. 13.2)');
    end if;
    if p_kind in ('objection', 'restriction') then
        insert into privacy.restriction (subject_id, annex, request_id, kind) values (p_subject, p_annex, v_id, p_kind);
    end if;
    return v_id;
end
$$;
comment on function privacy.open_request(bigint, text, text, date, boolean, text) is
    'Register a request (art. 13); unverified identity suspends its term (13.2); objection/restriction restrict at once.';

-- The request, locked, after the scope check; refused when closed.
-- SECURITY DEFINER: locks a row of the request register, which no application role may update.
create or replace function privacy.request_for_update(p_request bigint) returns privacy.subject_request
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    r privacy.subject_request;
begin
    select * into r from privacy.subject_request where id = p_request for update;
    if not found then
        raise exception 'no request %', p_request using errcode = 'no_data_found';
    end if;
    perform privacy.assert_request_scope(r.subject_id);
    if r.closed_on is not null then
        raise exception 'request % was closed on %', p_request, r.closed_on using errcode = 'object_not_in_prerequisite_state';
    end if;
    return r;
end
$$;
comment on function privacy.request_for_update(bigint) is 'An open request, locked, that the caller may handle.';

-- Art. 13.2: the proof of identity arrived today; the term runs again.
-- SECURITY DEFINER: writes the request registers, which no application role may write (issue 19.2).
create or replace function privacy.verify_request(p_request bigint) returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
begin
    perform privacy.request_for_update(p_request);
    update privacy.request_suspension set until_date = privacy.scope_day(), lifted_by = session_user, lifted_at = now()
     where request_id = p_request and until_date is null;
    if not found then
        raise exception 'request % is not waiting for identity verification', p_request
            using errcode = 'no_data_found';
    end if;
end
$$;
comment on function privacy.verify_request(bigint) is 'Record that the requester''s identity is established today (art. 13.2).';

-- Lift what a request restricted (none in force: 0).
-- SECURITY DEFINER: writes the request registers, which no application role may write (issue 19.2).
create or replace function privacy.lift_restrictions_of(p_request bigint, p_reason text) returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
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
comment on function privacy.lift_restrictions_of(bigint, text) is 'Lift the restrictions of a request (internal).';

-- SECURITY DEFINER: writes the request registers, which no application role may write (issue 19.2).
create or replace function privacy.lift_restriction(p_request bigint, p_reason text) returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    v_subject bigint;
    n integer;
begin
    select q.subject_id into v_subject from privacy.subject_request q where q.id = p_request;
    if not found then
        raise exception 'no request %', p_request using errcode = 'no_data_found';
    end if;
    perform privacy.assert_request_scope(v_subject);
    if p_reason is null or length(btrim(p_reason)) = 0 then
        raise exception 'lifting a restriction needs a reason' using errcode = 'invalid_parameter_value';
    end if;
    n := privacy.lift_restrictions_of(p_request, p_reason);
    if n = 0 then
        raise exception 'request % has no restriction in force', p_request using errcode = 'no_data_found';
    end if;
    return n;
end
$$;
comment on function privacy.lift_restriction(bigint, text) is 'Lift the restriction an objection or restriction request placed.';

-- Decide and close (a besluit, art. 13.7), today, as the session's login. A granted erasure is
-- carried out here (its outcome is computed, never given); a granted rectification records the
-- correction carried out and to whom it was passed on (art. 13.5; AVG art. 19); a granted
-- objection ends the processing (art. 13.6); a refused objection or restriction lifts its
-- restriction. Returns the erasure's outcome (else null).
-- SECURITY DEFINER: writes the request registers, which no application role may write (issue 19.2).
create or replace function privacy.close_request(p_request bigint, p_decision text, p_reason text,
                                                 p_erase text[] default null, p_correction text default null,
                                                 p_passed_on text[] default null)
    returns jsonb
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    r privacy.subject_request := privacy.request_for_update(p_request);
    v_outcome jsonb;
    v_granted boolean := p_decision in ('granted', 'partly_granted');
begin
    if p_decision is null or p_decision not in ('granted', 'partly_granted', 'refused') then
        raise exception 'decision must be granted, partly_granted or refused, not %', p_decision
            using errcode = 'invalid_parameter_value';
    elsif p_reason is null or length(btrim(p_reason)) = 0 then
        raise exception 'a decision needs its reasons (art. 13.7)' using errcode = 'invalid_parameter_value';
    elsif p_erase is not null and (r.kind <> 'erasure' or not v_granted) then
        raise exception 'request %: only a granted erasure erases', p_request using errcode = 'invalid_parameter_value';
    elsif (p_correction is not null or p_passed_on is not null) and r.kind <> 'rectification' then
        raise exception 'request %: a correction belongs to a rectification, not to a % request', p_request, r.kind
            using errcode = 'invalid_parameter_value';
    elsif r.kind = 'rectification' and v_granted
          and (p_correction is null or length(btrim(p_correction)) = 0 or p_passed_on is null) then
        raise exception 'request %: a granted rectification records the correction carried out and to whom it was passed on (art. 13.5; AVG art. 19)',
            p_request using errcode = 'invalid_parameter_value';
    end if;
    update privacy.request_suspension
       set until_date = greatest(from_date, privacy.scope_day()), lifted_by = session_user, lifted_at = now()
     where request_id = p_request and until_date is null;
    if r.kind = 'erasure' and v_granted then
        v_outcome := privacy.erase_subject(p_request, privacy.scope_day(), p_erase);
    end if;
    update privacy.subject_request
       set decision = p_decision, decision_reason = p_reason, closed_on = privacy.scope_day(), closed_at = now(),
           closed_by = session_user, outcome = v_outcome, correction = p_correction, passed_on_to = p_passed_on
     where id = p_request;
    if r.kind in ('objection', 'restriction') and not v_granted then
        perform privacy.lift_restrictions_of(p_request, format('verzoek %s afgewezen: %s', p_request, p_reason));
    elsif r.kind = 'objection' then
        update privacy.restriction set processing_ended_at = now(), processing_ended_by = session_user
         where request_id = p_request and lifted_at is null;
    end if;
    return v_outcome;
end
$$;
comment on function privacy.close_request(bigint, text, text, text[], text, text[]) is
    'Decide a request today (art. 13.7): erasure carried out, rectification recorded, objection ends the processing.';

-- Complaints (art. 16): recorded with their terms; answered and referred today, by the session.
-- SECURITY DEFINER: writes the request registers, which no application role may write (issue 19.2).
create or replace function privacy.open_complaint(p_subject bigint, p_found_on date, p_received_on date, p_summary text)
    returns bigint
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    v_id bigint;
    v_received date := coalesce(p_received_on, privacy.scope_day());
begin
    if p_found_on is null or p_found_on > v_received or v_received > privacy.scope_day() then
        raise exception 'complaint: found_on % must be on or before received_on %, which is not in the future',
            p_found_on, v_received using errcode = 'invalid_parameter_value';
    end if;
    perform privacy.assert_request_scope(p_subject);
    insert into privacy.complaint (subject_id, found_on, received_on, summary)
    values (p_subject, p_found_on, v_received, p_summary) returning id into v_id;
    return v_id;
end
$$;
comment on function privacy.open_complaint(bigint, date, date, text) is 'Record a complaint (art. 16.1) with the day the fact was found.';

-- SECURITY DEFINER: writes the request registers, which no application role may write (issue 19.2).
create or replace function privacy.answer_complaint(p_complaint bigint, p_answer text) returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    c privacy.complaint;
begin
    select * into c from privacy.complaint where id = p_complaint for update;
    if not found then
        raise exception 'no complaint %', p_complaint using errcode = 'no_data_found';
    end if;
    perform privacy.assert_request_scope(c.subject_id);
    if c.answered_on is not null then
        raise exception 'complaint % was answered on %', p_complaint, c.answered_on
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    update privacy.complaint set answered_on = privacy.scope_day(), answer = p_answer, answered_by = session_user,
                                 answered_at = now()
     where id = p_complaint;
end
$$;
comment on function privacy.answer_complaint(bigint, text) is 'The controller''s answer to a complaint, today (art. 16.1); starts the two weeks of 16.2.';

-- SECURITY DEFINER: writes the request registers, which no application role may write (issue 19.2).
create or replace function privacy.refer_complaint(p_complaint bigint) returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    c privacy.complaint;
begin
    select * into c from privacy.complaint where id = p_complaint for update;
    if not found then
        raise exception 'no complaint %', p_complaint using errcode = 'no_data_found';
    end if;
    perform privacy.assert_request_scope(c.subject_id);
    if c.answered_on is null or c.committee_on is not null then
        raise exception 'complaint %: only an answered complaint goes to the committee, once', p_complaint
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    update privacy.complaint set committee_on = privacy.scope_day() where id = p_complaint;
end
$$;
comment on function privacy.refer_complaint(bigint) is 'The subject went to the complaints committee today (art. 16.2).';


-- Complaints with their terms (art. 16.1: a month from the finding; 16.2: two weeks from the answer).
create or replace view privacy.complaint_state as
select c.id, c.subject_id, c.found_on, c.received_on, (c.found_on + interval '1 month')::date as complain_by,
       c.received_on <= (c.found_on + interval '1 month')::date as in_time,
       c.answered_on, c.answered_by, (c.answered_on + 14) as committee_by, c.committee_on,
       c.committee_on <= c.answered_on + 14 as committee_in_time
  from privacy.complaint c;
comment on view privacy.complaint_state is
    'Complaints (004 art. 16) with their terms: a month from the finding, two weeks from the answer.';

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
        -- the organisation's own controller (privacy.controller_of, db/functions/1900_letter.sql)
        'controller', (select jsonb_agg(distinct jsonb_build_object(
                                'organisation', c.organisation, 'controller', c.controller,
                                'visiting_address', c.visiting_address, 'postal_address', c.postal_address))
                         from dossier.person_record p
                        cross join lateral privacy.controller_of(p.org_id, p.annex) c
                        where p.subject_id = p_subject),
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
    -- it keeps the restricted flags (db/functions/1420_restricted.sql) and erases (1415)
    ('privacy', 'restriction', 'dossier_retention', 'SELECT', '1410_requests'),
    ('privacy', 'personal_table', 'dossier_retention', 'SELECT', '1410_requests'),
    ('privacy', 'legal_basis', 'dossier_retention', 'SELECT', '1410_requests'),
    ('privacy', 'erasure_duty', 'dossier_retention', 'SELECT', '1410_requests'),
    ('privacy', 'subject_request', 'dossier_retention', 'SELECT', '1410_requests'),
    -- the request functions (owned by dossier_owner) call its helpers (1415_request_writes.sql)
    ('privacy', 'assert_request_scope(bigint)', 'dossier_owner', 'EXECUTE', '1410_requests'),
    ('privacy', 'subject_record_count(bigint, text, boolean)', 'dossier_owner', 'EXECUTE', '1410_requests'),
    ('privacy', 'erase_subject(bigint, date, text[])', 'dossier_owner', 'EXECUTE', '1410_requests');
-- the privacy officer reads the requests and handles them through those functions only (issue 19.2)
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', o, 'privacy_officer', 'SELECT', '1410_requests'
  from unnest(array['subject_request', 'request_suspension', 'restriction', 'complaint', 'complaint_state',
                    'erasure_duty']) o;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', f, 'privacy_officer', 'EXECUTE', '1410_requests'
  from unnest(array['request_state(date)', 'open_request(bigint, text, text, date, boolean, text)',
                    'verify_request(bigint)', 'close_request(bigint, text, text, text[], text, text[])',
                    'lift_restriction(bigint, text)', 'open_complaint(bigint, date, date, text)',
                    'answer_complaint(bigint, text)', 'refer_complaint(bigint)']) f;
