-- Management information (Bijlage 7 "managementinformatiesysteem"; toelichting art. 5: absence
-- percentages and average duration of sick leave). Aggregates only, never a row about a person.
--
-- Each view reads a SECURITY DEFINER function owned by dossier_mis (which reads the tables through
-- its own row policy) and is a security_barrier view over it: a caller's conditions, leaky or not,
-- apply to the rows the function returned, never to the rows it aggregated (issue 13 item 2).
--
-- Scope (Bijlage 7): a school manager's MIS is its own unit subtree; the HR roles, the board and
-- the finance and audit roles read their organisations (privacy.my_mis_units()).
--
-- Suppression (privacy.setting mis_k, default 5), complementary, so that no cell under k persons
-- can be derived by subtraction from the cells shown (issue 13 item 3):
--   * a cell of fewer than k persons is suppressed (primary);
--   * staff_by_unit: a unit aggregates its subtree, so a parent's cell minus its children's cells
--     is the parent's own staff (its "residual"). For every cell that is shown or derivable, the
--     persons of its suppressed children plus its residual must be none or at least k; otherwise
--     the smallest shown child is suppressed too (or, with none left, the parent). A suppressed
--     cell counts as derivable when it is the only unknown part of a known parent, or when all its
--     children are known and it has no residual; derivable cells are checked like shown ones.
--     Repeated until nothing changes (mis.suppress_tree);
--   * a figure of a shown cell that is about fewer than k of its persons (absence %, sick-leave
--     duration and frequency, in- and outflow) is left out: a cell of 7 with one sick person
--     would otherwise show that person's sick leave;
--   * age_bands, training_by_department: cells are a partition of a known total, so the suppressed
--     cells of a group must hold none or at least k persons (the smallest shown cell follows).

drop view if exists mis.staff_by_unit, mis.age_bands, mis.training_by_department;
drop function if exists mis.staff_by_unit_rows(), mis.age_bands_rows(), mis.training_by_department_rows();

-- The units whose management information this login may read today: for a role scoped to units
-- (school_manager) the units of its grant subtrees, for the others every unit of their
-- organisations.
create or replace function privacy.my_mis_units() returns bigint[]
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: the grants register is not readable by the roles it scopes.
declare
    result bigint[];
begin
    select coalesce(array_agg(distinct x.unit_id order by x.unit_id), '{}') into result
      from (select gu.unit_id
              from privacy.my_grant g
              join privacy.app_role r on r.role = g.role and r.mis
              join privacy.grant_unit gu on gu.login = session_user and gu.role = g.role
             where exists (select from privacy.access_rule ar where ar.role = g.role and ar.read_scope = 'unit')
            union
            select u.id
              from privacy.my_grant g
              join privacy.app_role r on r.role = g.role and r.mis
              join dossier.org_unit gu on gu.id = g.unit_id
              join dossier.org_unit u on u.org_id = gu.org_id
             where not exists (select from privacy.access_rule ar where ar.role = g.role and ar.read_scope = 'unit')) x;
    return result;
end
$$;
comment on function privacy.my_mis_units() is
    'Units whose management information this login may read today (Bijlage 7: school managers their own subtree).';

-- Complementary suppression over a unit tree (see the head of this file). p_ids, p_parents and
-- p_counts describe the cells (a parent outside the set is null); returns, per cell, whether it is
-- suppressed.
create or replace function mis.suppress_tree(p_ids bigint[], p_parents bigint[], p_counts bigint[], p_k integer)
    returns boolean[]
    language plpgsql immutable security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    n integer := coalesce(cardinality(p_ids), 0);
    par integer[] := array_fill(0, array[greatest(n, 1)]);
    residual bigint[] := p_counts;
    hidden boolean[] := array_fill(false, array[greatest(n, 1)]);
    known boolean[];
    changed boolean;
    hid boolean;
    i integer;
    c integer;
    best integer;
    s bigint;
    unknown integer;
    last_unknown integer;
    all_known boolean;
    has_children boolean;
