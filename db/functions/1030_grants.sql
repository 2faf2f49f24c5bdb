-- Granting and revoking roles, recorded in the art. 9.2 register (privacy.role_grant), and the
-- register itself as a view. Called by `dossier grant|revoke` as a superuser or a member of
-- dossier_admin (CREATEROLE). Login names are always quoted (format %I), never spliced.

create or replace function privacy.grant_access(p_login text, p_role name, p_unit text,
                                                p_until date default null, p_reason text default null,
                                                p_subject bigint default null)
    returns privacy.role_grant
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    u dossier.org_unit;
    ar privacy.app_role;
    existing pg_catalog.pg_roles;
    g privacy.role_grant;
begin
    if p_login is null or length(p_login) not between 1 and 63 or p_login ~ '[[:cntrl:]]' then
        raise exception 'login name must be 1 to 63 printable characters' using errcode = 'invalid_parameter_value';
    end if;
    if p_login ~* '^pg_' then
        raise exception 'login name %: names starting with pg_ are reserved', quote_ident(p_login)
            using errcode = 'reserved_name';
    end if;
    select * into ar from privacy.app_role where role = p_role and kind <> 'technical';
    if not found then
        raise exception 'unknown role %; roles: %', quote_ident(p_role),
            (select string_agg(role, ', ' order by role) from privacy.app_role where kind <> 'technical')
            using errcode = 'invalid_parameter_value';
    end if;
    select * into u from dossier.org_unit where code = p_unit;
    if not found then
        raise exception 'unknown unit %', quote_literal(p_unit) using errcode = 'invalid_parameter_value';
    end if;
    if p_until is not null and p_until < current_date then
        raise exception 'valid until % is in the past', p_until using errcode = 'invalid_parameter_value';
    end if;
    if p_role = 'employee_self' then
        if p_subject is null or not exists (select from dossier.subject s
                                             where s.id = p_subject and s.org_id = u.org_id) then
            raise exception 'employee_self needs the subject the login is, in the organisation of unit %', p_unit
                using errcode = 'invalid_parameter_value';
        end if;
    elsif p_subject is not null then
        raise exception 'only employee_self is linked to a subject' using errcode = 'invalid_parameter_value';
    end if;
    select * into existing from pg_catalog.pg_roles where rolname = p_login;
    if found then
        if existing.rolsuper or existing.rolbypassrls or existing.rolcreaterole or not existing.rolcanlogin
           or exists (select from privacy.app_role where role = p_login) or p_login = 'dossier_mis' then
            raise exception 'refusing to grant to %: not a plain login (superuser, bypassrls, createrole, nologin or a dossier role)',
                quote_ident(p_login) using errcode = 'insufficient_privilege';
        end if;
    else
        execute format('create role %I login inherit nosuperuser nocreatedb nocreaterole nobypassrls', p_login);
    end if;
    execute format('grant %I to %I', p_role, p_login);
    insert into privacy.role_grant (login, role, unit_id, subject_id, valid_until, reason)
    values (p_login, p_role, u.id, p_subject, p_until,
            coalesce(nullif(btrim(p_reason), ''), ar.motivation_nl || ' (Bijlage 7)'))
    returning * into g;
    return g;
end
$$;
comment on function privacy.grant_access(text, name, text, date, text, bigint) is
    'Create the login if needed, grant the role scoped to a unit subtree, record it (art. 9.2).';

create or replace function privacy.revoke_access(p_login text, p_role name, p_unit text default null)
    returns integer
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    n integer;
begin
    if p_unit is not null and not exists (select from dossier.org_unit where code = p_unit) then
        raise exception 'unknown unit %', quote_literal(p_unit) using errcode = 'invalid_parameter_value';
    end if;
    update privacy.role_grant g set revoked_at = now(), revoked_by = session_user
     where g.login = p_login and g.role = p_role and g.revoked_at is null
       and (p_unit is null or g.unit_id = (select id from dossier.org_unit where code = p_unit));
    get diagnostics n = row_count;
    if n = 0 then
        raise exception 'no active grant of % to % %', p_role, quote_ident(p_login),
            coalesce(' for unit ' || p_unit, '') using errcode = 'no_data_found';
    end if;
    if not exists (select from privacy.role_grant g where g.login = p_login and g.role = p_role
                                                      and g.revoked_at is null)
       and exists (select from pg_catalog.pg_roles where rolname = p_login) then
        execute format('revoke %I from %I', p_role, p_login);
    end if;
    return n;
