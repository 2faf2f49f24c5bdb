-- `dossier policy check`: the access matrix (privacy.expected_privilege, expected_policy) against
-- the live catalog — privileges from the ACLs, row security flags, pg_policies, role attributes
-- and memberships. Every difference is one row; none means no drift.

create or replace view privacy.actual_privilege as
with ours as (select oid, nspname from pg_catalog.pg_namespace
               where nspname in ('dossier', 'privacy', 'audit', 'reporting', 'mis'))
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

create or replace function privacy.policy_drift()
    returns table (kind text, object text, detail text)
    language sql stable security invoker
    set search_path = pg_catalog, pg_temp
as $$
    with expected as (
        select e.role, e.object_type, e.schema_name, e.object_name,
               e.object_name as object_name_n,
               e.column_name, e.privilege
          from privacy.expected_privilege e
    ),
    personal as (
        select c.oid, c.relname from pg_catalog.pg_class c
         where c.relnamespace = 'dossier'::regnamespace
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
     where c.relnamespace = 'dossier'::regnamespace and not c.relrowsecurity
       and (c.relname in (select table_name from privacy.org_table) or c.relname = 'subject')
    union all
    select 'missing policy', format('dossier.%s.%s', x.table_name, x.policy_name), x.command || ' to ' || x.role
      from privacy.expected_policy x
     where not exists (select from pg_catalog.pg_policies p
                        where p.schemaname = 'dossier' and p.tablename = x.table_name and p.policyname = x.policy_name)
    union all
    select 'unexpected policy', format('dossier.%s.%s', p.tablename, p.policyname), p.cmd || ' to ' || array_to_string(p.roles, ',')
      from pg_catalog.pg_policies p
     where p.schemaname = 'dossier'
       and not exists (select from privacy.expected_policy x
                        where x.table_name = p.tablename and x.policy_name = p.policyname)
    union all
    select 'changed policy', format('dossier.%s.%s', p.tablename, p.policyname),
           format('now %s to %s using (%s) with check (%s)', p.cmd, array_to_string(p.roles, ','), p.qual, p.with_check)
      from pg_catalog.pg_policies p
      join privacy.applied_policy ap on ap.table_name = p.tablename and ap.policy_name = p.policyname
     where p.schemaname = 'dossier'
       and (p.qual is distinct from ap.qual or p.with_check is distinct from ap.with_check
            or p.roles is distinct from ap.roles or p.cmd is distinct from ap.command)
    union all
    -- group roles: no login, no superuser-like attribute
    select 'role attribute', r.rolname::text,
           concat_ws(', ', case when r.rolcanlogin then 'can log in' end,
                     case when r.rolsuper then 'superuser' end, case when r.rolbypassrls then 'bypassrls' end,
                     case when r.rolcreaterole and r.rolname <> 'dossier_admin' then 'createrole' end,
                     case when r.rolcreatedb then 'createdb' end, case when r.rolreplication then 'replication' end)
      from pg_catalog.pg_roles r
     where (r.rolname in (select role from privacy.app_role) or r.rolname = 'dossier_mis')
       and (r.rolcanlogin or r.rolsuper or r.rolbypassrls or r.rolcreatedb or r.rolreplication
            or (r.rolcreaterole and r.rolname <> 'dossier_admin'))
    union all
    -- group roles are members of nothing (but dossier_owner of dossier_mis)
    select 'role membership', format('%s is a member of %s', m.rolname, g.rolname), 'group roles hold no other role'
      from pg_catalog.pg_auth_members am
      join pg_catalog.pg_roles m on m.oid = am.member
      join pg_catalog.pg_roles g on g.oid = am.roleid
     where (m.rolname in (select role from privacy.app_role) or m.rolname = 'dossier_mis')
       and not (m.rolname = 'dossier_owner' and g.rolname in ('dossier_mis', 'dossier_self'))
    union all
    -- every member of an Annex 7 role holds a registered grant (art. 9.2)
    select 'unregistered member', format('%s is a member of %s', m.rolname, g.rolname),
           'no grant in privacy.role_grant (art. 9.2): grant with `dossier grant`'
      from pg_catalog.pg_auth_members am
      join pg_catalog.pg_roles m on m.oid = am.member
      join pg_catalog.pg_roles g on g.oid = am.roleid
      join privacy.app_role ar on ar.role = g.rolname and ar.kind <> 'technical'
     where not exists (select from privacy.role_grant rg
                        where rg.login = m.rolname and rg.role = g.rolname and rg.revoked_at is null)
    union all
    -- no application login holds a predefined role that reads or writes everything
    select 'dangerous membership', format('%s is a member of %s', m.rolname, g.rolname), 'bypasses the access matrix'
      from pg_catalog.pg_auth_members am
      join pg_catalog.pg_roles m on m.oid = am.member
      join pg_catalog.pg_roles g on g.oid = am.roleid
     where g.rolname in ('pg_read_all_data', 'pg_write_all_data', 'pg_execute_server_program',
                         'pg_read_server_files', 'pg_write_server_files')
       and (m.rolname in (select role from privacy.app_role)
            or m.rolname in (select login from privacy.role_grant))
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
