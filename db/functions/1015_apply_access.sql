-- Install the access model: revoke everything the application roles and PUBLIC hold on our
-- schemas, then grant exactly privacy.expected_privilege, and create exactly
-- privacy.expected_policy (the row guards among them: restrictive) on the tables privacy.wire_table gives row security
-- (db/functions/1016_wire_table.sql), which live in schema dossier_store behind the views of schema
-- dossier (db/functions/0200_store.sql): the grants are on the views, the policies on the tables. Partitions get no grants and no policies: querying one
-- directly is refused (design: "a query on a partition does not use the parent's policies").

create or replace procedure privacy.apply_access()
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp set jit = off  -- a large plan run once: compiling it cost up to 20 s
as $$
declare
    r record;
    grantee text;
    grantees text[];
    sch text;
begin
    grantees := array(select quote_ident(role) from privacy.app_role where role <> 'dossier_owner'
                      union select 'public' union select 'dossier_mis' union select 'dossier_auditor');
    foreach grantee in array grantees loop
        foreach sch in array array['dossier', 'dossier_store', 'privacy', 'audit', 'reporting', 'mis'] loop
            execute format('revoke all on all tables in schema %I from %s', sch, grantee);
            execute format('revoke all on all sequences in schema %I from %s', sch, grantee);
            -- the owners of the MIS views and of the employee's own views keep CREATE on their schema
            if (grantee, sch) not in (('dossier_mis', 'mis'), ('dossier_self', 'reporting')) then
                execute format('revoke all on schema %I from %s', sch, grantee);
            end if;
        end loop;
    end loop;

    -- routines: those of dossier_owner and dossier_mis (privacy.sync_restricted() belongs to
    -- dossier_retention, db/functions/1420_restricted.sql, and keeps what that file gives it: nothing)
    for r in select p.oid::regprocedure as routine
               from pg_catalog.pg_proc p
              where p.pronamespace in (select oid from pg_catalog.pg_namespace
                                        where nspname in ('dossier', 'privacy', 'audit', 'reporting', 'mis'))
                and p.proowner in ('dossier_owner'::regrole, 'dossier_mis'::regrole)
    loop
        execute format('revoke all on routine %s from %s', r.routine, array_to_string(grantees, ', '));
    end loop;

    -- the policies of every table with row security (privacy.wired_table); its row security
    -- itself is privacy.wire_table's (db/functions/1016_wire_table.sql)
    for r in select p.policyname, p.schemaname, p.tablename from pg_catalog.pg_policies p
               join privacy.wired_table w on w.table_name = p.tablename
              where p.schemaname in ('dossier', 'dossier_store') loop
        execute format('drop policy %I on %I.%I', r.policyname, r.schemaname, r.tablename);
    end loop;

    for r in select * from privacy.expected_privilege order by 1, 2, 3, 4, 5, 6 loop
        if r.object_type = 'column' then
            execute format('grant %s (%I) on %I.%I to %I', r.privilege, r.column_name, r.schema_name,
                           r.object_name, r.role);
        elsif r.object_type = 'table' then
            execute format('grant %s on %I.%I to %I', r.privilege, r.schema_name, r.object_name, r.role);
        elsif r.object_type = 'sequence' then
            execute format('grant %s on sequence %I.%I to %I', r.privilege, r.schema_name, r.object_name, r.role);
        elsif r.object_type = 'schema' then
            execute format('grant usage on schema %I to %I', r.schema_name, r.role);
        elsif r.object_type = 'function' then
            execute format('grant execute on routine %I.%s to %I', r.schema_name, r.object_name, r.role);
        end if;
    end loop;

    -- what the row guard reads (privacy.row_map), before the policies that call it
    delete from privacy.policy_reach;
    insert into privacy.policy_reach (table_name, role, annex_nos, scope)
    select table_name, role, annex_nos, scope from privacy.expected_reach;

    delete from privacy.applied_policy;
    for r in select * from privacy.expected_policy order by table_name, policy_name loop
        execute format('create policy %I on %s as %s for %s to %I %s %s',
                       r.policy_name, privacy.stored(r.table_name),
                       case when r.permissive then 'permissive' else 'restrictive' end, r.command, r.role,
                       case when r.using_expr is not null then 'using (' || r.using_expr || ')' else '' end,
                       case when r.check_expr is not null then 'with check (' || r.check_expr || ')' else '' end);
        execute format('comment on policy %I on %s is %L', r.policy_name, privacy.stored(r.table_name),
                       'Derived from privacy.access_rule (004 Bijlage 7); see privacy.expected_policy.');
    end loop;
    insert into privacy.applied_policy (table_name, policy_name, roles, command, qual, with_check)
    select tablename, policyname, roles, cmd, qual, with_check
      from pg_catalog.pg_policies where schemaname in ('dossier', 'dossier_store');
end
$$;
comment on procedure privacy.apply_access() is
    'Install exactly the privileges and row policies the access matrix asks for.';
