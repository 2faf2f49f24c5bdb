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
drop trigger if exists org_unit_grant_units on dossier.org_unit;
create trigger org_unit_grant_units after insert or update or delete on dossier.org_unit
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

-- The same scope as one multirange ('{[3,7)}'): the policies test
-- `unit_id <@ any (array[privacy.scope_ranges(role, kind)])`, a one-element list, which
-- PostgreSQL prices at half an operator, the least any test of a value can cost; a caller's
-- condition of the same price comes after it (ties keep the policy's conditions first), so a
-- hidden row is rejected before any comparison of the caller runs on it (issue 13). The
-- `= any (privacy.scope(…))` test stays beside it for the index. Folded and invalidated exactly
-- like privacy.scope (see above).
create or replace function privacy.scope_ranges_now(p_role name, p_kind text) returns int8multirange
    language plpgsql immutable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: calls privacy.scope_now, which reads the grants register.
begin
    return coalesce((select pg_catalog.range_agg(pg_catalog.int8range(i, i, '[]'))
                       from unnest(privacy.scope_now(p_role, p_kind)) i), '{}'::int8multirange);
end
$$;
comment on function privacy.scope_ranges_now(name, text) is
    'privacy.scope_now as one multirange, for the row-policy test that runs first.';

-- No SET clause, no SECURITY DEFINER: the planner inlines it (see privacy.scope).
create or replace function privacy.scope_ranges(p_role name, p_kind text) returns int8multirange
    language sql immutable security invoker
as $$ select privacy.scope_ranges_now(p_role, p_kind) $$;
comment on function privacy.scope_ranges(name, text) is
    'The scope of a row policy as one multirange, folded at plan time.';

-- Make every backend replan statements that hold a scope constant. Serialised with the grant
-- rebuild (two concurrent rewrites of one pg_proc row would fail).
create or replace function privacy.invalidate_scope_plans() returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: only the owner may ALTER the function; callers are the product's own triggers and jobs.
declare
    v_cost real;
begin
    select p.procost into v_cost from pg_catalog.pg_proc p
     where p.oid = 'privacy.scope(name, text)'::pg_catalog.regprocedure;
    -- any change of the row invalidates; toggling the (unused) cost keeps it a change
    execute pg_catalog.format('alter function privacy.scope(name, text) cost %s',
                              case when v_cost = 1 then 2 else 1 end);
    execute pg_catalog.format('alter function privacy.scope_ranges(name, text) cost %s',
                              case when v_cost = 1 then 2 else 1 end);
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
  from unnest(array['scope(name, text)', 'scope_now(name, text)', 'scope_day()', 'scope_ranges(name, text)',
                    'scope_ranges_now(name, text)']) f;
-- the generated annex number of every personal-data row is computed as the writing role
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
values ('dossier', 'annex_no(text)', '@users', 'EXECUTE', '1000_access_helpers');
