-- Retention (db/schema/V1400__retention.sql): which records are due on a date, the nightly job
-- (privacy.run_retention, scheduled by db/policies/1900_cron.sql as dossier_cron, a login of
-- dossier_retention), its statistics exception and its audit redaction.
--
-- The job works in batches, each one transaction: keep the statistics, delete the records (their
-- details go by cascade through dossier.record_key), redact their audit payloads, add the counts
-- to privacy.retention_log. A run killed half-way leaves whole batches done and nothing half
-- deleted; the next run recomputes what is due and completes.

-- The retention clock each record's facts give it (db/schema/V1700__retention_clocks.sql, issue
-- 16.1), for the records of some subjects (null: every record). One open fact stops the clock.
--
-- PL/pgSQL for its plans: RETURN QUERY is planned with p_subjects known, so the branch not taken
-- drops out and a trigger's subjects are planned as the records they are (one subject: its index;
-- a bulk load's: one hash join). A SQL function is planned blind, both branches together, as if
-- for every record: that estimate sent each call of privacy.sync_clocks() (a single-row UPDATE
-- included) through JIT compilation, over a second a statement. No JIT at all: the work is
-- lookups per record, which the compiling (a second or more a call) does not repay; as the
-- importer's bulk statements (1300_import.sql). An A3 record reads the clock of its subject's A2
-- records from one grouping (a2), not from a scan of all the statement's records each (quadratic
-- in a bulk load of payroll records).
create or replace function privacy.record_clock(p_subjects bigint[])
    returns table (record_id bigint, annex text, subject_id bigint, ended_on date)
    language plpgsql stable security invoker
    set search_path = pg_catalog, pg_temp set jit = off
