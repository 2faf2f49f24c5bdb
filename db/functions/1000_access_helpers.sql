-- Row scope for the row policies (004 art. 9, 10.2; Bijlage 7). Scope comes from the login
-- (session_user) and the grants register privacy.role_grant, never from a setting a user can
-- change. The grants register and the settings are not readable by the roles whose rows they scope.

-- The day grants are judged by: today in the organisation's zone (privacy.setting time_zone,
-- Europe/Amsterdam), never the session's TimeZone, which any login may set (issue 13 item 4).
create or replace function privacy.scope_day() returns date
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    -- SECURITY DEFINER: reads the time_zone setting; privacy.setting is closed to the roles
    -- clock_timestamp(), not now(): a transaction opened before midnight must not keep
    -- yesterday's grants for its next statements
    select (pg_catalog.clock_timestamp() at time zone coalesce(
               (select s.value from privacy.setting s where s.key = 'time_zone'), 'Europe/Amsterdam'))::date
$$;
comment on function privacy.scope_day() is
    'Today in the organisation''s zone (privacy.setting time_zone): the day grant dates are judged by.';

-- The grants in force today for this login: read by the MIS helpers, my_subject and my_relations.
create or replace view privacy.my_grant with (security_barrier) as
select g.role, g.unit_id, g.subject_id
  from privacy.role_grant g
 where g.login = session_user and g.revoked_at is null
   and privacy.scope_day() >= g.valid_from
   and (g.valid_until is null or privacy.scope_day() <= g.valid_until)
   and pg_catalog.pg_has_role(session_user, g.role, 'MEMBER');
comment on view privacy.my_grant is 'The grants in force today for this login (session_user).';

-- privacy.grant_unit, rebuilt whenever grants or the unit tree change (statement triggers; both
-- are small and change seldom). SECURITY DEFINER: the roles that change units (importer, HR) do
-- not write grant_unit themselves. The product lock 'grant_unit' makes one rebuild at a time.
create or replace function privacy.rebuild_grant_unit() returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
begin
    perform privacy.take_product_lock('grant_unit');
    delete from privacy.grant_unit;
    insert into privacy.grant_unit (login, role, unit_id, grant_id, valid_from, valid_until)
    select g.login, g.role, u.id, g.id, g.valid_from, g.valid_until
      from privacy.role_grant g
      join dossier.org_unit gu on gu.id = g.unit_id
      join dossier.org_unit u on u.path like gu.path || '%'
     where g.revoked_at is null;
    perform privacy.invalidate_scope_plans();
end
$$;
comment on function privacy.rebuild_grant_unit() is 'Rebuild privacy.grant_unit from the grants and the unit tree.';

create or replace function privacy.refresh_grant_unit() returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
begin
    perform privacy.rebuild_grant_unit();
    return null;
end
$$;

drop trigger if exists role_grant_units on privacy.role_grant;
create trigger role_grant_units after insert or update or delete on privacy.role_grant
    for each statement execute function privacy.refresh_grant_unit();
drop trigger if exists org_unit_grant_units on dossier_store.org_unit;
create trigger org_unit_grant_units after insert or update or delete on dossier_store.org_unit
    for each statement execute function privacy.refresh_grant_unit();

create or replace view privacy.my_unit with (security_barrier) as
select gu.role, gu.unit_id
  from privacy.grant_unit gu
 where gu.login = session_user
   and privacy.scope_day() >= gu.valid_from
   and (gu.valid_until is null or privacy.scope_day() <= gu.valid_until);
comment on view privacy.my_unit is 'Units in the subtrees this login was granted each role for, today.';

