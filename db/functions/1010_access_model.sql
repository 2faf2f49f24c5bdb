-- The access model derived from the matrix (privacy.access_rule, db/policies/1000_access_matrix.sql):
-- privacy.expected_privilege lists every privilege a role should hold on our objects, and
-- privacy.expected_policy every row policy. privacy.apply_access() installs exactly these;
-- privacy.policy_drift() (1020_policy_check.sql) compares them with the live catalog.

-- object_audience.role may name a group of roles: @users (every role that reads or writes
-- through policies), @mis (the roles with MIS access, Bijlage 7).
create or replace function privacy.audience_roles(p_role name) returns setof name
    language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
    select case when p_role not like '@%' then p_role end where p_role not like '@%'
    union all
    select ar.role from privacy.app_role ar
     where (p_role = '@users' and (ar.kind <> 'technical' or ar.role in ('dossier_importer', 'dossier_retention',
                                                                        'dossier_self')))
        or (p_role = '@mis' and ar.mis)
$$;

create or replace function privacy.key_columns() returns text[]
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$ select array['id', 'record_id', 'annex', 'org_id', 'unit_id', 'subject_id', 'enrolment_id',
                   'activity_id', 'session_id', 'invoice_id']::text[] $$;
comment on function privacy.key_columns() is 'Key columns every reader of a personal-data table gets.';

create or replace function privacy.bookkeeping_columns() returns text[]
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$ select array['legal_basis', 'source', 'collected_on', 'ended_on', 'retention_consent',
                   'deceased_on', 'created_at', 'updated_at']::text[] $$;
comment on function privacy.bookkeeping_columns() is
    'Bookkeeping columns of a record, readable by roles with app_role.bookkeeping.';

-- Columns a writer sets besides the data columns (keys, legal basis, source, retention clock).
create or replace function privacy.writable_technical_columns(p_table name, p_privilege text) returns text[]
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$
    select case
        when p_table = 'person_record' and p_privilege = 'INSERT' then
            array['annex', 'subject_id', 'org_id', 'unit_id', 'legal_basis', 'source', 'collected_on',
                  'ended_on', 'retention_consent', 'deceased_on']
        when p_table = 'person_record' then
            array['unit_id', 'legal_basis', 'source', 'ended_on', 'retention_consent', 'deceased_on']
        when p_privilege = 'INSERT' then
            array['record_id', 'enrolment_id', 'activity_id', 'session_id', 'invoice_id']
        else array['enrolment_id', 'activity_id', 'session_id', 'invoice_id']
    end::text[]
$$;

-- (role, table, column, privilege, annex, scope) for every personal-data column a rule covers.
-- A rule read in 'self' scope (art. 13.1) is held by dossier_self, the owner of the functions an
-- employee reads their own data through (db/policies/1007_self.sql): employee_self has no
-- table privilege that another person's row could answer to (issue 13).
create or replace view privacy.rule_column as
select case when r.read_scope = 'self' then 'dossier_self'::name else r.role end as role,
       'person_record'::name as table_name, cc.column_name::name as column_name, r.annex,
       r.can_read, r.read_scope, r.write_privileges, r.write_scope
  from privacy.access_rule r
  join privacy.column_category cc on cc.table_name = 'person_record' and cc.category = r.category
 where r.columns is null or cc.column_name = any (r.columns)
union all
select case when r.read_scope = 'self' then 'dossier_self'::name else r.role end,
       pt.table_name::name, cc.column_name::name, r.annex,
       r.can_read, r.read_scope, r.write_privileges, r.write_scope
  from privacy.access_rule r
  join privacy.personal_table pt on pt.category = r.category
  join privacy.column_category cc on cc.table_name = pt.table_name
 where (r.tables is null or pt.table_name = any (r.tables))
   and (r.columns is null or cc.column_name = any (r.columns));
comment on view privacy.rule_column is 'The access matrix expanded to columns.';

create or replace view privacy.matrix_privilege as
with cols as (
    select a.attrelid::regclass::text as qualified, c.relname as table_name, a.attname as column_name
      from pg_catalog.pg_attribute a
      join pg_catalog.pg_class c on c.oid = a.attrelid
     where c.relnamespace = 'dossier'::regnamespace and a.attnum > 0 and not a.attisdropped
),
readers as (select distinct role, table_name from privacy.rule_column where can_read),
writers as (select distinct rc.role, rc.table_name, upper(p) as privilege
              from privacy.rule_column rc, unnest(rc.write_privileges) p),
