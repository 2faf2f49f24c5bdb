-- Row scope helpers for the row policies (004 art. 9, 10.2; Bijlage 7). Scope comes from the
-- login (session_user) and the grants register privacy.role_grant, never from a setting a user
-- can change. Policies call them wrapped as `(select privacy.my_units('role'))`, so each runs
-- once per statement.
--
-- SECURITY DEFINER: the grants register is not readable by the roles whose rows it scopes.

create or replace function privacy.active_grants(p_role name)
    returns setof privacy.role_grant
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    select g.* from privacy.role_grant g
     where g.login = session_user and g.role = p_role and g.revoked_at is null
       and current_date >= g.valid_from
       and (g.valid_until is null or current_date <= g.valid_until)
       and pg_catalog.pg_has_role(session_user, p_role, 'MEMBER')
$$;
comment on function privacy.active_grants(name) is
    'This login''s grants of a role that are in force today (valid_until included).';

-- SECURITY DEFINER: reads the grants register (see above).
create or replace function privacy.my_units(p_role name) returns bigint[]
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    select coalesce(array_agg(distinct u.id order by u.id), '{}')
      from privacy.active_grants(p_role) g
      join dossier.org_unit gu on gu.id = g.unit_id
      join dossier.org_unit u on u.path like gu.path || '%'
$$;
comment on function privacy.my_units(name) is
    'Units in the subtrees this login was granted the role for, today.';

-- SECURITY DEFINER: reads the grants register (see above).
create or replace function privacy.my_orgs(p_role name) returns bigint[]
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    select coalesce(array_agg(distinct u.org_id order by u.org_id), '{}')
      from privacy.active_grants(p_role) g
      join dossier.org_unit u on u.id = g.unit_id
$$;
comment on function privacy.my_orgs(name) is
    'Organisations in which this login holds the role today (org-wide scope).';

-- SECURITY DEFINER: reads the grants register (see above).
create or replace function privacy.my_subjects() returns bigint[]
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    select coalesce(array_agg(distinct g.subject_id order by g.subject_id), '{}')
      from privacy.active_grants('employee_self') g
$$;
comment on function privacy.my_subjects() is 'The data subject this login is (employee_self, art. 13).';

-- SECURITY DEFINER: reads the grants register and the role list (see above).
create or replace function privacy.my_mis_orgs() returns bigint[]
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    select coalesce(array_agg(distinct u.org_id order by u.org_id), '{}')
      from privacy.app_role r
      cross join lateral privacy.active_grants(r.role) g
      join dossier.org_unit u on u.id = g.unit_id
     where r.mis
$$;
comment on function privacy.my_mis_orgs() is
    'Organisations whose management information this login may read today.';

create or replace function privacy.mis_k() returns integer
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$ select s.value::integer from privacy.setting s where s.key = 'mis_k' $$;
comment on function privacy.mis_k() is
    'Smallest group the MIS shows (privacy.setting mis_k). SECURITY DEFINER: settings are not public.';