-- The scope of a row policy, as a constant (issue 13). privacy.scope(role, kind) is an IMMUTABLE
-- SQL function the planner inlines; what it inlines to, privacy.scope_now(role, kind), is declared
-- IMMUTABLE too, so the planner evaluates it once while it plans the statement and puts the result
-- in the plan as an array constant: `unit_id = any ('{4,5,6}'::bigint[])`. Nothing of the policy
-- then runs while rows are read, so no EXPLAIN (ANALYZE) annotation, loop count or buffer count
-- depends on whether a hidden row met a caller's own (leakproof, hence earlier) condition.
--
-- IMMUTABLE is a deliberate untruth: the answer changes when grants, units or the day change. Plans
-- that outlive a statement (prepared statements, PL/pgSQL) are kept right by invalidating them:
-- because privacy.scope is inlined, every plan records a dependency on it, and
-- privacy.invalidate_scope_plans() rewrites its pg_proc row, which makes every backend replan.
-- It runs when grants or the unit tree change (privacy.rebuild_grant_unit) and when the day in the
-- organisation's zone turns (privacy.turn_scope_day, pg_cron every minute).
-- Kinds: 'unit' (units of the grant subtrees), 'org' (organisations of the grants), 'self' (the
-- subject an employee_self login is, art. 13.1). An empty array means no rows.
create or replace function privacy.scope_now(p_role name, p_kind text) returns bigint[]
    language plpgsql immutable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: the grants register is not readable by the roles it scopes.
declare
    v_day date := privacy.scope_day();
begin
    if not pg_catalog.pg_has_role(session_user, p_role, 'MEMBER') then
        return '{}';
    end if;
    if p_kind = 'unit' then
        return array(select distinct gu.unit_id from privacy.grant_unit gu
                      where gu.login = session_user and gu.role = p_role
                        and v_day >= gu.valid_from and (gu.valid_until is null or v_day <= gu.valid_until)
                      order by 1);
    elsif p_kind = 'org' then
        return array(select distinct u.org_id from privacy.role_grant g
                       join dossier.org_unit u on u.id = g.unit_id
                      where g.login = session_user and g.role = p_role and g.revoked_at is null
                        and v_day >= g.valid_from and (g.valid_until is null or v_day <= g.valid_until)
                      order by 1);
    elsif p_kind = 'self' then
        return array(select distinct g.subject_id from privacy.role_grant g
                      where g.login = session_user and g.role = p_role and g.revoked_at is null
                        and g.subject_id is not null
                        and v_day >= g.valid_from and (g.valid_until is null or v_day <= g.valid_until)
                      order by 1);
    end if;
    raise exception 'unknown scope kind %', p_kind using errcode = 'invalid_parameter_value';
end
$$;
comment on function privacy.scope_now(name, text) is
    'The ids (units, organisations or the subject) a role reaches for this login today; folded into plans by privacy.scope.';

-- No SET clause and no SECURITY DEFINER: either would stop the planner inlining it, and the
-- inlining is what makes plans depend on it (scripts/pgspot.sh allows it without a search_path;
-- its one name is qualified).
create or replace function privacy.scope(p_role name, p_kind text) returns bigint[]
    language sql immutable security invoker
as $$ select privacy.scope_now(p_role, p_kind) $$;
comment on function privacy.scope(name, text) is
    'The scope a row policy tests, folded to a constant at plan time (see privacy.scope_now).';

-- The row guard (issue 13; db/schema/V1990__row_guard.sql): which (annex, unit) cells of a
-- personal-data table any role of this login reads today (p_restricted: only the roles that see
-- restricted persons, those handling requests, art. 13.6), as a two-dimensional boolean array
-- [annex number][unit id] whose bounds are those of the cells (an element outside them is NULL:
-- no row). The guard policy tests `(privacy.row_map('t', false))[annex_no][unit_no]`: folded at
-- plan time like privacy.scope, and an array element costs nothing in the planner's estimate, so
-- the test runs before any condition of the caller, the zero-cost ones included. It is the union
-- over the login's roles (a login may hold several): a row it lets through is one that some role
-- of the login reads; each role's own policy still decides which.
create or replace function privacy.row_map_now(p_table name, p_restricted boolean) returns boolean[]
    language plpgsql immutable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: reads the grants register (through privacy.scope_now) and privacy.policy_reach.
