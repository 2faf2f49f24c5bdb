-- The derived access model as one readable text (issue 18 item 1): every GRANT on our objects,
-- every row-security switch and row policy, and the memberships among the product's roles, as
-- SQL statements, sorted and stable (no OIDs, no times). tests/expected/access.sql holds it for a
-- freshly migrated database; tests/test_snapshot.py fails on any difference and `make snapshot`
-- writes it again, so a matrix edit shows in review as a GRANT / POLICY diff.
create or replace view privacy.access_snapshot as
with grants as (
    select a.role, a.object_type, a.schema_name, a.object_name, a.privilege,
           string_agg(quote_ident(a.column_name), ', ' order by a.column_name) as columns
      from privacy.actual_privilege a
     group by a.role, a.object_type, a.schema_name, a.object_name, a.privilege,
              (a.column_name is null)
),
lines as (
    select 1 as part, format('grant %s%s on %s%s to %s;', lower(g.privilege),
                  coalesce(' (' || g.columns || ')', ''),
                  case when g.object_type in ('sequence', 'schema', 'function') then g.object_type || ' '
                       else '' end,
                  case when g.object_type = 'schema' then quote_ident(g.schema_name)
                       else quote_ident(g.schema_name) || '.' || g.object_name end,
                  case when g.role = 'public' then 'public' else quote_ident(g.role) end) as line
      from grants g
    union all
    select 2, format('alter table %I.%I %s row level security;', n.nspname, c.relname,
                     case when c.relforcerowsecurity then 'enable, force' else 'enable' end)
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('dossier', 'dossier_store') and c.relrowsecurity
    union all
    select 3, format('create policy %I on %I.%I as %s for %s to %s%s%s;', p.policyname, p.schemaname,
                     p.tablename, lower(p.permissive), lower(p.cmd), array_to_string(p.roles, ', '),
                     coalesce(' using (' || p.qual || ')', ''), coalesce(' with check (' || p.with_check || ')', ''))
      from pg_catalog.pg_policies p
     where p.schemaname in ('dossier', 'dossier_store')
    union all
    select 4, format('grant %I to %I;', g.rolname, m.rolname)
      from pg_catalog.pg_auth_members am
      join pg_catalog.pg_roles m on m.oid = am.member
      join pg_catalog.pg_roles g on g.oid = am.roleid
     where (m.rolname in (select role from privacy.app_role)
            or m.rolname in ('dossier_mis', 'dossier_self', 'dossier_auditor', 'dossier_cron'))
)
select part, line collate "C" as line from lines;
comment on view privacy.access_snapshot is
    'The live grants, row security and policies as sorted SQL text (tests/expected/access.sql).';