column_grants as (
    select rc.role, rc.table_name, rc.column_name, 'SELECT'::text as privilege
      from privacy.rule_column rc where rc.can_read
    union
    select r.role, r.table_name, c.column_name, 'SELECT'
      from readers r join cols c on c.table_name = r.table_name
     where c.column_name = any (privacy.key_columns())
    union
    select r.role, r.table_name, c.column_name, 'SELECT'
      from readers r join privacy.app_role ar on ar.role = r.role and ar.bookkeeping
      join cols c on c.table_name = r.table_name
     where c.column_name = any (privacy.bookkeeping_columns())
    union
    -- the personnel number is the database's (db/functions/0330_admin_number.sql)
    select rc.role, rc.table_name, rc.column_name, upper(p)
      from privacy.rule_column rc, unnest(rc.write_privileges) p
     where p in ('insert', 'update') and (rc.table_name, rc.column_name) <> ('person_record', 'admin_number')
    union
    select w.role, w.table_name, c.column_name, w.privilege
      from writers w join cols c on c.table_name = w.table_name
     where w.privilege in ('INSERT', 'UPDATE')
       and c.column_name = any (privacy.writable_technical_columns(w.table_name, w.privilege))
)
select g.role, 'column'::text as object_type, 'dossier'::name as schema_name, g.table_name as object_name,
       g.column_name, g.privilege
  from column_grants g
 -- a column a CHECK constraint ties to a column the role may not read is not updatable: whether
 -- the update is accepted would tell the hidden value (`last_day >= first_day` told the absence
 -- registrar every last_day by bisection on first_day: independent attack 21). Inserting is
 -- harmless: the row's other columns are then the caller's own.
 where not (g.privilege = 'UPDATE' and exists (
           select from pg_catalog.pg_constraint k
             join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = any (k.conkey)
             join pg_catalog.pg_attribute b on b.attrelid = k.conrelid and b.attnum = any (k.conkey)
            where k.conrelid = privacy.stored(g.table_name) and k.contype = 'c' and a.attname = g.column_name
              and not exists (select from column_grants r
                               where r.role = g.role and r.table_name = g.table_name
                                 and r.column_name = b.attname and r.privilege = 'SELECT')))
union all
-- DELETE is a table privilege
select role, 'table', 'dossier', table_name, null, privilege from writers where privilege = 'DELETE'
union all
-- writers of records create the subject key (no personal data) and see their organisation's keys;
-- they name only its organisation: the key itself and its creation time come from the database
-- (issue 13 item 5: no planted ids, no backdating)
select distinct w.role, 'table', 'dossier', 'subject', null, 'SELECT'
  from writers w where w.table_name = 'person_record' and w.privilege = 'INSERT'
union all
select distinct w.role, 'column', 'dossier', 'subject', 'org_id', 'INSERT'
  from writers w where w.table_name = 'person_record' and w.privilege = 'INSERT'
union all
-- the organisation tree is not personal data: every role that reads or writes anything sees it
select distinct ar.role, 'table', 'dossier', 'org_unit', null, 'SELECT'
  from privacy.app_role ar where ar.kind <> 'technical' or ar.role in ('dossier_importer', 'dossier_retention', 'dossier_admin')
union all
-- the training catalogue (no personal data) for the roles that read the training passport
select distinct r.role, 'table', 'dossier', t.name, null, 'SELECT'
  from readers r, (values ('training_provider'), ('training_activity'), ('training_session'),
                          ('provider_invoice')) t(name)
 where r.table_name = 'enrolment'
union all
select distinct w.role, 'table', 'dossier', t.name, null, 'DELETE'
  from writers w, (values ('training_provider'), ('training_activity'), ('training_session'),
                          ('provider_invoice')) t(name)
 where w.table_name = 'enrolment' and w.privilege = 'INSERT'
union all
-- every column but the key, which the database assigns
select distinct w.role, 'column', 'dossier', c.table_name, c.column_name, p.p
  from writers w, cols c, (values ('INSERT'), ('UPDATE')) p(p)
 where w.table_name = 'enrolment' and w.privilege = 'INSERT'
   and c.table_name in ('training_provider', 'training_activity', 'training_session', 'provider_invoice')
   and c.column_name <> 'id'
