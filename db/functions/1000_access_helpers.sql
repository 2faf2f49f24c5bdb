-- Row scope helpers for the row policies (004 art. 9, 10.2; Bijlage 7). Scope comes from the
-- login (session_user) and the grants register privacy.role_grant, never from a setting a user
-- can change. Policies call them wrapped as `(select privacy.my_units('role'))`, so each runs
-- once per statement. They are PL/pgSQL so their query plans are cached per session (a SQL
-- function that cannot be inlined is planned again on every call).
--
-- SECURITY DEFINER (all of them): the grants register and the settings are not readable by the
-- roles whose rows they scope.

-- Each helper repeats the "grant in force today" predicate instead of calling a shared function:
-- every extra call inside a policy costs a function invocation per statement.
drop function if exists privacy.active_grants(name);

create or replace function privacy.my_units(p_role name) returns bigint[]
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    result bigint[];
begin
    select coalesce(array_agg(distinct u.id order by u.id), '{}') into result
      from privacy.role_grant g
      join dossier.org_unit gu on gu.id = g.unit_id
      join dossier.org_unit u on u.path like gu.path || '%'
     where g.login = session_user and g.role = p_role and g.revoked_at is null
       and current_date >= g.valid_from
       and (g.valid_until is null or current_date <= g.valid_until)
       and pg_catalog.pg_has_role(session_user, p_role, 'MEMBER');
    return result;
end
$$;
comment on function privacy.my_units(name) is
    'Units in the subtrees this login was granted the role for, today.';

create or replace function privacy.my_orgs(p_role name) returns bigint[]
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    result bigint[];
begin
    select coalesce(array_agg(distinct u.org_id order by u.org_id), '{}') into result
      from privacy.role_grant g
      join dossier.org_unit u on u.id = g.unit_id
     where g.login = session_user and g.role = p_role and g.revoked_at is null
       and current_date >= g.valid_from
       and (g.valid_until is null or current_date <= g.valid_until)
       and pg_catalog.pg_has_role(session_user, p_role, 'MEMBER');
    return result;
end
$$;
comment on function privacy.my_orgs(name) is
    'Organisations in which this login holds the role today (org-wide scope).';

create or replace function privacy.my_subjects() returns bigint[]
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    result bigint[];
begin
    select coalesce(array_agg(distinct g.subject_id order by g.subject_id), '{}') into result
      from privacy.role_grant g
     where g.login = session_user and g.role = 'employee_self' and g.revoked_at is null
       and current_date >= g.valid_from
       and (g.valid_until is null or current_date <= g.valid_until)
       and pg_catalog.pg_has_role(session_user, 'employee_self', 'MEMBER');
    return result;
end
$$;
comment on function privacy.my_subjects() is 'The data subject this login is (employee_self, art. 13).';

create or replace function privacy.my_mis_orgs() returns bigint[]
    language plpgsql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    result bigint[];
begin
    select coalesce(array_agg(distinct u.org_id order by u.org_id), '{}') into result
      from privacy.role_grant g
      join privacy.app_role r on r.role = g.role and r.mis
      join dossier.org_unit u on u.id = g.unit_id
     where g.login = session_user and g.revoked_at is null
       and current_date >= g.valid_from
       and (g.valid_until is null or current_date <= g.valid_until)
       and pg_catalog.pg_has_role(session_user, g.role, 'MEMBER');
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