begin
    if n = 0 then
        return '{}';
    end if;
    for i in 1..n loop
        par[i] := coalesce(array_position(p_ids, p_parents[i]), 0);
        hidden[i] := p_counts[i] < p_k;
    end loop;
    for i in 1..n loop
        if par[i] > 0 then
            residual[par[i]] := residual[par[i]] - p_counts[i];
        end if;
    end loop;
    loop
        hid := false;
        -- what an observer knows: the shown cells, and what follows from them
        known := array(select not h from unnest(hidden) h);
        loop
            changed := false;
            for i in 1..n loop
                if known[i] then
                    unknown := case when residual[i] > 0 then 1 else 0 end;
                    last_unknown := 0;
                    for c in 1..n loop
                        if par[c] = i and not known[c] and p_counts[c] > 0 then
                            unknown := unknown + 1;
                            last_unknown := c;
                        end if;
                    end loop;
                    if unknown = 1 and last_unknown > 0 then
                        known[last_unknown] := true;
                        changed := true;
                    end if;
                elsif residual[i] = 0 then
                    all_known := true;
                    has_children := false;
                    for c in 1..n loop
                        if par[c] = i then
                            has_children := true;
                            all_known := all_known and known[c];
                        end if;
                    end loop;
                    if has_children and all_known then
                        known[i] := true;
                        changed := true;
                    end if;
                end if;
            end loop;
            exit when not changed;
        end loop;
        -- a known cell whose unknown part holds 1 to k-1 persons gives them away
        for i in 1..n loop
            continue when not known[i];
            s := greatest(residual[i], 0);
            for c in 1..n loop
                if par[c] = i and not known[c] then
                    s := s + p_counts[c];
                end if;
            end loop;
            continue when s = 0 or s >= p_k;
            best := 0;
            for c in 1..n loop
                if par[c] = i and not hidden[c] and (best = 0 or p_counts[c] < p_counts[best]) then
                    best := c;
                end if;
            end loop;
            if best = 0 and not hidden[i] then
                best := i;
            end if;
            if best = 0 and par[i] > 0 then   -- derivable from its parent: hide a sibling, or the parent
                for c in 1..n loop
                    if par[c] = par[i] and c <> i and not hidden[c] and (best = 0 or p_counts[c] < p_counts[best]) then
                        best := c;
                    end if;
                end loop;
                if best = 0 and not hidden[par[i]] then
                    best := par[i];
                end if;
            end if;
            if best = 0 then   -- nothing left to hide that would help: show nothing
                return array_fill(true, array[n]);
            end if;
            hidden[best] := true;
            hid := true;
            exit;
        end loop;
        exit when not hid;
    end loop;
    return hidden[1:n];
end
$$;
comment on function mis.suppress_tree(bigint[], bigint[], bigint[], integer) is
    'Complementary small-cell suppression over a unit tree whose cells aggregate their subtrees.';

-- Suppression over a partition of a known total (age bands of an organisation, departments):
-- primary, then the smallest shown cell of a group while its suppressed cells hold 1 to k-1 persons.
create or replace function mis.suppress_partition(p_groups bigint[], p_counts bigint[], p_k integer)
    returns boolean[]
    language plpgsql immutable security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    n integer := coalesce(cardinality(p_counts), 0);
    hidden boolean[];
    g bigint;
    s bigint;
    best integer;
    i integer;
begin
    if n = 0 then
        return '{}';
    end if;
    hidden := array(select c < p_k from unnest(p_counts) c);
    for g in select distinct x from unnest(p_groups) x loop
        loop
            s := 0;
            best := 0;
            for i in 1..n loop
                continue when p_groups[i] is distinct from g;
                if hidden[i] then
                    s := s + p_counts[i];
                elsif best = 0 or p_counts[i] < p_counts[best] then
                    best := i;
                end if;
            end loop;
            exit when s = 0 or s >= p_k or best = 0;
            hidden[best] := true;
        end loop;
    end loop;
    return hidden;
end
$$;
comment on function mis.suppress_partition(bigint[], bigint[], integer) is
    'Complementary small-cell suppression over groups of cells that partition a known total.';

create function mis.staff_by_unit_rows()
    returns table (org_code text, unit_code text, unit_name text, unit_kind text, parent_code text,
                   suppressed boolean, headcount bigint, fte numeric, absence_pct numeric,
                   avg_sick_leave_days numeric, absence_frequency numeric, inflow_12m bigint, outflow_12m bigint)
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER (dossier_mis): aggregates rows its callers may not read.
declare
    v_units bigint[] := privacy.my_mis_units();
