-- Management information (Bijlage 7 "managementinformatiesysteem"; toelichting art. 5: absence
-- percentages and average duration of sick leave). Aggregates only, never a row about a person:
--   * a cell describing fewer than k persons (privacy.setting mis_k, default 5) is suppressed;
--   * secondary suppression: when a parent has suppressed children whose persons could be
--     recovered by subtracting the visible siblings from the parent (one suppressed child, or
--     suppressed children with fewer than k persons together), the smallest visible sibling is
--     suppressed too;
--   * rows only for the organisations in which the caller holds a role with MIS access.
-- The views are owned by dossier_mis (which reads the tables through its own row policy), not
-- security_invoker: finance and audit roles read these views and nothing else.

drop view if exists mis.staff_by_unit, mis.age_bands, mis.training_by_department;

create view mis.staff_by_unit as
with active as (   -- one row per person with a current annex 2 record
    select r.subject_id, r.org_id, r.unit_id, u.path, r.birth_date,
           coalesce((select sum(e.fte) from dossier.employment e
                      where e.record_id = r.id and e.annex = 'A2'
                        and (e.ended_on_job is null or e.ended_on_job >= current_date)), 0) as fte
      from dossier.person_record r join dossier.org_unit u on u.id = r.unit_id
     where r.annex = 'A2' and (r.ended_on is null or r.ended_on >= current_date)
       and r.org_id = any (privacy.my_mis_orgs())
),
absence_year as (  -- absence in the last 365 days, per person
    select a.subject_id,
           sum((least(coalesce(a.last_day, current_date), current_date)
                - greatest(a.first_day, current_date - 365) + 1) * a.percentage / 100.0) as days_weighted,
           count(*) filter (where a.reason_code = 'sickness') as sick_spells,
           sum(coalesce(a.last_day, current_date) - a.first_day + 1)
               filter (where a.reason_code = 'sickness') as sick_days
      from dossier.absence a
     where a.first_day <= current_date and coalesce(a.last_day, current_date) >= current_date - 365
       and a.org_id = any (privacy.my_mis_orgs())
     group by a.subject_id
),
flows as (
    select e.subject_id,
           bool_or(e.started_on > current_date - 365 and e.started_on <= current_date) as joined,
           bool_or(e.ended_on_job > current_date - 365 and e.ended_on_job <= current_date) as left_
      from dossier.employment e
     where e.annex = 'A2' and e.org_id = any (privacy.my_mis_orgs())
     group by e.subject_id
),
per_unit as (      -- every unit aggregates its whole subtree (each person counted at each ancestor)
    select anc.id::bigint as unit_id, count(distinct p.subject_id) as headcount, sum(p.fte) as fte,
           sum(coalesce(ay.days_weighted, 0)) as absent_days, sum(coalesce(ay.sick_spells, 0)) as sick_spells,
           sum(coalesce(ay.sick_days, 0)) as sick_days,
           count(*) filter (where f.joined) as inflow, count(*) filter (where f.left_) as outflow
      from active p
      cross join lateral unnest(string_to_array(trim(both '/' from p.path), '/')) as anc(id)
      left join absence_year ay on ay.subject_id = p.subject_id
      left join flows f on f.subject_id = p.subject_id
     group by anc.id
),
marked as (
    select u.id, u.code, u.name, u.kind, u.parent_id, u.org_id, pu.*,
           pu.headcount < privacy.mis_k() as primary_suppressed,
           count(*) filter (where pu.headcount < privacy.mis_k()) over w as n_suppressed,
           coalesce(sum(pu.headcount) filter (where pu.headcount < privacy.mis_k()) over w, 0) as n_persons_suppressed,
           row_number() over (partition by u.parent_id, pu.headcount < privacy.mis_k()
                              order by pu.headcount, u.id) as rank_in_group
      from per_unit pu join dossier.org_unit u on u.id = pu.unit_id
    window w as (partition by u.parent_id)
),
final as (
    select m.*, m.primary_suppressed
             or (not m.primary_suppressed and m.rank_in_group = 1 and m.n_suppressed > 0
                 and (m.n_suppressed = 1 or m.n_persons_suppressed < privacy.mis_k())) as suppressed
      from marked m
)
select o.code as org_code, f.code as unit_code, f.name as unit_name, f.kind as unit_kind,
       p.code as parent_code, f.suppressed,
       case when not f.suppressed then f.headcount end as headcount,
       case when not f.suppressed then round(f.fte, 1) end as fte,
       case when not f.suppressed then round(100 * f.absent_days / (f.headcount * 365.0), 2) end as absence_pct,
       case when not f.suppressed and f.sick_spells > 0 then round(f.sick_days / f.sick_spells::numeric, 1) end
           as avg_sick_leave_days,
       case when not f.suppressed then round(f.sick_spells / f.headcount::numeric, 2) end as absence_frequency,
       case when not f.suppressed then f.inflow end as inflow_12m,
       case when not f.suppressed then f.outflow end as outflow_12m
  from final f
  join dossier.org_unit o on o.id = f.org_id
  left join dossier.org_unit p on p.id = f.parent_id;