declare
    v_annexes integer[];
    v_units bigint[];
    v_map boolean[];
    v_lo bigint;
    v_hi bigint;
begin
    -- MATERIALIZED: inlined, the planner called scope_now once per (unit, role) pair of the
    -- join below, twice (its OR): 3.8 ms a call of row_map_now, five calls for every table a
    -- statement names, all at plan time (measured on the demo, session 10)
    with held as materialized (
        select p.annex_nos, p.scope, privacy.scope_now(p.role, p.scope) as ids
          from privacy.policy_reach p
          join privacy.app_role ar on ar.role = p.role
         where p.table_name = p_table and pg_catalog.pg_has_role(session_user, p.role, 'MEMBER')
           and (ar.handles_requests or not p_restricted)
    )
    select array_agg(a.n), array_agg(u.id) into v_annexes, v_units
      from held h
     cross join lateral unnest(h.annex_nos) a(n)
      join dossier.org_unit u on (h.scope = 'unit' and u.id = any (h.ids))
                              or (h.scope = 'org' and u.org_id = any (h.ids));
    if v_units is null then
        return '{}';
    end if;
    select min(x), max(x) into v_lo, v_hi from unnest(v_units) x;
    -- the annex dimension spans the annexes read, no more: the guard states its bounds too
    v_map := pg_catalog.array_fill(false, array[(select max(a) - min(a) + 1 from unnest(v_annexes) a),
                                                (v_hi - v_lo + 1)::integer],
                                   array[(select min(a) from unnest(v_annexes) a), v_lo::integer]);
    for i in 1 .. pg_catalog.cardinality(v_units) loop
        v_map[v_annexes[i]][v_units[i]] := true;
    end loop;
    return v_map;
end
$$;
comment on function privacy.row_map_now(name, boolean) is
    'The (annex, unit) cells of a table the login''s roles read today (restricted persons: the roles handling requests), as a boolean array; folded by privacy.row_map.';

-- The same for organisation data and the subject keys: the organisations in which a role of this
-- login that may read the table holds a grant today, as a boolean array indexed by organisation id.
create or replace function privacy.org_map_now(p_table name) returns boolean[]
    language plpgsql immutable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: reads the grants register (through privacy.scope_now).
declare
    v_orgs bigint[];
    v_map boolean[];
    v_org bigint;
begin
    v_orgs := array(select distinct o
                      from privacy.app_role ar
                     cross join lateral unnest(privacy.scope_now(ar.role, 'org')) o
                     where ar.kind <> 'technical' and pg_catalog.pg_has_role(session_user, ar.role, 'MEMBER')
                       and pg_catalog.has_any_column_privilege(ar.role, pg_catalog.format('dossier.%I', p_table), 'SELECT')
                     order by 1);
    if pg_catalog.cardinality(v_orgs) = 0 then
        return '{}';
    end if;
    v_map := pg_catalog.array_fill(false, array[(v_orgs[pg_catalog.cardinality(v_orgs)] - v_orgs[1] + 1)::integer],
                                   array[v_orgs[1]::integer]);
    foreach v_org in array v_orgs loop
        v_map[v_org] := true;
    end loop;
    return v_map;
end
$$;
comment on function privacy.org_map_now(name) is
    'The organisations whose rows of a table the login''s roles read today, as a boolean array; folded by privacy.org_map.';

-- The inlined wrappers the guard policies call (no SET clause, no SECURITY DEFINER: see privacy.scope).
create or replace function privacy.row_map(p_table name, p_restricted boolean) returns boolean[]
    language sql immutable security invoker
as $$ select privacy.row_map_now(p_table, p_restricted) $$;
comment on function privacy.row_map(name, boolean) is 'The row guard''s cells, folded at plan time (see privacy.row_map_now).';

create or replace function privacy.org_map(p_table name) returns boolean[]
    language sql immutable security invoker
as $$ select privacy.org_map_now(p_table) $$;
comment on function privacy.org_map(name) is 'The row guard''s organisations, folded at plan time (see privacy.org_map_now).';