union all
-- the technical roles: exactly what privacy.technical_access lists (USAGE is on a sequence)
select t.role, case when t.columns is not null then 'column' when t.privilege = 'USAGE' then 'sequence'
                    else 'table' end,
       -- an identity sequence moved with its table (db/functions/0200_store.sql)
       case when t.privilege = 'USAGE' and pg_catalog.to_regclass(pg_catalog.format('dossier_store.%I', t.object_name)) is not null
            then 'dossier_store' else 'dossier' end::name,
       t.object_name, c.column_name, t.privilege
  from privacy.technical_access t
  left join lateral unnest(t.columns) c(column_name) on true
union all
select x.role, case when o.privilege = 'EXECUTE' then 'function' else 'table' end,
       o.schema_name, o.object_name, null, o.privilege
  from privacy.object_audience o
  cross join lateral privacy.audience_roles(o.role) x(role)
union all
-- schema usage follows from the objects a role may use
select distinct x.role, 'schema', x.schema_name, x.schema_name, null, 'USAGE'
  from (select x.role, o.schema_name from privacy.object_audience o
          cross join lateral privacy.audience_roles(o.role) x(role)
        union select role, 'dossier' from readers
        union select role, 'dossier' from writers
        union select role, 'dossier' from privacy.technical_access
        union select role, 'dossier' from privacy.app_role
         where kind <> 'technical' or role in ('dossier_importer', 'dossier_retention', 'dossier_admin')) x
 where not (x.role = 'dossier_mis' and x.schema_name = 'mis')  -- granted USAGE, CREATE once (V1000)
   and x.role <> 'dossier_owner';  -- owns the schemas (it executes dossier_retention's request helpers, 1415)
comment on view privacy.matrix_privilege is
    'Every privilege the access matrix gives a role on the objects users name (the views of schema dossier among them).';

-- What apply_access installs: the matrix's privileges, and on each table behind a view of schema
-- dossier (db/functions/0200_store.sql) the same kinds of privilege, table-wide: the view is
-- security_invoker and names every column (`select *`), so its caller needs them all on the
-- table; what the caller may read or change is what it holds on the view. Nobody can name the
-- table (no USAGE on dossier_store) but the importer, whose MERGE cannot go through a view and
-- whose own column privileges on the view stay the feed's. dossier_auditor holds its SELECT on the
-- views only: pgaudit logs a read once, as the view the caller named.
create or replace view privacy.expected_privilege as
select * from privacy.matrix_privilege
union all
select distinct m.role, 'table'::text, 'dossier_store'::name, m.object_name, null::name, m.privilege
  from privacy.matrix_privilege m
  join pg_catalog.pg_class c on c.relnamespace = 'dossier_store'::regnamespace and c.relname = m.object_name
 where m.schema_name = 'dossier' and m.object_type in ('table', 'column')
   and m.privilege in ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
   and m.role <> 'dossier_auditor'
union all
select 'dossier_importer', 'schema', 'dossier_store', 'dossier_store', null, 'USAGE';
comment on view privacy.expected_privilege is
    'Every privilege apply_access installs: the access matrix''s, and what the views of schema dossier need on their tables.';

-- The scope test of a row policy. privacy.scope() is folded to a constant array when the
-- statement is planned (db/functions/1000_access_helpers.sql), so the test is an ordinary
-- comparison with a constant: no InitPlan whose execution EXPLAIN (ANALYZE) could show, and an
-- index condition where the scope column leads an index. The row guard runs before it.
create or replace function privacy.scope_expr(p_role name, p_scope text) returns text
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$
    select case p_scope
        when 'org' then format('org_id = any (privacy.scope(%L, ''org''))', p_role)
        when 'unit' then format('unit_id = any (privacy.scope(%L, ''unit''))', p_role)
        when 'self' then 'subject_id = any (privacy.scope(''employee_self'', ''self''))'
    end
$$;

-- The annex test of a row policy (on person_record, the partition key: the planner prunes by it).
-- What runs first on every row is the row guard (privacy.guard_expr), not this test.
create or replace function privacy.annex_expr(p_annexes text[], p_table name) returns text
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$ select format('annex = any (%L::text[])', p_annexes) $$;
comment on function privacy.annex_expr(text[], name) is 'The annex test of a row policy.';

-- The row guard of a table (issue 13; db/schema/V1990__row_guard.sql): one RESTRICTIVE SELECT
-- policy per reading role, the same test for all of them, made only of steps PostgreSQL prices at
-- zero (an array element, NOT, a boolean column), so it runs before any condition of the caller.
-- Personal data: the (annex, unit) cells the login's roles read; a restricted person's row only in
-- the cells of its roles that handle requests. Organisation data and the subject keys: the
-- login's organisations. Then the same as bounds (the arrays' own bounds: the lowest and highest
-- unit and organisation): ordinary comparisons, priced above zero, so they run after the zero-cost
-- steps, but an index condition on every plain index, which ends with those columns
-- (privacy.wire_table): rows outside them are not fetched, so EXPLAIN (ANALYZE) cannot count them.
-- And the flag as an integer, `restricted::integer <= 0` where no role of the login sees restricted
-- persons (`<= 1` where one does): the same on the index, rechecked on a lossy bitmap page as the
-- policy's `not restricted` on a boolean column is not (independent attack 25).
create or replace function privacy.guard_expr(p_table name) returns text
    language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
    select case when p_table in (select table_name from privacy.personal_table)
                then format('(privacy.row_map(%1$L, false))[annex_no][unit_no] '
                            'and (not restricted or (privacy.row_map(%1$L, true))[annex_no][unit_no])'
                            ' and annex_no >= array_lower(privacy.row_map(%1$L, false), 1)'
                            ' and annex_no <= array_upper(privacy.row_map(%1$L, false), 1)'
                            ' and unit_id >= array_lower(privacy.row_map(%1$L, false), 2)'
                            ' and unit_id <= array_upper(privacy.row_map(%1$L, false), 2)'
                            ' and restricted::integer <= least(cardinality(privacy.row_map(%1$L, true)), 1)', p_table)
                else format('(privacy.org_map(%L))[org_no]', p_table) end
        || format(' and org_id >= array_lower(privacy.org_map(%1$L), 1)'
                  ' and org_id <= array_upper(privacy.org_map(%1$L), 1)', p_table)