begin
    return query
    with active as (   -- one row per person with a current annex 2 record, in scope
        select r.subject_id, r.org_id, r.unit_id, u.path,
               coalesce((select sum(e.fte) from dossier.employment e
                          where e.record_id = r.id and e.annex = 'A2'
                            and (e.ended_on_job is null or e.ended_on_job >= current_date)), 0) as fte
          from dossier.person_record r join dossier.org_unit u on u.id = r.unit_id
         where r.annex = 'A2' and (r.ended_on is null or r.ended_on >= current_date)
           and r.unit_id = any (v_units)
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
           and a.unit_id = any (v_units)
         group by a.subject_id
    ),
    flows as (
        select e.subject_id,
               bool_or(e.started_on > current_date - 365 and e.started_on <= current_date) as joined,
               bool_or(e.ended_on_job > current_date - 365 and e.ended_on_job <= current_date) as left_
          from dossier.employment e
         where e.annex = 'A2' and e.unit_id = any (v_units)
         group by e.subject_id
    ),
    per_unit as (      -- every unit in scope aggregates its subtree (each person counted at each ancestor)
        select anc.id::bigint as unit_id, count(distinct p.subject_id) as headcount, sum(p.fte) as fte,
               sum(coalesce(ay.days_weighted, 0)) as absent_days, sum(coalesce(ay.sick_spells, 0)) as sick_spells,
               sum(coalesce(ay.sick_days, 0)) as sick_days,
               count(*) filter (where f.joined) as inflow, count(*) filter (where f.left_) as outflow,
               count(*) filter (where ay.days_weighted > 0) as absent_persons,
               count(*) filter (where ay.sick_spells > 0) as sick_persons
          from active p
          cross join lateral unnest(string_to_array(trim(both '/' from p.path), '/')) as anc(id)
          left join absence_year ay on ay.subject_id = p.subject_id
          left join flows f on f.subject_id = p.subject_id
         where anc.id::bigint = any (v_units)
         group by anc.id
    ),
    cells as (
        select pu.*, u.code, u.name, u.kind, u.parent_id, u.org_id,
               row_number() over (order by pu.unit_id) as n
          from per_unit pu join dossier.org_unit u on u.id = pu.unit_id
    ),
    marks as (
        select mis.suppress_tree(array_agg(c.unit_id order by c.n), array_agg(c.parent_id order by c.n),
                                 array_agg(c.headcount order by c.n), privacy.mis_k()) as hidden
          from cells c
    )
    -- a figure about fewer than k of the cell's persons (one person's sick leave, one joiner) is
    -- left out even in a cell of k or more (issue 13, found by an independent attack)
    select o.code, c.code, c.name, c.kind, pa.code, m.hidden[c.n],
           case when not m.hidden[c.n] then c.headcount end,
           case when not m.hidden[c.n] then round(c.fte, 1) end,
           case when not m.hidden[c.n] and (c.absent_persons = 0 or c.absent_persons >= privacy.mis_k())
                then round(100 * c.absent_days / (c.headcount * 365.0), 2) end,
           case when not m.hidden[c.n] and c.sick_persons >= privacy.mis_k()
                then round(c.sick_days / c.sick_spells::numeric, 1) end,
           case when not m.hidden[c.n] and (c.sick_persons = 0 or c.sick_persons >= privacy.mis_k())
                then round(c.sick_spells / c.headcount::numeric, 2) end,
           case when not m.hidden[c.n] and (c.inflow = 0 or c.inflow >= privacy.mis_k()) then c.inflow end,
           case when not m.hidden[c.n] and (c.outflow = 0 or c.outflow >= privacy.mis_k()) then c.outflow end
      from cells c cross join marks m
      join dossier.org_unit o on o.id = c.org_id
      left join dossier.org_unit pa on pa.id = c.parent_id
     order by o.code, c.code;
end
$$;

create view mis.staff_by_unit with (security_barrier) as select * from mis.staff_by_unit_rows();
comment on view mis.staff_by_unit is
    'Per unit (its whole subtree): headcount, FTE, absence %, average sick-leave duration, absence '
    'frequency, in- and outflow over 12 months. Cells under k persons suppressed, complementary.';

create function mis.age_bands_rows()
    returns table (org_code text, band text, suppressed boolean, headcount bigint)
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER (dossier_mis): aggregates rows its callers may not read.
declare
    v_units bigint[] := privacy.my_mis_units();
begin
    return query
    with persons as (
        select distinct on (r.subject_id) r.subject_id, r.org_id,
               case when age(current_date, r.birth_date) < interval '25 years' then '<25'
                    when age(current_date, r.birth_date) < interval '35 years' then '25-34'
                    when age(current_date, r.birth_date) < interval '45 years' then '35-44'
                    when age(current_date, r.birth_date) < interval '55 years' then '45-54'
                    else '55+' end as band
          from dossier.person_record r
         where r.annex = 'A2' and r.birth_date is not null and (r.ended_on is null or r.ended_on >= current_date)
           and r.unit_id = any (v_units)
    ),
    cells as (
        select p.org_id, p.band, count(*) as headcount, row_number() over (order by p.org_id, p.band) as n
          from persons p group by p.org_id, p.band
    ),
    marks as (
        select mis.suppress_partition(array_agg(c.org_id order by c.n), array_agg(c.headcount order by c.n),
                                      privacy.mis_k()) as hidden
          from cells c
    )
    select o.code, c.band, m.hidden[c.n], case when not m.hidden[c.n] then c.headcount end
      from cells c cross join marks m join dossier.org_unit o on o.id = c.org_id
     order by o.code, c.band;
