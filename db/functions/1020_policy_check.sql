-- `dossier policy check`: the access matrix (privacy.expected_privilege, expected_policy) against
-- the live catalog — privileges from the ACLs, row security flags, pg_policies, role attributes
-- and memberships. Every difference is one row; none means no drift.

create or replace view privacy.actual_privilege as
with ours as (select oid, nspname from pg_catalog.pg_namespace
               where nspname in ('dossier', 'dossier_store', 'privacy', 'audit', 'reporting', 'mis'))
select coalesce(gr.rolname, 'public')::name as role,
       (case when c.relkind = 'S' then 'sequence' else 'table' end)::text as object_type, n.nspname as schema_name,
       c.relname as object_name, null::name as column_name, a.privilege_type as privilege
  from pg_catalog.pg_class c join ours n on n.oid = c.relnamespace,
       lateral pg_catalog.aclexplode(c.relacl) a
  left join pg_catalog.pg_roles gr on gr.oid = a.grantee
 where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and a.grantee <> c.relowner
union all
select coalesce(gr.rolname, 'public'), 'column', n.nspname, c.relname, att.attname, a.privilege_type
  from pg_catalog.pg_attribute att
  join pg_catalog.pg_class c on c.oid = att.attrelid
  join ours n on n.oid = c.relnamespace,
       lateral pg_catalog.aclexplode(att.attacl) a
  left join pg_catalog.pg_roles gr on gr.oid = a.grantee
 where att.attnum > 0 and not att.attisdropped and a.grantee <> c.relowner
union all
select coalesce(gr.rolname, 'public'), 'schema', n.nspname, n.nspname, null, a.privilege_type
  from pg_catalog.pg_namespace ns join ours n on n.oid = ns.oid,
       lateral pg_catalog.aclexplode(ns.nspacl) a
  left join pg_catalog.pg_roles gr on gr.oid = a.grantee
 where a.grantee <> ns.nspowner
   and (gr.rolname, n.nspname) is distinct from ('dossier_mis', 'mis')
   and (gr.rolname, n.nspname) is distinct from ('dossier_self', 'reporting')
union all
select coalesce(gr.rolname, 'public'), 'function', n.nspname,
       format('%s(%s)', p.proname, pg_catalog.oidvectortypes(p.proargtypes))::name, null, a.privilege_type
  from pg_catalog.pg_proc p join ours n on n.oid = p.pronamespace,
       lateral pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
  left join pg_catalog.pg_roles gr on gr.oid = a.grantee
 where a.grantee <> p.proowner;
comment on view privacy.actual_privilege is 'Privileges held on dossier objects, from the ACLs.';

-- The role-level settings every login made by `dossier grant` carries (19.4), from privacy.setting
-- (db/schema/V1800): privacy.grant_access sets them (db/functions/1035_role_admin.sql), and
-- policy_drift reports any other. temp_file_limit is enforced (a login cannot change it); the
-- timeouts are defaults a session may change, which the watchdog enforces anyway.
create or replace view privacy.login_setting as
select v.name, v.name || '=' || s.value as setting
  from (values ('temp_file_limit', 'login_temp_file_limit'),
               ('statement_timeout', 'login_statement_timeout'),
               ('idle_in_transaction_session_timeout', 'login_idle_in_transaction_timeout')) v(name, key)
  join privacy.setting s on s.key = v.key;
comment on view privacy.login_setting is 'The role-level settings of every login made by dossier grant (19.4).';

create or replace function privacy.policy_drift()
    returns table (kind text, object text, detail text)
    language sql stable security invoker
    set search_path = pg_catalog, pg_temp set jit = off  -- a large plan run once: compiling it cost up to 20 s