end
$$;
comment on function privacy.revoke_access(text, name, text) is
    'Close the grants of a role (for one unit, or all) and drop the membership when none is left.';

-- Grants whose valid_until has passed stop working at once (the scope helpers check the
-- date); this tidies the memberships they leave, nightly by pg_cron.
create or replace function privacy.expire_grants() returns integer
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    r record;
    n integer := 0;
begin
    for r in
        select distinct g.login, g.role from privacy.role_grant g
         where g.revoked_at is null and g.valid_until < current_date
    loop
        update privacy.role_grant set revoked_at = now(), revoked_by = session_user
         where login = r.login and role = r.role and revoked_at is null and valid_until < current_date;
        if not exists (select from privacy.role_grant g where g.login = r.login and g.role = r.role
                                                          and g.revoked_at is null)
           and pg_catalog.pg_has_role(r.login, r.role, 'MEMBER') then
            execute format('revoke %I from %I', r.role, r.login);
            n := n + 1;
        end if;
    end loop;
    return n;
end
$$;
comment on function privacy.expire_grants() is 'Close expired grants and drop the memberships they leave.';

create or replace view privacy.access_register as
select g.login, g.role, u.code as unit_code, u.name as unit_name, g.valid_from, g.valid_until, g.reason,
       ar.annex7_row, ar.motivation_nl as motivation, ar.data_nl as data, g.granted_by, g.granted_at,
       (g.valid_until is null or g.valid_until >= current_date) as in_force
  from privacy.role_grant g
  join dossier.org_unit u on u.id = g.unit_id
  join privacy.app_role ar on ar.role = g.role
 where g.revoked_at is null;
comment on view privacy.access_register is
    'Art. 9.2 / Bijlage 7: who holds which role, for which unit subtree, since/until and why.';

create or replace view privacy.access_history as
select g.id, g.login, g.role, u.code as unit_code, g.valid_from, g.valid_until, g.reason,
       g.granted_by, g.granted_at, g.revoked_by, g.revoked_at
  from privacy.role_grant g join dossier.org_unit u on u.id = g.unit_id;
comment on view privacy.access_history is 'Every grant and revoke, with who did it and when.';

-- who may use the register (contract §3: privacy_officer; dossier_admin manages it)
delete from privacy.object_audience where defined_in = '1030_grants';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', t, r, 'SELECT', '1030_grants'
  from unnest(array['processing', 'processing_activity', 'purpose', 'legal_basis', 'processing_basis',
                    'recipient', 'annex_category', 'data_category', 'personal_table', 'column_category',
                    'technical_column', 'non_personal_table', 'column_catalogue', 'app_role', 'access_rule',
                    'access_register', 'access_history', 'setting', 'applied_policy', 'role_grant']) t,
       unnest(array['privacy_officer', 'dossier_admin']::name[]) r;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', f, 'dossier_admin', 'EXECUTE', '1030_grants'
  from unnest(array['grant_access(text, name, text, date, text, bigint)', 'revoke_access(text, name, text)',
                    'expire_grants()']) f;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
values ('privacy', 'role_grant', 'dossier_admin', 'INSERT', '1030_grants'),
       ('privacy', 'role_grant', 'dossier_admin', 'UPDATE', '1030_grants');
-- the scope helpers run inside every row policy, as the querying role
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', f, '@users', 'EXECUTE', '1030_grants'
  from unnest(array['my_mis_orgs()', 'mis_k()']) f;
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'privacy', v, '@users', 'SELECT', '1030_grants'
  from unnest(array['my_grant', 'my_unit', 'my_org', 'my_subject']) v;
-- the domains' checks and the canonical forms run as the writing role
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
select 'dossier', f, '@users', 'EXECUTE', '1030_grants'
  from unnest(array['iban_is_valid(text)', 'bsn_is_valid(text)', 'canonical_iban(text)', 'canonical_bsn(text)',
                    'canonical_postcode(text)']) f;