end
$$;

create view mis.age_bands with (security_barrier) as select * from mis.age_bands_rows();
comment on view mis.age_bands is 'Current staff per age band per organisation (within the reader''s scope); bands under k suppressed, complementary.';

create function mis.training_by_department_rows()
    returns table (org_code text, department_code text, department text, suppressed boolean,
                   participants bigint, enrolments bigint, completions bigint, completion_pct numeric,
                   cost numeric)
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER (dossier_mis): aggregates rows its callers may not read.
declare
    v_units bigint[] := privacy.my_mis_units();
begin
    return query
    with per_dept as (
        select ca.org_id, ca.charged_unit_id as unit_id, count(distinct ca.subject_id) as participants,
               count(distinct en.id) as enrolments,
               count(distinct en.id) filter (where en.status = 'completed') as completions,
               sum(ca.amount) as cost, row_number() over (order by ca.org_id, ca.charged_unit_id) as n
          from dossier.cost_allocation ca
          join dossier.enrolment en on en.id = ca.enrolment_id
         where ca.charged_unit_id = any (v_units)
         group by ca.org_id, ca.charged_unit_id
    ),
    marks as (
        select mis.suppress_partition(array_agg(d.org_id order by d.n), array_agg(d.participants order by d.n),
                                      privacy.mis_k()) as hidden
          from per_dept d
    )
    select o.code, u.code, u.name, m.hidden[d.n],
           case when not m.hidden[d.n] then d.participants end,
           case when not m.hidden[d.n] then d.enrolments end,
           case when not m.hidden[d.n] then d.completions end,
           case when not m.hidden[d.n] then round(100.0 * d.completions / d.enrolments, 1) end,
           case when not m.hidden[d.n] then d.cost end
      from per_dept d cross join marks m
      join dossier.org_unit u on u.id = d.unit_id
      join dossier.org_unit o on o.id = d.org_id
     order by o.code, u.code;
end
$$;

create view mis.training_by_department with (security_barrier) as select * from mis.training_by_department_rows();
comment on view mis.training_by_department is
    'M895 doel 4, 6: training completion and costs per department; departments under k participants suppressed, complementary.';

do $own$
declare
    f text;
begin
    foreach f in array array['staff_by_unit_rows()', 'age_bands_rows()', 'training_by_department_rows()'] loop
        execute format('alter function mis.%s owner to dossier_mis', f);
        execute format('comment on function mis.%s is %L', f,
                       'SECURITY DEFINER (dossier_mis): the MIS view of the same name reads it (Bijlage 7).');
    end loop;
end
$own$;
alter view mis.staff_by_unit owner to dossier_mis;
alter view mis.age_bands owner to dossier_mis;
alter view mis.training_by_department owner to dossier_mis;

delete from privacy.object_audience where defined_in = '1200_mis';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'mis', v, '@mis', 'SELECT', '1200_mis'
  from unnest(array['staff_by_unit', 'age_bands', 'training_by_department']) v;
-- the functions behind the views run as the caller's call (EXECUTE is checked for the caller)
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'mis', f, '@mis', 'EXECUTE', '1200_mis'
  from unnest(array['staff_by_unit_rows()', 'age_bands_rows()', 'training_by_department_rows()']) f;
-- what dossier_mis reads to aggregate (its row policy is select_dossier_mis on these tables)
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'dossier', t, 'dossier_mis', 'SELECT', '1200_mis'
  from unnest(array['person_record', 'employment', 'absence', 'enrolment', 'cost_allocation', 'org_unit']) t;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
values ('privacy', 'my_mis_orgs()', 'dossier_mis', 'EXECUTE', '1200_mis'),
       ('privacy', 'my_mis_units()', 'dossier_mis', 'EXECUTE', '1200_mis'),
       ('privacy', 'mis_k()', 'dossier_mis', 'EXECUTE', '1200_mis'),
       ('mis', 'suppress_tree(bigint[], bigint[], bigint[], integer)', 'dossier_mis', 'EXECUTE', '1200_mis'),
       ('mis', 'suppress_partition(bigint[], bigint[], integer)', 'dossier_mis', 'EXECUTE', '1200_mis');