as $$
    with expected as (
        select e.role, e.object_type, e.schema_name, e.object_name,
               e.object_name as object_name_n,
               e.column_name, e.privilege
          from privacy.expected_privilege e
        union all
        -- the role administration, owned by the superuser (db/functions/1035_role_admin.sql)
        select a.role, 'function', 'privacy', a.routine, a.routine, null, 'EXECUTE' from privacy.admin_routine a
    ),
    -- 19.1: the group roles of the matrix, and the logins that hold (or held) one of them
    group_role as (
        select r.oid, r.rolname from pg_catalog.pg_roles r
         where r.rolname in (select role from privacy.app_role)
            or r.rolname in ('dossier_mis', 'dossier_auditor', 'dossier_trial')
    ),
    app_login as (
        select r.oid, r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
               r.rolreplication, r.rolcanlogin, r.rolconnlimit, r.rolvaliduntil,
               r.rolname in (select login from privacy.role_grant where revoked_at is null) as has_grant
          from pg_catalog.pg_roles r
         where r.oid not in (select oid from group_role)
           and (r.rolname in (select login from privacy.role_grant where revoked_at is null)
                or r.rolname = 'dossier_cron'
                or exists (select from pg_catalog.pg_auth_members am
                            where am.member = r.oid and am.roleid in (select oid from group_role)))
    ),
    trial_login as (
        select m.oid, m.rolname, m.rolvaliduntil, m.rolcanlogin from pg_catalog.pg_auth_members am
          join pg_catalog.pg_roles m on m.oid = am.member
         where am.roleid = (select oid from pg_catalog.pg_roles where rolname = 'dossier_trial')
    ),
    -- every membership of a matrix role, or of an application login, the matrix declares
    declared_membership as (
        select 'dossier_owner'::name as member, 'dossier_mis'::name as role
        -- dossier_owner hands the employee's own functions to dossier_self (db/policies/1007_self.sql)
        union all select 'dossier_owner', 'dossier_self'
        union all select 'dossier_cron', 'dossier_retention'
        union all select g.login, g.role from privacy.role_grant g
                    join privacy.app_role ar on ar.role = g.role and ar.kind <> 'technical'
                   where g.revoked_at is null
        -- operators: plain logins a superuser made members of dossier_admin, holding no grant
        union all select r.rolname, 'dossier_admin' from pg_catalog.pg_roles r
                   where r.rolcanlogin and not r.rolsuper
                     and r.rolname not in (select login from privacy.role_grant where revoked_at is null)
        union all select t.rolname, 'dossier_trial' from trial_login t
    ),
    personal as (
        select c.oid, c.relname from pg_catalog.pg_class c
         where c.relnamespace in ('dossier'::regnamespace, 'dossier_store'::regnamespace) and c.relkind in ('r', 'p')
           and (c.relname in (select table_name from privacy.personal_table)
                or c.oid in (select oid from privacy.record_partition))
    )
    -- privileges the matrix gives but the catalog lacks
    select 'missing privilege', format('%s.%s%s', e.schema_name, e.object_name_n, coalesce('.' || e.column_name, '')),
           format('%s should have %s', e.role, e.privilege)
      from expected e
     where not exists (select from privacy.actual_privilege a
                        where a.role = e.role and a.object_type = e.object_type and a.schema_name = e.schema_name
                          and a.object_name = e.object_name_n and a.column_name is not distinct from e.column_name
                          and a.privilege = e.privilege)
    union all
    -- privileges held that the matrix does not give (manual GRANTs, PUBLIC)
    select 'unexpected privilege', format('%s.%s%s', a.schema_name, a.object_name, coalesce('.' || a.column_name, '')),
           format('%s has %s', a.role, a.privilege)
      from privacy.actual_privilege a
     where not exists (select from expected e
                        where a.role = e.role and a.object_type = e.object_type and a.schema_name = e.schema_name
                          and a.object_name = e.object_name_n and a.column_name is not distinct from e.column_name
                          and a.privilege = e.privilege)
    union all
    select 'row security', 'dossier.' || p.relname, 'row level security is not enabled and forced'
      from personal p join pg_catalog.pg_class c on c.oid = p.oid
     where not (c.relrowsecurity and c.relforcerowsecurity)
    union all
    -- organisation data and the subject keys: row security (not forced: their owner's functions)
    select 'row security', 'dossier.' || c.relname, 'row level security is not enabled'
      from pg_catalog.pg_class c
     where c.relnamespace in ('dossier'::regnamespace, 'dossier_store'::regnamespace) and c.relkind in ('r', 'p')
       and not c.relrowsecurity
       and (c.relname in (select table_name from privacy.org_table) or c.relname = 'subject')
    union all
    -- issue 13: every table with row security is read through its view (db/functions/0200_store.sql)
    select 'not behind a view', 'dossier.' || w.table_name,
           format('dossier.%s must be a security_barrier, security_invoker view over dossier_store.%s',
                  w.table_name, w.table_name)
      from privacy.wired_table w
     where w.kind <> 'partition'
       and not exists (select from pg_catalog.pg_class v
                        where v.relnamespace = 'dossier'::regnamespace and v.relname = w.table_name
                          and v.relkind = 'v'
                          and v.reloptions @> array['security_barrier=true', 'security_invoker=true']
                          and pg_catalog.to_regclass(pg_catalog.format('dossier_store.%I', w.table_name)) is not null)
    union all
    -- nothing but its own view reads a table behind a view: another security_invoker view over the
    -- table would check its caller's privileges there, and those are table-wide
    select distinct 'reads a stored table', v.oid::regclass::text,
           format('reads %s; read dossier.%s instead', t.oid::regclass, t.relname)
      from pg_catalog.pg_depend d
      join pg_catalog.pg_rewrite r on r.oid = d.objid and d.classid = 'pg_catalog.pg_rewrite'::regclass
      join pg_catalog.pg_class v on v.oid = r.ev_class
      join pg_catalog.pg_class t on t.oid = d.refobjid and d.refclassid = 'pg_catalog.pg_class'::regclass
     where t.relnamespace = 'dossier_store'::regnamespace and v.oid <> t.oid
       and not (v.relnamespace = 'dossier'::regnamespace and v.relname = t.relname)
    union all
    select 'missing policy', format('dossier.%s.%s', x.table_name, x.policy_name), x.command || ' to ' || x.role
      from privacy.expected_policy x
     where not exists (select from pg_catalog.pg_policies p
                        where p.schemaname in ('dossier', 'dossier_store') and p.tablename = x.table_name and p.policyname = x.policy_name)
    union all
    select 'unexpected policy', format('dossier.%s.%s', p.tablename, p.policyname), p.cmd || ' to ' || array_to_string(p.roles, ',')
      from pg_catalog.pg_policies p
     where p.schemaname in ('dossier', 'dossier_store')
       and not exists (select from privacy.expected_policy x
                        where x.table_name = p.tablename and x.policy_name = p.policyname)
    union all
    select 'changed policy', format('dossier.%s.%s', p.tablename, p.policyname),
           format('now %s to %s using (%s) with check (%s)', p.cmd, array_to_string(p.roles, ','), p.qual, p.with_check)
      from pg_catalog.pg_policies p
      join privacy.applied_policy ap on ap.table_name = p.tablename and ap.policy_name = p.policyname
     where p.schemaname in ('dossier', 'dossier_store')
       and (p.qual is distinct from ap.qual or p.with_check is distinct from ap.with_check
            or p.roles is distinct from ap.roles or p.cmd is distinct from ap.command
            or p.permissive <> case when exists (select from privacy.expected_policy x
                                                  where x.table_name = p.tablename and x.policy_name = p.policyname
                                                    and not x.permissive)
                                    then 'RESTRICTIVE' else 'PERMISSIVE' end)
    union all
    -- 19.1: group roles never log in and hold no attribute but INHERIT
    select 'role attribute', r.rolname::text,
           concat_ws(', ', case when r.rolcanlogin then 'can log in' end,
                     case when r.rolsuper then 'superuser' end, case when r.rolbypassrls then 'bypassrls' end,
                     case when r.rolcreaterole then 'createrole' end,
                     case when r.rolcreatedb then 'createdb' end, case when r.rolreplication then 'replication' end)
      from pg_catalog.pg_roles r join group_role g on g.oid = r.oid
     where r.rolcanlogin or r.rolsuper or r.rolbypassrls or r.rolcreatedb or r.rolreplication or r.rolcreaterole
    union all
    -- application logins, operators and the job's login: log in, nothing more; a login with a
    -- grant has a connection limit
    select 'role attribute', l.rolname::text,
           concat_ws(', ', case when not l.rolcanlogin then 'cannot log in' end,
                     case when l.rolsuper then 'superuser' end, case when l.rolbypassrls then 'bypassrls' end,
                     case when l.rolcreaterole then 'createrole' end,
                     case when l.rolcreatedb then 'createdb' end, case when l.rolreplication then 'replication' end,
                     case when l.rolconnlimit < 0 and l.has_grant then 'no connection limit' end)
      from app_login l
     where l.rolsuper or l.rolbypassrls or l.rolcreaterole or l.rolcreatedb or l.rolreplication
        or (not l.rolcanlogin and l.oid not in (select oid from trial_login))
        or (l.rolconnlimit < 0 and l.has_grant)
    union all
    -- no login holds CREATEROLE (in PostgreSQL 15 it grants any role); superusers aside
    select 'role attribute', r.rolname::text, 'createrole: can grant itself any role (dossier grant needs none)'
      from pg_catalog.pg_roles r
     where r.rolcreaterole and not r.rolsuper
       and r.oid not in (select oid from group_role) and r.oid not in (select oid from app_login)
    union all
    -- group roles are members of nothing, only declared logins are members of them, and no
    -- role is a member of an application login (it would inherit the login's roles)
    select case when g.rolname in (select role from privacy.app_role where kind <> 'technical')
                     and m.oid not in (select oid from group_role)
                then 'unregistered member' else 'role membership' end,
           format('%s is a member of %s', m.rolname, g.rolname),
           case when g.rolname in (select role from privacy.app_role where kind <> 'technical')
                     and m.oid not in (select oid from group_role)
                then 'no grant in privacy.role_grant (art. 9.2): grant with `dossier grant`'
                else 'not declared by the access matrix' end
      from pg_catalog.pg_auth_members am
      join pg_catalog.pg_roles m on m.oid = am.member
      join pg_catalog.pg_roles g on g.oid = am.roleid
     where (m.oid in (select oid from group_role) or m.oid in (select oid from app_login)
            or g.oid in (select oid from group_role) or g.oid in (select oid from app_login))
       and not exists (select from declared_membership d where d.member = m.rolname and d.role = g.rolname)
    union all
    -- role-level settings (pg_db_role_setting): only the login settings grant gives (19.4)
    select 'role setting', format('%s: %s', r.rolname, c.setting),
           coalesce('database ' || d.datname || ': ', '') || 'not declared (alter role … set)'
      from pg_catalog.pg_db_role_setting s
      join pg_catalog.pg_roles r on r.oid = s.setrole
      left join pg_catalog.pg_database d on d.oid = s.setdatabase,
           lateral unnest(s.setconfig) c(setting)
     where (r.oid in (select oid from group_role) or r.oid in (select oid from app_login))
       and not (s.setdatabase = 0 and r.oid in (select oid from app_login where has_grant)
                and c.setting in (select setting from privacy.login_setting))
    union all
    select 'role setting', format('%s: %s', l.rolname, x.setting), 'missing (dossier grant sets it)'
      from app_login l cross join privacy.login_setting x
     where l.has_grant and l.rolcanlogin
       and not exists (select from pg_catalog.pg_db_role_setting s
                        where s.setrole = l.oid and s.setdatabase = 0 and x.setting = any (s.setconfig))
    union all
    -- 14.5: a throw-away login of `dossier psql --as` past its end (its shell never cleaned up)
    select 'trial login', t.rolname::text,
           format('throw-away login still there (valid until %s): the tidy job drops it, or '
                  'select privacy.tidy_trial_logins()', coalesce(t.rolvaliduntil::text, 'ever'))
      from trial_login t
     where t.rolvaliduntil is null or t.rolvaliduntil < now() or not t.rolcanlogin
    union all
    -- a password the login gave itself (dossier sets them through grant --password / dossier password)
    select 'role attribute', x.login::text, 'has a password dossier did not set: reset it with `dossier password`'
      from privacy.unexpected_passwords() x(login)
    union all
    -- 16.5: Bijlage 7 "per school 1 medewerker" for the absence registration
    select 'registrar', format('%s: %s', c.school_code, array_to_string(c.logins, ', ')),
           'more than one absence registrar in force for one school (Bijlage 7: per school 1)'
      from privacy.registrar_conflicts c
    union all
    -- two roles of one login read together more than either alone (privacy.role_mix, issue 13);
    -- dossier grant refuses such a second grant, so this is one made before, or by hand
    select 'roles mixed', format('%s: %s + %s', x.login, x.role_a, x.role_b),
           format('reads or writes with the privileges of each role on the rows of the other (%s): give one role its own login',
                  string_agg(x.table_name::text, ', ' order by x.table_name))
      from privacy.role_mix x
     group by x.login, x.role_a, x.role_b
    union all
    -- a unit or organisation between two a login reads (privacy.scope_gap; independent attack 24):
    -- dossier grant refuses the grant that makes one, so this is a grant made by hand, or a unit
    -- added later under a school, which takes the next id, outside the school's range
    select 'scope gap', lg.login::text,
           format('reads on both sides of %s (%s): EXPLAIN (ANALYZE) counts their rows; give the grants on either side their own login',
                  g.span, g.tables)
      from (select distinct l.login from privacy.role_grant l where l.revoked_at is null) lg
     cross join lateral privacy.scope_gap_summary(lg.login) g
    union all
    -- 19.5: large objects outlive their owner's grants and bypass the access matrix
    select 'large object', lo.oid::text, format('owned by %s: application roles create none (lo_unlink it)',
                                                pg_catalog.pg_get_userbyid(lo.lomowner))
      from pg_catalog.pg_largeobject_metadata lo
    union all
    -- new functions of dossier_owner are not executable by PUBLIC (style rule 4)
    select 'default privileges', 'dossier_owner functions', 'EXECUTE is not revoked from PUBLIC by default'
     where not exists (select from pg_catalog.pg_default_acl d
                        where d.defaclrole = 'dossier_owner'::regrole and d.defaclobjtype = 'f'
                          and d.defaclnamespace = 0
                          and not exists (select from pg_catalog.aclexplode(d.defaclacl) a where a.grantee = 0))
    order by 1, 2, 3
$$;
comment on function privacy.policy_drift() is
    'Differences between the access matrix and the live catalog; no rows means no drift.';