$$;
comment on function privacy.guard_expr(name) is
    'The row guard''s test on a table: zero-cost, folded at plan time, run before any condition of the caller.';

-- The organisation scope of a role on organisation data (privacy.org_table) and, for the HR
-- importer, on everything it touches: the importer reaches only the organisation of the run in
-- progress (privacy.import_org(), set by privacy.begin_import; issue 14 item 2). The technical
-- roles that serve every organisation (grants, retention, MIS aggregates) read all of it.
create or replace function privacy.org_scope_expr(p_role name) returns text
    language sql immutable security invoker set search_path = pg_catalog, pg_temp
as $$
    select case
        when p_role = 'dossier_importer' then 'org_id = (select privacy.import_org())'
        when p_role in ('dossier_admin', 'dossier_retention', 'dossier_mis') then 'true'
        when p_role = 'dossier_self' then privacy.scope_expr('employee_self', 'org')
        else privacy.scope_expr(p_role, 'org')
    end
$$;
comment on function privacy.org_scope_expr(name) is
    'The row-policy test of a role on organisation data: its organisations (the importer: the run''s).';

-- Restricted processing (art. 13.6; AVG art. 18; db/functions/1410_requests.sql): every role but
-- those handling requests and the subject themself stops seeing a restricted subject's records.
-- The rows carry the flag (kept from privacy.restriction, db/functions/1420_restricted.sql), so
-- the test costs nothing per statement; a policy expression needs no column privilege.
create or replace function privacy.restriction_expr(p_role name) returns text
    language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
    select case when p_role in ('employee_self', 'dossier_self')
                  or exists (select from privacy.app_role r where r.role = p_role and r.handles_requests)
                then ''
                else ' and not restricted' end
$$;

-- What each reading role reaches of each personal-data table: the annexes (as numbers) and the
-- scope kind of its SELECT policy. privacy.apply_access() keeps privacy.policy_reach equal to it;
-- the row guard (privacy.row_map) reads that table.
create or replace view privacy.expected_reach as
select rc.table_name, rc.role,
       array_agg(distinct dossier.annex_no(rc.annex) order by dossier.annex_no(rc.annex)) as annex_nos,
       min(rc.read_scope) as scope
  from privacy.rule_column rc
  join privacy.app_role ar on ar.role = rc.role and ar.kind <> 'technical'
 where rc.can_read and rc.read_scope in ('unit', 'org')
 group by rc.table_name, rc.role;
comment on view privacy.expected_reach is
    'Annexes and scope kind of each non-technical role''s SELECT policy on each personal-data table.';

