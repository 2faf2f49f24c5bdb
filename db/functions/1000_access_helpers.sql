-- Row scope for the row policies (004 art. 9, 10.2; Bijlage 7). Scope comes from the login
-- (session_user) and the grants register privacy.role_grant, never from a setting a user can
-- change. The grants register and the settings are not readable by the roles whose rows they scope.

-- The scope views. Policies read them as `unit_id = any (array(select unit_id from
-- privacy.my_unit where role = '…'))`: an uncorrelated subquery, run once per statement. They are
-- ordinary views (not security_invoker), so they read the grants register with their owner's
-- rights, exactly like a SECURITY DEFINER helper, without a function call: a PL/pgSQL definer
-- helper returning the same array, `(select privacy.f('role'))`, made the point query of
-- bench/bench_rls.py 1.56x-1.61x of the owner's against 1.44x-1.52x through the view (same
-- restriction clause; the helper without its pinned search_path: 1.56x, so it is the call, not
-- the path). One call per table and statement. They have no search_path to hijack:
-- every name in a view is bound when it is created. security_barrier: a caller's own conditions
-- never see another login's rows. A login reads its own grants through them, nothing else.
create or replace view privacy.my_grant with (security_barrier) as
select g.role, g.unit_id, g.subject_id
  from privacy.role_grant g
 where g.login = session_user and g.revoked_at is null
   and current_date >= g.valid_from
   and (g.valid_until is null or current_date <= g.valid_until)
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
select privacy.rebuild_grant_unit();  -- grants made before this file (or before a change to it)

-- No pg_has_role() test here, unlike my_grant: a policy `TO role` applies only while the user in
-- effect has that role's privileges, and that user is the login or a role the login may SET ROLE
-- to, so the login is then a member of the role. The test ran for every unit of the grant, in every
-- policy of every statement (the point query of bench/bench_rls.py, on a copy of its data: 1.45x-1.49x
-- with it, 1.37x without).
create or replace view privacy.my_unit with (security_barrier) as
select gu.role, gu.unit_id
  from privacy.grant_unit gu
 where gu.login = session_user
   and current_date >= gu.valid_from
   and (gu.valid_until is null or current_date <= gu.valid_until);
comment on view privacy.my_unit is 'Units in the subtrees this login was granted each role for, today.';

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