-- Make every backend replan statements that hold a scope constant. Serialised with the grant
-- rebuild (two concurrent rewrites of one pg_proc row would fail).
create or replace function privacy.invalidate_scope_plans() returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: only the owner may ALTER the function; callers are the product's own triggers and jobs.
declare
    v_cost real;
    v_wrapper text;
begin
    select p.procost into v_cost from pg_catalog.pg_proc p
     where p.oid = 'privacy.scope(name, text)'::pg_catalog.regprocedure;
    -- any change of the row invalidates; toggling the (unused) cost keeps it a change
    foreach v_wrapper in array array['privacy.scope(name, text)', 'privacy.row_map(name, boolean)',
                                     'privacy.org_map(name)'] loop
        execute pg_catalog.format('alter function %s cost %s', v_wrapper, case when v_cost = 1 then 2 else 1 end);
    end loop;
end
$$;
comment on function privacy.invalidate_scope_plans() is
    'Invalidate every cached plan that holds a scope constant (grants, units or the day changed).';

-- pg_cron, every minute: when the day in the organisation's zone has turned, grants that start
-- or end with it must take effect in cached plans too.
create or replace function privacy.turn_scope_day() returns boolean
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: writes privacy.setting and invalidates plans; the job's role has neither right.
begin
    perform privacy.take_product_lock('grant_unit');
    if (select s.value from privacy.setting s where s.key = 'scope_day') = privacy.scope_day()::text then
        return false;
    end if;
    update privacy.setting set value = privacy.scope_day()::text where key = 'scope_day';
    perform privacy.invalidate_scope_plans();
    return true;
end
$$;
comment on function privacy.turn_scope_day() is
    'When the day has turned in the organisation''s zone, invalidate plans holding yesterday''s scope (pg_cron).';

create or replace view privacy.my_org with (security_barrier) as
select g.role, u.org_id
  from privacy.my_grant g
  join dossier.org_unit u on u.id = g.unit_id;
comment on view privacy.my_org is 'Organisations in which this login holds each role today (org-wide scope).';

create or replace view privacy.my_subject with (security_barrier) as
select g.subject_id from privacy.my_grant g where g.role = 'employee_self';
comment on view privacy.my_subject is 'The data subject this login is (employee_self, art. 13).';

-- The MIS orgs as an array, for the MIS views (SQL outside the row policies). PL/pgSQL, so the
-- query plan is cached per session (a SQL function that cannot be inlined is planned again on
-- every call). SECURITY DEFINER: the views are not granted to dossier_mis.
create or replace function privacy.my_mis_orgs() returns bigint[]
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    result bigint[];
begin
    select coalesce(array_agg(distinct o.org_id order by o.org_id), '{}')
      into result from privacy.my_org o join privacy.app_role r on r.role = o.role and r.mis;
    return result;
end
$$;
comment on function privacy.my_mis_orgs() is
    'Organisations whose management information this login may read today.';

create or replace function privacy.mis_k() returns integer
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
begin
    return (select s.value::integer from privacy.setting s where s.key = 'mis_k');
end
$$;
comment on function privacy.mis_k() is 'Smallest group the MIS shows (privacy.setting mis_k).';

select privacy.rebuild_grant_unit();  -- grants made before this file (or before a change to it)

-- The scope functions run inside every row policy, as the querying role (and as dossier_self
-- inside the employee's own functions); the grants register they read stays closed.
delete from privacy.object_audience where defined_in = '1000_access_helpers';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', f, '@users', 'EXECUTE', '1000_access_helpers'
  from unnest(array['scope(name, text)', 'scope_now(name, text)', 'scope_day()', 'row_map(name, boolean)',
                    'row_map_now(name, boolean)', 'org_map(name)', 'org_map_now(name)']) f;
-- the generated annex number of every personal-data row is computed as the writing role
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
values ('dossier', 'annex_no(text)', '@users', 'EXECUTE', '1000_access_helpers');