create or replace view privacy.expected_policy as
with reads as (
    select role, table_name, array_agg(distinct annex order by annex) as annexes, min(read_scope) as scope
      from privacy.rule_column where can_read group by role, table_name
),
writes as (
    select rc.role, rc.table_name, p as command, array_agg(distinct rc.annex order by rc.annex) as annexes,
           min(rc.write_scope) as scope
      from privacy.rule_column rc, unnest(rc.write_privileges) p
     group by rc.role, rc.table_name, p
),
base as (
select r.table_name, ('select_' || r.role)::name as policy_name, r.role, 'SELECT'::text as command,
       privacy.annex_expr(r.annexes, r.table_name) || ' and ' || privacy.scope_expr(r.role, r.scope)
           || privacy.restriction_expr(r.role) as using_expr,
       null::text as check_expr
  from reads r
union all
select w.table_name, (w.command || '_' || w.role)::name, w.role, upper(w.command),
       case when w.command <> 'insert' then
            privacy.annex_expr(w.annexes, w.table_name) || ' and ' || privacy.scope_expr(w.role, w.scope)
            || privacy.restriction_expr(w.role) end,
       case when w.command <> 'delete' then
            privacy.annex_expr(w.annexes, w.table_name) || ' and ' || privacy.scope_expr(w.role, w.scope) end
  from writes w
union all
-- the subject key: writers of records see and create the keys of their organisations
select 'subject'::name, (p.cmd || '_' || w.role)::name, w.role, upper(p.cmd),
       case when p.cmd = 'select' then privacy.scope_expr(w.role, 'org') end,
       case when p.cmd = 'insert' then privacy.scope_expr(w.role, 'org') end
  from (select distinct role from writes where table_name = 'person_record' and command = 'insert') w,
       (values ('select'), ('insert')) p(cmd)
union all
-- the technical roles (privacy.technical_access): every row of the annexes their job covers
select t.object_name, (lower(t.privilege) || '_' || t.role)::name, t.role, t.privilege,
       case when t.privilege <> 'INSERT' then x.expr end,
       case when t.privilege in ('INSERT', 'UPDATE') then x.expr end
  from privacy.technical_access t
 cross join lateral (select concat_ws(' and ',
                                case when t.annexes is not null then format('annex = any (%L::text[])', t.annexes) end,
                                case when t.role = 'dossier_importer' then privacy.org_scope_expr(t.role) end,
                                case when t.annexes is null and t.role <> 'dossier_importer' then 'true' end) as expr) x
 where t.object_name in (select table_name from privacy.personal_table) or t.object_name = 'subject'
union all
-- dossier_mis owns the MIS views: it reads every row the aggregates need (the views aggregate
-- and suppress small cells; nobody reads these tables through dossier_mis otherwise)
select t.table_name, 'select_dossier_mis'::name, 'dossier_mis'::name, 'SELECT',
       'true' || privacy.restriction_expr('dossier_mis'), null
  from privacy.object_audience o
  cross join lateral (select o.object_name as table_name) t
 where o.role = 'dossier_mis' and o.schema_name = 'dossier' and o.privilege = 'SELECT'
   and o.object_name in (select table_name from privacy.personal_table)
union all
-- organisation data that is not about a person (privacy.org_table, issue 14): every role that
-- reads or writes it does so in its organisations only
select p.object_name, (lower(p.privilege) || '_' || p.role)::name, p.role, p.privilege,
       case when p.privilege <> 'INSERT' then privacy.org_scope_expr(p.role) end,
       case when p.privilege in ('INSERT', 'UPDATE') then privacy.org_scope_expr(p.role) end
  from (select distinct e.role, e.object_name, e.privilege from privacy.expected_privilege e
         where e.schema_name = 'dossier' and e.object_name in (select table_name from privacy.org_table)
           and e.privilege in ('SELECT', 'INSERT', 'UPDATE', 'DELETE')) p
)
select table_name, policy_name, role, command, using_expr, check_expr, true as permissive from base
union all
-- the row guard (issue 13): one RESTRICTIVE SELECT policy per reading role, run before anything
-- else on every row; the technical roles and dossier_self (the employee's own functions) have none
select x.table_name, ('guard_' || x.role)::name, x.role, 'SELECT', privacy.guard_expr(x.table_name), null, false
  from privacy.expected_reach x
union all
select distinct e.object_name, ('guard_' || e.role)::name, e.role, 'SELECT', privacy.guard_expr(e.object_name),
       null::text, false
  from privacy.expected_privilege e
  join privacy.app_role ar on ar.role = e.role and ar.kind <> 'technical'
 where e.schema_name = 'dossier' and e.privilege = 'SELECT'
   and (e.object_name in (select table_name from privacy.org_table) or e.object_name = 'subject');
comment on view privacy.expected_policy is 'Every row policy the access matrix asks for.';

-- the one-argument form of before (the views above no longer call it)
drop function if exists privacy.annex_expr(text[]);

-- Two roles held by one login mix (independent attack 21): PostgreSQL ORs column privileges and
-- permissive policies separately, so the login reads the columns of either role on the rows of
-- either. A school manager of one school who is also the absence registrar of another reads the
-- manager's columns (e-mail, last day) on the other school's rows: neither grant gives that. Two
-- roles A and B mix on a table both reach when A holds a privilege B lacks and B reaches rows A
-- does not (then A's privilege reaches them), or the reverse. One role's privileges within the
-- other's, or the same rows, is safe. Reading and writing are judged apart: the rows a role may
-- write (its write scope) can be fewer than those it reads. Rows: (annex, unit, restricted) cells
-- of personal data, organisations elsewhere. Grants: every one not closed, so in force, to come,
-- or past its last day until privacy.expire_grants closes it and drops the membership
-- (independent attack 23: a second role granted in that gap was checked against nothing). Read
-- by privacy.grant_access (which refuses a mixing grant) and `dossier policy check`.
create or replace view privacy.role_mix as
with orgs as (
    select distinct g.login, g.role, u.org_id
      from privacy.role_grant g join dossier.org_unit u on u.id = g.unit_id
     where g.revoked_at is null
),
held as (
    select distinct login, role from orgs
),
-- what each role holds on the views, from the catalog (a table privilege covers every column)
privs as (
    select x.grantee, c.relname as table_name,
           case when x.privilege_type = 'SELECT' then 'read' else 'write' end as kind,
           array_agg(distinct a.attname || ' ' || x.privilege_type) as privs
      from pg_catalog.pg_class c
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
     cross join lateral (select e.grantee, e.privilege_type from pg_catalog.aclexplode(a.attacl) e
                         union all
                         select e.grantee, e.privilege_type from pg_catalog.aclexplode(c.relacl) e) x
     where c.relnamespace = 'dossier'::regnamespace
       and x.privilege_type in ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
       and (c.relname in (select table_name from privacy.personal_table)
            or c.relname in (select table_name from privacy.org_table) or c.relname = 'subject')
     group by 1, 2, 3
),
-- the annexes and scope kind of each role's reading and writing of each personal-data table
-- (scope: 'org' is the wider, as in privacy.expected_policy)
reaches as (
    select pr.role, pr.table_name, 'read'::text as kind, pr.annex_nos, pr.scope from privacy.policy_reach pr
    union all
    select rc.role, rc.table_name, 'write',
           array_agg(distinct dossier.annex_no(rc.annex)), min(rc.write_scope)
      from privacy.rule_column rc
     where rc.write_privileges <> '{}' and rc.write_scope in ('unit', 'org')
     group by rc.role, rc.table_name
),
-- the units each held role reaches, by its grants' subtrees (unit scope) or organisations (org scope)
units as (
    select gu.login, gu.role, gu.unit_id, 'unit'::text as scope
      from privacy.grant_unit gu
    union
    select o.login, o.role, u.id, 'org'
      from orgs o join dossier.org_unit u on u.org_id = o.org_id
),
cells as (
    select un.login, un.role, re.table_name, re.kind,
           array_agg(distinct format('%s %s %s', a.n, un.unit_id, r.restricted)) as cells
      from units un
      join reaches re on re.role = un.role and re.scope = un.scope
     cross join lateral unnest(re.annex_nos) a(n)
      join privacy.app_role ar on ar.role = un.role
     cross join lateral unnest(case when ar.handles_requests then array[false, true] else array[false] end) r(restricted)
     group by un.login, un.role, re.table_name, re.kind
    union all
    select o.login, o.role, t.table_name, k.kind, array_agg(distinct o.org_id::text)
      from orgs o
     cross join (select table_name from privacy.org_table union select 'subject') t
     cross join (values ('read'), ('write')) k(kind)
     group by o.login, o.role, t.table_name, k.kind
),
reach as (
    select h.login, h.role, p.table_name, p.kind, p.privs, coalesce(c.cells, '{}') as cells
      from held h
      join privs p on p.grantee = h.role::regrole
      left join cells c on c.login = h.login and c.role = h.role and c.table_name = p.table_name and c.kind = p.kind
)
select distinct a.login, a.role as role_a, b.role as role_b, a.table_name
  from reach a
  join reach b on b.login = a.login and b.table_name = a.table_name and b.kind = a.kind and a.role < b.role
 where (not a.privs <@ b.privs and not b.cells <@ a.cells)
    or (not b.privs <@ a.privs and not a.cells <@ b.cells);
comment on view privacy.role_mix is
    'Logins holding two roles whose union reads more than either on a table (columns of one on rows of the other).';

-- The cells a login's row guard would fetch and then remove (issue 13, independent attack 24).
-- The guard states its cells' bounds as ranges (privacy.guard_expr): `annex_no`, `unit_id` and
-- `org_id` between the lowest and the highest the login reads, and `not restricted` where no role
-- of the login reading the table handles requests. Every plain index ends with those columns, so a
-- row outside the ranges is never fetched. A row inside them whose cell the login does not read is
-- fetched and removed by the guard, and EXPLAIN (ANALYZE) counts it as "Rows Removed by Filter":
-- a school manager of S1 and S3 counted the absences of a person of S2, between them. This lists,
-- per table, those cells: (annex, unit, restricted) of personal data that the table's annex
-- whitelist allows (any annex on person_record), existing units of an organisation inside the
-- bounds; organisations inside the bounds on organisation data and the subject keys.
-- The guard reads the grants in force on the day, so the cells are judged for every day from
-- today on on which the login's grants change: today, each grant's first day still to come, and
-- the day after each last day (independent attack 25: S1, S2 until today, S3 were accepted, and
-- from tomorrow S2 lay between). `day` is the first day of the gap; a gap ends when a grant
-- around it does.
-- privacy.grant_access refuses a grant that leaves one (give the grant its own login);
-- privacy.revoke_access warns; `dossier policy check` reports one made otherwise (a unit added
-- later under a school takes the next id, outside the school's range).
drop function if exists privacy.scope_gap_summary(name);
drop function if exists privacy.scope_gap(name);
create function privacy.scope_gap(p_login name)
    returns table (day date, table_name name, annex_no integer, unit_id bigint, restricted boolean, org_id bigint)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: reads the grants register, which no login reads.
with today as (
    select privacy.scope_day() as d
),
grants as (
    select g.id, g.role, g.unit_id, g.valid_from, g.valid_until
      from privacy.role_grant g
     where g.login = p_login and g.revoked_at is null
       and (g.valid_until is null or g.valid_until >= (select d from today))
),
days as (
    select d from today
    union
    select x from grants g cross join lateral (values (g.valid_from), (g.valid_until + 1)) v(x)
     where x > (select d from today)
),
orgs as (
    select distinct dy.d, g.role, u.org_id
      from days dy join grants g on dy.d >= g.valid_from and (g.valid_until is null or dy.d <= g.valid_until)
      join dossier.org_unit u on u.id = g.unit_id
),
units as (
    select dy.d, gu.role, gu.unit_id, 'unit'::text as scope
      from days dy join privacy.grant_unit gu on gu.login = p_login and gu.grant_id in (select id from grants)
                                              and dy.d >= gu.valid_from and (gu.valid_until is null or dy.d <= gu.valid_until)
    union
    select o.d, o.role, u.id, 'org' from orgs o join dossier.org_unit u on u.org_id = o.org_id
),
-- what the guard lets through on each day: (table, annex, unit, restricted)
cells as (
    select distinct un.d, p.table_name, a.n as annex_no, un.unit_id, r.restricted
      from units un
      join privacy.policy_reach p on p.role = un.role and p.scope = un.scope
      join privacy.app_role ar on ar.role = un.role
     cross join lateral unnest(p.annex_nos) a(n)
     cross join lateral unnest(case when ar.handles_requests then array[false, true] else array[false] end) r(restricted)
),
bounds as (
    select c.d, c.table_name, min(c.annex_no) as alo, max(c.annex_no) as ahi, min(c.unit_id) as ulo,
           max(c.unit_id) as uhi, min(u.org_id) as olo, max(u.org_id) as ohi, bool_or(c.restricted) as any_restricted
      from cells c join dossier.org_unit u on u.id = c.unit_id
     group by c.d, c.table_name
),
-- the annexes a table's rows may have: its category's (the whitelist, privacy.annex_category);
-- person_record, one partition per annex, any
annexes as (
    select pt.table_name::name as table_name, dossier.annex_no(ac.annex) as n
      from privacy.personal_table pt join privacy.annex_category ac on ac.category = pt.category
    union
    select 'person_record', dossier.annex_no(pa.code) from privacy.processing_activity pa
),
-- organisations whose rows of organisation data (and of the subject keys) a role reading them reaches
org_reach as (
    select distinct o.d, t.table_name, o.org_id
      from orgs o
      join privacy.app_role ar on ar.role = o.role and ar.kind <> 'technical'
     cross join (select ot.table_name::name as table_name from privacy.org_table ot union select 'subject') t
     where pg_catalog.has_any_column_privilege(o.role, pg_catalog.format('dossier.%I', t.table_name), 'SELECT')
),
gap as (
    select b.d, b.table_name, a.n, u.id, r.restricted, u.org_id
      from bounds b
      join annexes a on a.table_name = b.table_name and a.n between b.alo and b.ahi
      join dossier.org_unit u on u.id between b.ulo and b.uhi and u.org_id between b.olo and b.ohi
     cross join lateral unnest(case when b.any_restricted then array[false, true] else array[false] end) r(restricted)
     where not exists (select from cells c where c.d = b.d and c.table_name = b.table_name and c.annex_no = a.n
                                             and c.unit_id = u.id and c.restricted = r.restricted)
    union all
    select x.d, x.table_name, null, null, null, o.org_id
      from (select r.d, r.table_name, min(r.org_id) as lo, max(r.org_id) as hi from org_reach r group by r.d, r.table_name) x
      join (select distinct u.org_id from dossier.org_unit u) o on o.org_id between x.lo and x.hi
     where not exists (select from org_reach r where r.d = x.d and r.table_name = x.table_name and r.org_id = o.org_id)
)
-- each cell once, from the first day it lies in a gap
select min(g.d), g.table_name, g.n, g.id, g.restricted, g.org_id
  from gap g
 group by g.table_name, g.n, g.id, g.restricted, g.org_id
$$;
comment on function privacy.scope_gap(name) is
    'Cells inside the row guard''s bounds that a login does not read, today or on a day its grants change: rows there would be fetched and counted by EXPLAIN (ANALYZE).';
revoke all on function privacy.scope_gap(name) from public;

-- The same, said in a line: the highest units of the gap (a school, not its teams), or its
-- organisations, at most five named; the tables; whether only restricted persons' rows lie there;
-- the first day (today, or the day a grant starts or ends); `span`, the units and that day as the
-- messages say them ("DEMO-EDU-S2", "DEMO-EDU-S2 from 2026-12-03"). No row when there is no gap.
-- Read by privacy.grant_access, privacy.revoke_access and privacy.policy_drift.
create function privacy.scope_gap_summary(p_login name)
    returns table (units text, tables text, restricted_only boolean, first_day date, span text)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: reads the grants register (through privacy.scope_gap).
with gap as (
    select * from privacy.scope_gap(p_login)
),
named as (
    select distinct u.code
      from gap g
      join dossier.org_unit u on u.id = coalesce(g.unit_id, g.org_id)
     where g.unit_id is null
        or u.parent_id is null
        or not exists (select from gap p where p.unit_id = u.parent_id and p.table_name = g.table_name)
)
select x.units, x.tables, x.restricted_only, x.first_day,
       x.units || case when x.first_day > privacy.scope_day() then ' from ' || x.first_day else '' end
  from (select (select string_agg(n.code, ', ' order by n.code) from (select code from named order by code limit 5) n)
               || case when (select count(*) from named) > 5
                       then format(' and %s more', (select count(*) from named) - 5) else '' end as units,
               (select string_agg(distinct g.table_name, ', ') from gap g) as tables,
               (select bool_and(coalesce(g.restricted, false)) from gap g) as restricted_only,
               (select min(g.day) from gap g) as first_day
         where exists (select from gap)) x
$$;
comment on function privacy.scope_gap_summary(name) is
    'privacy.scope_gap in a line: the highest units (or organisations) of the gap, the tables, whether only restricted rows, from when.';
revoke all on function privacy.scope_gap_summary(name) from public;
