-- Access (004 art. 9, 10; Bijlage 7): the roles as data, the access matrix, the grants register
-- (art. 9.2) and the settings the policies read. The matrix rows themselves are policy and live
-- in db/policies/1000_access_matrix.sql; privacy.apply_access() derives the live column
-- privileges and row policies from them (db/functions/1010_apply_access.sql).

-- One row per database role of contract §3, with its Annex 7 text.
create table privacy.app_role (
    role           name primary key,
    kind           text not null,
    annex7_row     text,
    motivation_nl  text not null,
    data_nl        text not null,
    bookkeeping    boolean not null default false,
    mis            boolean not null default false,
    constraint app_role_kind check (kind in ('annex7', 'implied', 'technical'))
);
comment on table privacy.app_role is
    'Database roles: one per Bijlage 7 row plus the roles the seeds imply (contract §3).';
comment on column privacy.app_role.bookkeeping is
    'May read a record''s bookkeeping columns (legal basis, source, dates), not only its keys.';
comment on column privacy.app_role.mis is 'May read the management information views (mis.*).';

-- The access matrix: role × annex × category, read and write, with their scopes.
create table privacy.access_rule (
    role          name not null references privacy.app_role (role),
    annex         text not null references privacy.processing_activity (code),
    category      text not null references privacy.data_category (code),
    columns       text[],
    can_read      boolean not null default true,
    read_scope    text,
    write_privileges text[] not null default '{}',
    write_scope   text,
    tables        text[],
    note          text,
    primary key (role, annex, category),
    constraint access_rule_scope_known check (read_scope in ('org', 'unit', 'self')
                                              and (write_scope is null or write_scope in ('org', 'unit'))),
    constraint access_rule_write_known check (write_privileges <@ array['insert', 'update', 'delete']),
    constraint access_rule_write_scoped check ((write_scope is null) = (cardinality(write_privileges) = 0)),
    constraint access_rule_category_listed foreign key (annex, category)
        references privacy.annex_category (annex, category)
);
comment on table privacy.access_rule is
    'The access matrix (Bijlage 7, contract §3): which role reads/writes which category of which annex, '
    'in which scope. columns/tables narrow a category where Bijlage 7 lists only some fields.';

-- Grants: art. 9.2 "registreren in het bestand" (Bijlage 7). Never deleted: a revoke closes it.
create table privacy.role_grant (
    id           bigint generated always as identity primary key,
    login        name not null,
    role         name not null references privacy.app_role (role),
    unit_id      bigint not null references dossier.org_unit (id),
    subject_id   bigint references dossier.subject (id),
    valid_from   date not null default current_date,
    valid_until  date,
    reason       text not null,
    granted_by   name not null default session_user,
    granted_at   timestamptz not null default now(),
    revoked_by   name,
    revoked_at   timestamptz,
    constraint role_grant_period check (valid_until >= valid_from),
    constraint role_grant_reason_present check (length(btrim(reason)) > 0),
    constraint role_grant_revocation_complete check ((revoked_at is null) = (revoked_by is null)),
    constraint role_grant_self_has_subject check ((role = 'employee_self') = (subject_id is not null))
);
create index role_grant_login on privacy.role_grant (login, role) where revoked_at is null;
comment on table privacy.role_grant is
    'Who holds which role for which unit subtree, since/until when and why (004 art. 9.2). '
    'Rows are closed (revoked_at), never deleted.';
comment on column privacy.role_grant.subject_id is 'employee_self: the one data subject the login is (art. 13).';
comment on column privacy.role_grant.valid_until is 'Last day the grant works (interns, Bijlage 7 "inclusief stagiaires").';

create table privacy.setting (
    key    text primary key,
    value  text not null,
    note   text not null
);
comment on table privacy.setting is 'Settings the policies and views read (not user-settable GUCs).';
insert into privacy.setting (key, value, note) values
    ('mis_k', '5', 'MIS small-cell suppression: no group under k persons');

-- What apply_access() installed, as deparsed by PostgreSQL: `dossier policy check` compares the
-- live pg_policies with it, so a dropped or altered policy is reported.
create table privacy.applied_policy (
    table_name   name not null,
    policy_name  name not null,
    roles        name[] not null,
    command      text not null,
    qual         text,
    with_check   text,
    primary key (table_name, policy_name)
);
comment on table privacy.applied_policy is 'Row policies as installed by privacy.apply_access().';

-- Data about whom a non-matrix object is for: reporting views, the register, MIS.
create table privacy.object_audience (
    schema_name  name not null,
    object_name  name not null,
    role         name not null,
    privilege    text not null default 'SELECT',
    defined_in   text not null,
    primary key (schema_name, object_name, role, privilege)
);
comment on table privacy.object_audience is
    'Who may use a non-personal object (views, register tables, helper functions); filled by the repeatable files that define them.';


-- dossier_mis owns the MIS views (db/functions/1200_mis.sql); ALTER VIEW … OWNER needs CREATE.
grant usage, create on schema mis to dossier_mis;