as $$
begin
    -- each subject once, so the planner sees how many there are (a distinct over unnest it guesses)
    if p_subjects is not null then
        p_subjects := array(select distinct u.s from unnest(p_subjects) u(s));
    end if;
    return query
    with rec as materialized (
        select p.id, p.annex, p.subject_id, p.org_id, p.collected_on
          from dossier.person_record p
         where p_subjects is null
        union all
        select p.id, p.annex, p.subject_id, p.org_id, p.collected_on
          from unnest(p_subjects) u(id)
          join dossier.person_record p on p.subject_id = u.id
         where p_subjects is not null
    ),
    own as materialized (
        select r.id, r.annex, r.subject_id, r.org_id, case r.annex
            -- Bijlage 1 lid 3, art. 14b: the end of the application procedure
            when 'A1' then (select case when bool_and(a.procedure_ended_on is not null) then max(a.procedure_ended_on) end
                              from dossier.application a where a.record_id = r.id and a.annex = r.annex)
            -- art. 14a (reading, V1400): the end of the benefit
            when 'A4' then (select case when bool_and(b.ends_on is not null) then max(b.ends_on) end
                              from dossier.severance_benefit b where b.record_id = r.id and b.annex = r.annex)
            -- art. 14a "pensioneringsvraagstukken": the end of the pension matter
            when 'A5' then (select case when bool_and(e.settled_on is not null) then max(e.settled_on) end
                              from dossier.pension_entitlement e where e.record_id = r.id and e.annex = r.annex)
            -- art. 14c: the payouts' dates (each payout has its own term, privacy.retention_detail_status)
            when 'A6' then coalesce((select max(x.paid_on) from dossier.payout x
                                      where x.record_id = r.id and x.annex = r.annex), r.collected_on)
            when 'A3' then null
            -- art. 14a; 000 "na uitdiensttreding"; art. 15.3b: the end of the employment(s)
            else (select case when bool_and(e.ended_on_job is not null) then max(e.ended_on_job) end
                    from dossier.employment e where e.record_id = r.id and e.annex = r.annex)
        end::date as ended_on
          from rec r
    ),
    -- art. 14a: payroll ends with the employment it pays (the subject's A2 records in the organisation)
    a2 as (
        select a.subject_id, a.org_id,
               case when bool_and(a.ended_on is not null) then max(a.ended_on) end as ended_on
          from own a
         where a.annex = 'A2'
         group by a.subject_id, a.org_id
    )
    select o.id, o.annex, o.subject_id,
           case when o.annex <> 'A3' then o.ended_on
                when a2.subject_id is not null then a2.ended_on
                -- no personnel record: the end of the last month paid
                else (select (date_trunc('month', max(s.period)) + interval '1 month' - interval '1 day')::date
                        from dossier.salary s where s.record_id = o.id and s.annex = 'A3')
           end
      from own o
      left join a2 on a2.subject_id = o.subject_id and a2.org_id = o.org_id;
end
$$;
comment on function privacy.record_clock(bigint[]) is
    'The retention clock (ended_on) each record''s facts give it (004 art. 14; 000): procedure, employment, benefit, pension matter, payouts.';

-- Records whose ended_on differs from what their facts say (none, unless written past the
-- triggers, e.g. a superuser bulk load under session_replication_role = replica).
create or replace function privacy.clock_drift()
    returns table (record_id bigint, annex text, ended_on date, derived date)
    language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
    select p.id, p.annex, p.ended_on, c.ended_on
      from privacy.record_clock(null) c
      join dossier.person_record p on p.id = c.record_id and p.annex = c.annex
     where p.ended_on is distinct from c.ended_on
     order by p.id
$$;
comment on function privacy.clock_drift() is
    'Records whose retention clock (ended_on) is not the one their facts give (privacy.record_clock); none means in step.';

-- Detail rows with a term of their own: each A6 payout, seven years after its date (art. 14c),
-- kept by a legal hold; payouts of a record that is itself due go with the record.
create or replace function privacy.retention_detail_status(p_as_of date)
    returns table (table_name name, row_id bigint, record_id bigint, annex text, subject_id bigint, rule text,
                   due_on date, state text)
    language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
    select 'payout'::name, x.id, x.record_id, x.annex, x.subject_id, rr.rule, (x.paid_on + rr.period)::date,
           case when (x.paid_on + rr.period)::date > p_as_of then 'not_due'
                when exists (select from privacy.legal_hold h where h.lifted_at is null and h.subject_id = x.subject_id
                                                               and (h.annex is null or h.annex = x.annex)) then 'kept_hold'
                else 'due' end
      from dossier.payout x
      join privacy.retention_rule rr on rr.annex = x.annex
$$;
comment on function privacy.retention_detail_status(date) is
    'Detail rows with a retention term of their own (A6 payouts, art. 14c) and their state on a date.';

-- Every record with its rule, due date and what happens to it on p_as_of:
-- not_due, due, kept_hold (a legal hold), kept_pension (A2/A3 while an A5 pension matter runs).
create or replace function privacy.retention_status(p_as_of date)
    returns table (record_id bigint, annex text, subject_id bigint, org_id bigint, rule text, due_on date,
                   state text)
    language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
    with r as (
        select p.id, p.annex, p.subject_id, p.org_id, rr.rule, rr.pension_exception,
               case when rr.on_death and p.deceased_on is not null then p.deceased_on
                    when p.ended_on is null or rr.period is null then null
                    when p.retention_consent and rr.consent_period is not null
                    then (p.ended_on + rr.consent_period)::date
                    else (p.ended_on + rr.period)::date end as due_on
          from dossier.person_record p
          join privacy.retention_rule rr on rr.annex = p.annex
    ),
    pension as (   -- subjects with a running pension matter (art. 14a "pensioneringsvraagstukken")
        select distinct a.subject_id
          from dossier.person_record a join privacy.retention_rule q on q.annex = a.annex
         where a.annex = 'A5' and (a.ended_on is null or (a.ended_on + q.period)::date > p_as_of)
    ),
    held as (
        select h.subject_id, h.annex from privacy.legal_hold h where h.lifted_at is null
    )
    select r.id, r.annex, r.subject_id, r.org_id, r.rule, r.due_on,
           case when r.due_on is null or r.due_on > p_as_of then 'not_due'
                when exists (select from held h where h.subject_id = r.subject_id
                                                  and (h.annex is null or h.annex = r.annex)) then 'kept_hold'
                when r.pension_exception and r.subject_id in (select subject_id from pension) then 'kept_pension'
                else 'due' end
      from r
$$;
comment on function privacy.retention_status(date) is
    'Each record''s retention rule, due date and state on a date (004 art. 14, 15.5; 000).';

-- What the rules do on a date, per annex and rule (dossier retention plan / run --dry-run):
-- records due, kept, and what falls due next; details_due: detail rows past their own term (A6
-- payouts) in records that stay.
drop function if exists privacy.retention_plan(date);
create function privacy.retention_plan(p_as_of date)
    returns table (annex text, rule text, due integer, kept_hold integer, kept_pension integer,
                   next_due_on date, due_within_a_year integer, details_due integer)
    language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
    with s as (select * from privacy.retention_status(p_as_of)),
    d as (select x.* from privacy.retention_detail_status(p_as_of) x
           where not exists (select from s where s.record_id = x.record_id and s.annex = x.annex
                                              and s.state = 'due'))
    select rr.annex, rr.rule,
           (select count(*) from s where s.annex = rr.annex and s.state = 'due')::integer,
           (select count(*) from s where s.annex = rr.annex and s.state = 'kept_hold')::integer,
           (select count(*) from s where s.annex = rr.annex and s.state = 'kept_pension')::integer,
           (select min(s.due_on) from s where s.annex = rr.annex and s.due_on > p_as_of),
           (select count(*) from s where s.annex = rr.annex and s.due_on > p_as_of
                                    and s.due_on <= p_as_of + 365)::integer,
           (select count(*) from d where d.annex = rr.annex and d.state = 'due')::integer
      from privacy.retention_rule rr
     order by rr.annex
$$;
comment on function privacy.retention_plan(date) is
    'Per annex: records due, kept by a hold or pension matter, next due, and detail rows (A6 payouts) past their own term.';

-- The statistics exception (000 M895: "gebruik van persoonsgegevens voor statistische
-- toepassingen, niet-herleidbaarheid hierbij het uitgangspunt"): counts per organisation, year of
-- leaving, age band and gender, stored only where a cell holds at least k persons (issue 13 item
-- 3): a smaller cell is folded into its organisation's year ('*' band and gender), that into the
-- organisation's all-years cell (year 0), and what stays under k even there is not kept, since a
-- count of fewer than k leavers cannot be untraceable. The stored cells partition the persons
-- counted, so none can be derived from the others by subtraction. SECURITY DEFINER, owned by
-- dossier_mis: it reads the records through dossier_mis's policy; dossier_retention may only call it.
drop function if exists mis.keep_training_statistics(bigint[]);
create function mis.keep_training_statistics(p_records bigint[]) returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    n integer;
    v_k integer := privacy.mis_k();
begin
    insert into mis.training_history as h (org_id, year_left, age_band, gender, persons, enrolments, completed)
    select r.org_id, extract(year from coalesce(r.ended_on, r.deceased_on, current_date))::integer,
           case when r.birth_date is null then 'onbekend'
                when age(coalesce(r.ended_on, current_date), r.birth_date) < interval '25 years' then '<25'
                when age(coalesce(r.ended_on, current_date), r.birth_date) < interval '35 years' then '25-34'
                when age(coalesce(r.ended_on, current_date), r.birth_date) < interval '45 years' then '35-44'
                when age(coalesce(r.ended_on, current_date), r.birth_date) < interval '55 years' then '45-54'
                else '55+' end,
           coalesce(r.gender, '?'), count(distinct r.subject_id),
           count(e.id), count(e.id) filter (where e.status = 'completed')
      from dossier.person_record r
      left join dossier.enrolment e on e.record_id = r.id and e.annex = r.annex
     where r.annex = 'TP' and r.id = any (p_records)
     group by 1, 2, 3, 4
    on conflict (org_id, year_left, age_band, gender) do update
       set persons = h.persons + excluded.persons, enrolments = h.enrolments + excluded.enrolments,
           completed = h.completed + excluded.completed;
    get diagnostics n = row_count;
    -- fold the cells under k: band and gender into the year, then the year into all years
    with small as (
        delete from mis.training_history h
         where h.persons < v_k and h.year_left <> 0 and (h.age_band, h.gender) <> ('*', '*')
        returning h.*)
    insert into mis.training_history as h (org_id, year_left, age_band, gender, persons, enrolments, completed)
    select s.org_id, s.year_left, '*', '*', sum(s.persons), sum(s.enrolments), sum(s.completed)
      from small s group by s.org_id, s.year_left
    on conflict (org_id, year_left, age_band, gender) do update
       set persons = h.persons + excluded.persons, enrolments = h.enrolments + excluded.enrolments,
           completed = h.completed + excluded.completed;
    with small as (
        delete from mis.training_history h
         where h.persons < v_k and h.year_left <> 0 and (h.age_band, h.gender) = ('*', '*')
        returning h.*)
    insert into mis.training_history as h (org_id, year_left, age_band, gender, persons, enrolments, completed)
    select s.org_id, 0, '*', '*', sum(s.persons), sum(s.enrolments), sum(s.completed)
      from small s group by s.org_id
    on conflict (org_id, year_left, age_band, gender) do update
       set persons = h.persons + excluded.persons, enrolments = h.enrolments + excluded.enrolments,
           completed = h.completed + excluded.completed;
    delete from mis.training_history h where h.persons < v_k;
    return n;
end
$$;
alter function mis.keep_training_statistics(bigint[]) owner to dossier_mis;
comment on function mis.keep_training_statistics(bigint[]) is
    'Add the training statistics of records about to be deleted (000), stored only in cells of at least k persons.';

-- Readers of management information see the history of their organisations, through a
-- definer function (dossier_mis) under a security_barrier view: a caller's conditions see only
-- what it returned (issue 13 item 2). Every stored cell already holds k persons or more.
drop view if exists mis.training_history_report;
drop function if exists mis.training_history_rows();
create function mis.training_history_rows()
    returns table (org_code text, year_left integer, age_band text, gender text, persons integer,
                   enrolments integer, completed integer, suppressed boolean)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    -- SECURITY DEFINER (dossier_mis): the statistics table is not readable by the MIS readers.
    select o.code, h.year_left, h.age_band, h.gender,
           case when h.persons >= privacy.mis_k() then h.persons end,
           case when h.persons >= privacy.mis_k() then h.enrolments end,
           case when h.persons >= privacy.mis_k() then h.completed end,
           h.persons < privacy.mis_k()
      from mis.training_history h join dossier.org_unit o on o.id = h.org_id
     where h.org_id = any (privacy.my_mis_orgs())
     order by 1, 2, 3, 4
$$;
alter function mis.training_history_rows() owner to dossier_mis;
comment on function mis.training_history_rows() is
    'SECURITY DEFINER (dossier_mis): the rows of mis.training_history_report for this login.';
create view mis.training_history_report with (security_barrier) as select * from mis.training_history_rows();
comment on view mis.training_history_report is
    'Training-passport statistics kept after deletion (000); year 0 and band/gender * are the folded cells.';
alter view mis.training_history_report owner to dossier_mis;

-- Erase records: delete them (their details go by cascade through dossier.record_key) and null
-- the audit payloads about them, which the deletion itself has just written too. The one place
-- both the retention job and an erasure request erase through.
create or replace function privacy.erase_records(p_records bigint[], p_subjects bigint[],
                                                 out deleted integer, out redacted integer)
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
begin
    delete from dossier.person_record p where p.id = any (p_records);
    get diagnostics deleted = row_count;
    redacted := audit.redact_records(p_subjects, p_records);
end
$$;

-- Start a run: log it, and compute once what is due (pg_temp.retention_due, this session only).
create or replace function privacy.retention_start(p_as_of date) returns bigint
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    v_run bigint;
begin
    insert into privacy.retention_run (as_of) values (p_as_of) returning id into v_run;
    drop table if exists pg_temp.retention_due;
    create temp table retention_due as
    select s.record_id, s.annex, s.subject_id, s.rule, s.state
      from privacy.retention_status(p_as_of) s where s.state <> 'not_due';
    create index on pg_temp.retention_due (annex, record_id) where state = 'due';
    insert into privacy.retention_log (run_id, annex, rule, action, records)
    select v_run, d.annex, d.rule, d.state, count(*)
      from pg_temp.retention_due d where d.state <> 'due' group by d.annex, d.rule, d.state;
    -- detail rows past their own term (A6 payouts) in records that are not deleted whole
    drop table if exists pg_temp.retention_due_detail;
    create temp table retention_due_detail as
    select x.table_name, x.row_id, x.annex, x.subject_id, x.rule, x.state
      from privacy.retention_detail_status(p_as_of) x
     where x.state <> 'not_due'
       and not exists (select from pg_temp.retention_due d where d.record_id = x.record_id and d.annex = x.annex
                                                             and d.state = 'due');
    insert into privacy.retention_log (run_id, annex, rule, action, records)
    select v_run, d.annex, d.rule, 'kept_hold_details', count(*)
      from pg_temp.retention_due_detail d where d.state = 'kept_hold' group by d.annex, d.rule;
    return v_run;
end
$$;

-- One batch: statistics first, then the records (details by cascade), then their audit payloads.
create or replace function privacy.retention_batch(p_run bigint, p_batch integer) returns integer
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    v_annex text;
    v_rule text;
    v_ids bigint[];
    v_subjects bigint[];
    n integer;
    n_redacted integer;
begin
    select d.annex, d.rule into v_annex, v_rule
      from pg_temp.retention_due d where d.state = 'due' order by d.annex, d.record_id limit 1;
    if v_annex is null then
        return privacy.retention_detail_batch(p_run, p_batch);
    end if;
    with b as (
        delete from pg_temp.retention_due d
         where d.state = 'due' and d.annex = v_annex
           and d.record_id in (select x.record_id from pg_temp.retention_due x
                                where x.state = 'due' and x.annex = v_annex order by x.record_id limit p_batch)
        returning d.record_id, d.subject_id)
    select array_agg(b.record_id), array_agg(distinct b.subject_id) into v_ids, v_subjects from b;
    if exists (select from privacy.retention_rule r where r.annex = v_annex and r.keeps_statistics) then
        perform mis.keep_training_statistics(v_ids);
    end if;
    select e.deleted, e.redacted into n, n_redacted from privacy.erase_records(v_ids, v_subjects) e;
    insert into privacy.retention_log as l (run_id, annex, rule, action, records, audit_redacted)
    values (p_run, v_annex, v_rule, 'deleted', n, n_redacted)
    on conflict (run_id, annex, action) do update
       set records = l.records + excluded.records, audit_redacted = l.audit_redacted + excluded.audit_redacted,
           logged_at = clock_timestamp();
    return greatest(n, 1);  -- a batch whose records someone else deleted meanwhile still counts as done
end
$$;

-- One batch of detail rows past their own term (A6 payouts, art. 14c): delete, redact their audit
-- payloads, count. 0 when none is left.
create or replace function privacy.retention_detail_batch(p_run bigint, p_batch integer) returns integer
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
declare
    v_annex text;
    v_rule text;
    v_ids bigint[];
    v_subjects bigint[];
    n integer;
    n_redacted integer;
begin
    select d.annex, d.rule into v_annex, v_rule
      from pg_temp.retention_due_detail d where d.state = 'due' and d.table_name = 'payout' limit 1;
    if v_annex is null then
        return 0;
    end if;
    with b as (
        delete from pg_temp.retention_due_detail d
         where d.state = 'due' and d.table_name = 'payout'
           and d.row_id in (select x.row_id from pg_temp.retention_due_detail x
                             where x.state = 'due' and x.table_name = 'payout' order by x.row_id limit p_batch)
        returning d.row_id, d.subject_id)
    select array_agg(b.row_id), array_agg(distinct b.subject_id) into v_ids, v_subjects from b;
    delete from dossier.payout x where x.id = any (v_ids);
    get diagnostics n = row_count;
    n_redacted := audit.redact_rows('payout', v_subjects, v_ids);
    insert into privacy.retention_log as l (run_id, annex, rule, action, records, audit_redacted)
    values (p_run, v_annex, v_rule, 'deleted_details', n, n_redacted)
    on conflict (run_id, annex, action) do update
       set records = l.records + excluded.records, audit_redacted = l.audit_redacted + excluded.audit_redacted,
           logged_at = clock_timestamp();
    return greatest(n, 1);
end
$$;
comment on function privacy.retention_detail_batch(bigint, integer) is
    'One batch of detail rows past their own term (A6 payouts, art. 14c): delete, redact, count; 0 when none is left.';

-- The audit payloads of deleted detail rows (retention of a row with a term of its own). SECURITY
-- DEFINER: only the owner may update audit.change, and then only to null a payload (its trigger).
create or replace function audit.redact_rows(p_table name, p_subjects bigint[], p_rows bigint[]) returns integer
    language sql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
    -- SECURITY DEFINER: nobody holds UPDATE on audit.change; the one redaction is audit.redact_ids
    select audit.redact_ids(array(select c.id from audit.change c
                                   where c.subject_id = any (p_subjects) and c.table_name = p_table
                                     and c.row_id = any (p_rows) and c.payload is not null))
$$;
comment on function audit.redact_rows(name, bigint[], bigint[]) is
    'Null the audit payloads of deleted detail rows of one table (retention, art. 14c); hashes and metadata stay.';

create or replace function privacy.retention_finish(p_run bigint) returns void
    language plpgsql volatile security invoker set search_path = pg_catalog, pg_temp
as $$
begin
    update privacy.retention_run set status = 'completed', finished_at = clock_timestamp() where id = p_run;
    drop table if exists pg_temp.retention_due, pg_temp.retention_due_detail;
end
$$;

-- The nightly job (pg_cron, as dossier_cron: a login of dossier_retention). No SET clause: a
-- procedure with one cannot COMMIT; every name is qualified and the work is done by the
-- functions above, which pin their search_path.
create or replace procedure privacy.run_retention(p_as_of date default null, p_batch integer default 5000)
    language plpgsql security invoker
as $$
declare
    v_run bigint;
begin
    if p_batch is null or p_batch < 1 then
        raise exception 'batch size must be at least 1, not %', p_batch using errcode = 'invalid_parameter_value';
    end if;
    v_run := privacy.retention_start(coalesce(p_as_of, current_date));
    commit;
    while privacy.retention_batch(v_run, p_batch) > 0 loop
        commit;
    end loop;
    perform privacy.retention_finish(v_run);
    commit;
end
$$;
comment on procedure privacy.run_retention(date, integer) is
    'Delete what the retention rules say is due (art. 14, 15.5; 000), in batches; restartable.';

delete from privacy.object_audience where defined_in = '1400_retention';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', f, 'dossier_retention', 'EXECUTE', '1400_retention'
  from unnest(array['retention_status(date)', 'retention_plan(date)', 'retention_start(date)',
                    'retention_batch(bigint, integer)', 'retention_finish(bigint)',
                    'record_clock(bigint[])', 'retention_detail_status(date)',
                    'retention_detail_batch(bigint, integer)',
                    'erase_records(bigint[], bigint[])',
                    'run_retention(date, integer)']) f;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in) values
    ('audit', 'redact_rows(name, bigint[], bigint[])', 'dossier_retention', 'EXECUTE', '1400_retention'),
    ('mis', 'keep_training_statistics(bigint[])', 'dossier_retention', 'EXECUTE', '1400_retention'),
    ('privacy', 'retention_rule', 'dossier_retention', 'SELECT', '1400_retention'),
    ('privacy', 'legal_hold', 'dossier_retention', 'SELECT', '1400_retention'),
    ('privacy', 'retention_run', 'dossier_retention', 'SELECT', '1400_retention'),
    ('privacy', 'retention_run', 'dossier_retention', 'INSERT', '1400_retention'),
    ('privacy', 'retention_run', 'dossier_retention', 'UPDATE', '1400_retention'),
    ('privacy', 'retention_log', 'dossier_retention', 'SELECT', '1400_retention'),
    ('privacy', 'retention_log', 'dossier_retention', 'INSERT', '1400_retention'),
    ('privacy', 'retention_log', 'dossier_retention', 'UPDATE', '1400_retention'),
    ('mis', 'training_history_report', '@mis', 'SELECT', '1400_retention'),
    -- dossier_mis keeps the history (keep_training_statistics) and reads it (the report view)
    ('mis', 'training_history', 'dossier_mis', 'SELECT', '1400_retention'),
    ('mis', 'training_history', 'dossier_mis', 'INSERT', '1400_retention'),
    ('mis', 'training_history', 'dossier_mis', 'UPDATE', '1400_retention'),
    ('mis', 'training_history', 'dossier_mis', 'DELETE', '1400_retention'),
    ('mis', 'training_history_rows()', '@mis', 'EXECUTE', '1400_retention');
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', t, r, 'SELECT', '1400_retention'
  from unnest(array['retention_rule', 'legal_hold', 'retention_run', 'retention_log']) t,
       unnest(array['privacy_officer', 'dossier_admin']::name[]) r;