comment on view mis.staff_by_unit is
    'Per unit (its whole subtree): headcount, FTE, absence %, average sick-leave duration, absence '
    'frequency, in- and outflow over 12 months. Cells under k persons suppressed, with secondary suppression.';

create view mis.age_bands as
with persons as (
    select distinct on (r.subject_id) r.subject_id, r.org_id,
           case when age(current_date, r.birth_date) < interval '25 years' then '<25'
                when age(current_date, r.birth_date) < interval '35 years' then '25-34'
                when age(current_date, r.birth_date) < interval '45 years' then '35-44'
                when age(current_date, r.birth_date) < interval '55 years' then '45-54'
                else '55+' end as band
      from dossier.person_record r
     where r.annex = 'A2' and r.birth_date is not null and (r.ended_on is null or r.ended_on >= current_date)
       and r.org_id = any (privacy.my_mis_orgs())
),
counted as (
    select org_id, band, count(*) as headcount from persons group by org_id, band
),
marked as (
    select c.*, c.headcount < privacy.mis_k() as primary_suppressed,
           count(*) filter (where c.headcount < privacy.mis_k()) over w as n_suppressed,
           coalesce(sum(c.headcount) filter (where c.headcount < privacy.mis_k()) over w, 0) as n_persons_suppressed,
           row_number() over (partition by c.org_id, c.headcount < privacy.mis_k() order by c.headcount, c.band) as rank_in_group
      from counted c
    window w as (partition by c.org_id)
)
select o.code as org_code, m.band,
       m.primary_suppressed or (not m.primary_suppressed and m.rank_in_group = 1 and m.n_suppressed > 0
                                and (m.n_suppressed = 1 or m.n_persons_suppressed < privacy.mis_k())) as suppressed,
       case when not (m.primary_suppressed or (m.rank_in_group = 1 and m.n_suppressed > 0
                      and (m.n_suppressed = 1 or m.n_persons_suppressed < privacy.mis_k())))
            then m.headcount end as headcount
  from marked m join dossier.org_unit o on o.id = m.org_id;
comment on view mis.age_bands is 'Current staff per age band per organisation; bands under k suppressed.';

create view mis.training_by_department as
with per_dept as (
    select ca.org_id, ca.charged_unit_id as unit_id, count(distinct ca.subject_id) as participants,
           count(distinct en.id) as enrolments,
           count(distinct en.id) filter (where en.status = 'completed') as completions,
           sum(ca.amount) as cost
      from dossier.cost_allocation ca
      join dossier.enrolment en on en.id = ca.enrolment_id
     where ca.org_id = any (privacy.my_mis_orgs())
     group by ca.org_id, ca.charged_unit_id
)
select o.code as org_code, u.code as department_code, u.name as department,
       d.participants < privacy.mis_k() as suppressed,
       case when d.participants >= privacy.mis_k() then d.participants end as participants,
       case when d.participants >= privacy.mis_k() then d.enrolments end as enrolments,
       case when d.participants >= privacy.mis_k() then d.completions end as completions,
       case when d.participants >= privacy.mis_k() then round(100.0 * d.completions / d.enrolments, 1) end
           as completion_pct,
       case when d.participants >= privacy.mis_k() then d.cost end as cost
  from per_dept d
  join dossier.org_unit u on u.id = d.unit_id
  join dossier.org_unit o on o.id = d.org_id;
comment on view mis.training_by_department is
    'M895 doel 4, 6: training completion and costs per department; departments under k participants suppressed.';

alter view mis.staff_by_unit owner to dossier_mis;
alter view mis.age_bands owner to dossier_mis;
alter view mis.training_by_department owner to dossier_mis;

delete from privacy.object_audience where defined_in = '1200_mis';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'mis', v, '@mis', 'SELECT', '1200_mis'
  from unnest(array['staff_by_unit', 'age_bands', 'training_by_department']) v;
-- what dossier_mis reads to aggregate (its row policy is select_dossier_mis on these tables)
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'dossier', t, 'dossier_mis', 'SELECT', '1200_mis'
  from unnest(array['person_record', 'employment', 'absence', 'enrolment', 'cost_allocation', 'org_unit']) t;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
values ('privacy', 'my_mis_orgs()', 'dossier_mis', 'EXECUTE', '1200_mis'),
       ('privacy', 'mis_k()', 'dossier_mis', 'EXECUTE', '1200_mis');
