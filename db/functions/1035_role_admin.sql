-- dossier:run-as superuser
-- Role administration (issue 19.1, 19.4; 14.5, 14.6; 17.1). No login holds CREATEROLE (in
-- PostgreSQL 15 it can grant any role, superuser programs included): `dossier grant`, `revoke`,
-- `password` and `psql --as` call these SECURITY DEFINER functions, which make plain logins and
-- grant exactly the Annex 7 / implied roles (privacy.app_role kind <> 'technical'), nothing else.
-- They are owned by the superuser that migrates (the only role that may create roles now) and
-- executable by dossier_admin; every name is quoted (format %I), every role checked against
-- privacy.app_role. Who acted is session_user, never a parameter. Superuser file: it owns them.

-- A login the functions below may give a role: not a dossier role, not technical, not special.
create or replace function privacy.check_plain_login(p_login text) returns void
    language plpgsql stable security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    r pg_catalog.pg_roles;
begin
    select * into r from pg_catalog.pg_roles where rolname = p_login;
    if not found then
        return;
    end if;
    if r.rolsuper or r.rolbypassrls or r.rolcreaterole or r.rolreplication or not r.rolcanlogin
       or exists (select from privacy.app_role a where a.role = p_login)
       or p_login in ('dossier_mis', 'dossier_auditor', 'dossier_trial') then
        raise exception 'refusing to grant to %: not a plain login (superuser, bypassrls, createrole, replication, nologin or a dossier role)',
            quote_ident(p_login) using errcode = 'insufficient_privilege';
    end if;
    if exists (select from privacy.app_role a
                where a.kind = 'technical' and pg_catalog.pg_has_role(r.oid, a.role::text, 'MEMBER')) then
        raise exception 'refusing to grant to %: it is a technical login (member of %)', quote_ident(p_login),
            (select string_agg(a.role, ', ' order by a.role) from privacy.app_role a
              where a.kind = 'technical' and pg_catalog.pg_has_role(r.oid, a.role::text, 'MEMBER'))
            using errcode = 'insufficient_privilege';
    end if;
end
$$;
comment on function privacy.check_plain_login(text) is
    'Refuse a login that is not a plain login (superuser-like, a dossier role, a member of a technical role).';

-- End a login's sessions (revoke, expiry, trial end): a session otherwise keeps what it had read
-- into open cursors and its cached plans (docs/security.md). Never the caller's own backend.
create or replace function privacy.end_sessions(p_login text) returns integer
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    v_pid integer;
    n integer := 0;
begin
    -- a loop, not one query: a planner may run a pushed-down pg_terminate_backend() before the filter
    for v_pid in select a.pid from pg_catalog.pg_stat_activity a
                  where a.usename = p_login and a.pid <> pg_catalog.pg_backend_pid() loop
        if pg_catalog.pg_terminate_backend(v_pid) then
            n := n + 1;
        end if;
    end loop;
    return n;
end
$$;
comment on function privacy.end_sessions(text) is 'Terminate every session of the login but the caller''s; returns how many.';

-- The declared attributes and settings of a login (19.4): a connection limit, the login settings.
create or replace function privacy.apply_login_limits(p_login text, p_connections integer default null)
    returns void
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    s record;
    n integer := coalesce(p_connections,
                          (select l.rolconnlimit from pg_catalog.pg_roles l
                            where l.rolname = p_login and l.rolconnlimit > 0),
                          (select v.value::integer from privacy.setting v where v.key = 'login_connection_limit'));
begin
    if n not between 1 and 1000 then
        raise exception 'connection limit % for %: must be 1 to 1000', n, quote_ident(p_login)
            using errcode = 'invalid_parameter_value';
    end if;
    execute format('alter role %I connection limit %s', p_login, n);
    for s in select l.name, split_part(l.setting, '=', 2) as value from privacy.login_setting l loop
        execute format('alter role %I set %I = %L', p_login, s.name, s.value);
    end loop;
end
$$;
comment on function privacy.apply_login_limits(text, integer) is
    'Give a login its connection limit (default privacy.setting login_connection_limit) and the login settings.';

create or replace function privacy.grant_access(p_login text, p_role name, p_unit text,
                                                p_until date default null, p_reason text default null,
                                                p_subject bigint default null)
    returns privacy.role_grant
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: creating a login and granting a role needs CREATEROLE, which no login holds.
declare
    u dossier.org_unit;
    ar privacy.app_role;
    g privacy.role_grant;
    m privacy.role_mix;
    v_gap record;
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
    if p_until is not null and p_until < privacy.scope_day() then
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
    perform privacy.check_plain_login(p_login);
    -- 14.6: the same grant twice says so and changes nothing
    select * into g from privacy.role_grant x
     where x.login = p_login and x.role = p_role and x.unit_id = u.id and x.revoked_at is null
       and (x.valid_until is null or x.valid_until >= privacy.scope_day())
     order by x.id limit 1;
    if found then
        raise exception 'grant already exists: % holds % for % (grant %); nothing changed',
            quote_ident(p_login), p_role, p_unit, g.id using errcode = 'duplicate_object';
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = p_login) then
        execute format('create role %I login inherit nosuperuser nocreatedb nocreaterole nobypassrls noreplication',
                       p_login);
    end if;
    perform privacy.apply_login_limits(p_login);
    execute format('grant %I to %I', p_role, p_login);
    -- from today in the organisation's zone, the day the guard judges grants by (privacy.scope_day),
    -- not the column's default, today in the granting session's TimeZone
    insert into privacy.role_grant (login, role, unit_id, subject_id, valid_from, valid_until, reason)
    values (p_login, p_role, u.id, p_subject, privacy.scope_day(), p_until,
            coalesce(nullif(btrim(p_reason), ''), ar.motivation_nl || ' (Bijlage 7)'))
    returning * into g;
    -- two roles whose union reads more than either (privacy.role_mix; independent attack 21)
    select * into m from privacy.role_mix x where x.login = p_login and p_role in (x.role_a, x.role_b)
     order by x.table_name limit 1;
    if found then
        raise exception 'refusing to grant % to %: with % it holds, it would read or write with the privileges of each role on the rows of the other (%, and maybe more); nothing changed',
            p_role, quote_ident(p_login), case when m.role_a = p_role then m.role_b else m.role_a end, m.table_name
            using errcode = 'invalid_grant_operation',
                  hint = 'Give the second role its own login.';
    end if;
    -- a unit or organisation between two the login reads (privacy.scope_gap; independent attack 24)
    select * into v_gap from privacy.scope_gap_summary(p_login::name);
    if found then
        raise exception 'refusing to grant % for % to %: the login would read % (%), and EXPLAIN (ANALYZE) would count their rows; nothing changed',
            p_role, p_unit, quote_ident(p_login),
            case when v_gap.restricted_only then 'restricted persons in some units but not in ' else 'units on both sides of ' end
            || v_gap.span || case when v_gap.first_day > privacy.scope_day() then ', when a grant starts or ends' else '' end,
            v_gap.tables
            using errcode = 'invalid_grant_operation',
                  detail = 'The row guard bounds what a login reads by its lowest and highest unit and organisation; '
                           'rows in between are fetched and then removed.',
                  hint = 'Give this grant its own login.';
    end if;
    return g;
end
$$;
comment on function privacy.grant_access(text, name, text, date, text, bigint) is
    'Create the login if needed, grant the role scoped to a unit subtree, record it (art. 9.2).';

create or replace function privacy.revoke_access(p_login text, p_role name, p_unit text default null)
    returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: revoking a membership needs CREATEROLE, which no login holds.
declare
    n integer;
    v_codes text;
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
       and exists (select from pg_catalog.pg_roles where rolname = p_login)
       and exists (select from privacy.app_role a where a.role = p_role and a.kind <> 'technical') then
        execute format('revoke %I from %I', p_role, p_login);
    end if;
    perform privacy.end_sessions(p_login);
    -- a revoke is never refused, but one between two grants leaves a gap (privacy.scope_gap)
    select g.span into v_codes from privacy.scope_gap_summary(p_login::name) g;
    if v_codes is not null then
        raise warning '% now reads on both sides of %: EXPLAIN (ANALYZE) counts their rows', quote_ident(p_login), v_codes
            using hint = 'Revoke the grants on one side too, and give them their own login (dossier policy check reports it).';
    end if;
    return n;
end
$$;
comment on function privacy.revoke_access(text, name, text) is
    'Close the grants of a role (for one unit, or all), drop the membership when none is left, end the login''s sessions.';

-- Grants whose valid_until has passed stop working at once (the scope views check the date);
-- this tidies the memberships they leave and ends the sessions, nightly by pg_cron.
create or replace function privacy.expire_grants() returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: revoking a membership needs CREATEROLE, which no login holds.
declare
    r record;
    n integer := 0;
begin
    for r in
        select distinct g.login, g.role from privacy.role_grant g
         where g.revoked_at is null and g.valid_until < privacy.scope_day()
    loop
        update privacy.role_grant set revoked_at = now(), revoked_by = session_user
         where login = r.login and role = r.role and revoked_at is null and valid_until < privacy.scope_day();
        if not exists (select from privacy.role_grant g where g.login = r.login and g.role = r.role
                                                          and g.revoked_at is null)
           and pg_catalog.pg_has_role(r.login, r.role, 'MEMBER') then
            execute format('revoke %I from %I', r.role, r.login);
            n := n + 1;
        end if;
        perform privacy.end_sessions(r.login);
    end loop;
    return n;
end
$$;
comment on function privacy.expire_grants() is 'Close expired grants, drop the memberships they leave, end their sessions.';

-- 19.4: a login's connection limit, other than the default.
create or replace function privacy.set_connection_limit(p_login text, p_connections integer) returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: ALTER ROLE … CONNECTION LIMIT needs CREATEROLE, which no login holds.
begin
    if not exists (select from privacy.role_grant g where g.login = p_login and g.revoked_at is null) then
        raise exception 'no login % with a grant: grant it a role first', quote_ident(p_login)
            using errcode = 'no_data_found';
    end if;
    perform privacy.check_plain_login(p_login);
    perform privacy.apply_login_limits(p_login, p_connections);
end
$$;
comment on function privacy.set_connection_limit(text, integer) is 'Set the CONNECTION LIMIT of a login with a grant (1 to 1000).';

-- 17.1: a password for a login with a grant, so a tool can connect over TCP (scram-sha-256).
-- Only a SCRAM verifier is accepted: the shell computes it, the password never reaches the server.
create or replace function privacy.set_password(p_login text, p_verifier text) returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: setting another role's password needs CREATEROLE, which no login holds.
begin
    if not exists (select from privacy.role_grant g where g.login = p_login and g.revoked_at is null) then
        raise exception 'no login % with a grant: grant it a role first', quote_ident(p_login)
            using errcode = 'no_data_found';
    end if;
    perform privacy.check_plain_login(p_login);
    if pg_catalog.pg_has_role(p_login, 'dossier_trial', 'MEMBER') then
        raise exception 'refusing a password for %: a dossier psql --as login never connects over TCP',
            quote_ident(p_login) using errcode = 'insufficient_privilege';
    end if;
    if p_verifier !~ '^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$' then
        raise exception 'not a SCRAM-SHA-256 verifier' using errcode = 'invalid_parameter_value';
    end if;
    execute format('alter role %I password %L', p_login, p_verifier);
    -- recorded, so that `policy check` tells a password a login gave itself (V1970)
    insert into privacy.login_password (login, verifier) values (p_login, p_verifier)
    on conflict (login) do update set verifier = excluded.verifier, set_by = session_user, set_at = pg_catalog.now();
end
$$;
comment on function privacy.set_password(text, text) is
    'Set the SCRAM-SHA-256 verifier of a login with a grant (dossier grant --password, dossier password).';

-- 14.5: the throw-away logins of `dossier psql --as`. Valid for privacy.setting trial_login_minutes,
-- members of dossier_trial (pg_hba.conf refuses them over TCP), gone at the end of the shell or,
-- when the shell was killed, at the next run of the tidy job (pg_cron, every minute).
create or replace function privacy.open_trial_login(p_role name, p_unit text, p_subject bigint default null)
    returns text
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: creating a login and granting it a role needs CREATEROLE, which no login holds.
declare
    v_login text;
begin
    loop
        v_login := 'try_' || left(p_role, 40) || '_' || left(pg_catalog.md5(pg_catalog.random()::text
                                                                  || pg_catalog.clock_timestamp()::text), 6);
        exit when not exists (select from pg_catalog.pg_roles where rolname = v_login);
    end loop;
    perform privacy.grant_access(v_login, p_role, p_unit, privacy.scope_day(), 'dossier psql --as (throw-away)', p_subject);
    execute format('alter role %I valid until %L connection limit 2', v_login,
                   now() + pg_catalog.make_interval(mins => (select s.value::integer from privacy.setting s
                                                              where s.key = 'trial_login_minutes')));
    execute format('grant dossier_trial to %I', v_login);
    return v_login;
end
$$;
comment on function privacy.open_trial_login(name, text, bigint) is
    'Make a throw-away login holding the role for the unit (dossier psql --as); returns its name.';

create or replace function privacy.close_trial_login(p_login text) returns boolean
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: DROP OWNED and DROP ROLE need CREATEROLE, which no login holds.
begin
    if p_login is null or not pg_catalog.pg_has_role(p_login, 'dossier_trial', 'MEMBER') then
        raise exception 'no throw-away login %', quote_ident(p_login) using errcode = 'no_data_found';
    end if;
    execute format('alter role %I nologin', p_login);
    perform privacy.end_sessions(p_login);
    update privacy.role_grant g set revoked_at = now(), revoked_by = session_user
     where g.login = p_login and g.revoked_at is null;
    execute format('drop owned by %I', p_login);
    begin
        execute format('drop role %I', p_login);
    exception when dependent_objects_still_exist then
        -- objects in another database: it stays, unable to log in, and policy check names it
        raise warning 'throw-away login % cannot log in any more but owns objects elsewhere: %',
            quote_ident(p_login), sqlerrm;
        return false;
    end;
    return true;
end
$$;
comment on function privacy.close_trial_login(text) is
    'End a throw-away login: no login, sessions ended, grants closed, DROP OWNED, DROP ROLE.';

create or replace function privacy.tidy_trial_logins() returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
-- SECURITY DEFINER: it drops roles (close_trial_login), which needs CREATEROLE.
declare
    v_login text;
    n integer := 0;
begin
    for v_login in
        select m.rolname from pg_catalog.pg_auth_members am
          join pg_catalog.pg_roles m on m.oid = am.member
         where am.roleid = 'dossier_trial'::regrole
           and (m.rolvaliduntil is null or m.rolvaliduntil < now() or not m.rolcanlogin
                -- its shell is gone (killed): no session, opened over 2 minutes ago
                or (not exists (select from pg_catalog.pg_stat_activity a where a.usename = m.rolname)
                    and not exists (select from privacy.role_grant g
                                     where g.login = m.rolname and g.granted_at > now() - interval '2 minutes')))
         order by 1
    loop
        if privacy.close_trial_login(v_login) then
            n := n + 1;
        end if;
    end loop;
    return n;
end
$$;
comment on function privacy.tidy_trial_logins() is
    'Drop the throw-away logins past their end, or without a session for 2 minutes (a killed shell); returns how many.';

-- 19.4: the watchdog (pg_cron, every minute): application sessions (logins holding a role of the
-- matrix) get privacy.setting's limits. A statement running longer is cancelled, a session idle in a
-- transaction longer is ended, and a session whose locks keep another waiting longer is ended
-- (`lock table … in access exclusive mode` needs only UPDATE or DELETE). The product's own roles
-- and superusers are never touched. Runs as the job's superuser (security invoker).
create or replace function privacy.watchdog()
    returns table (pid integer, login name, action text, reason text)
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    v_statement interval := (select s.value::interval from privacy.setting s where s.key = 'watchdog_statement_limit');
    v_idle interval := (select s.value::interval from privacy.setting s where s.key = 'watchdog_idle_in_transaction_limit');
    v_lock interval := (select s.value::interval from privacy.setting s where s.key = 'watchdog_lock_wait_limit');
    v_writer interval := coalesce((select s.value::interval from privacy.setting s
                                    where s.key = 'watchdog_idle_writer_limit'), '30 seconds');
    r record;
begin
    for r in
        with app as (
            select a.pid, a.usename, a.state, a.query_start, a.state_change, a.backend_xid
              from pg_catalog.pg_stat_activity a
              join pg_catalog.pg_roles l on l.oid = a.usesysid
             where a.backend_type = 'client backend' and a.pid <> pg_catalog.pg_backend_pid()
               and not l.rolsuper
               and exists (select from privacy.app_role ar
                            where ar.kind <> 'technical' and pg_catalog.pg_has_role(l.oid, ar.role::text, 'MEMBER'))
               and not exists (select from privacy.app_role ar
                                where ar.kind = 'technical' and pg_catalog.pg_has_role(l.oid, ar.role::text, 'MEMBER'))
        )
        select app.pid, app.usename, 'terminate' as action,
               format('its locks kept %s waiting over %s', string_agg(distinct w.pid::text, ', '), v_lock) as reason
          from app
          join pg_catalog.pg_locks w on not w.granted and w.waitstart < now() - v_lock
                                    and app.pid = any (pg_catalog.pg_blocking_pids(w.pid))
         group by app.pid, app.usename
        union all
        select app.pid, app.usename, 'terminate', format('idle in transaction over %s', v_idle)
          from app where app.state like 'idle in transaction%' and app.state_change < now() - v_idle
        union all
        -- a transaction that has written may hold the product's locks (a restriction waits for
        -- every open write of personal data): idle, it goes sooner (independent attack F2)
        select app.pid, app.usename, 'terminate', format('idle in a writing transaction over %s', v_writer)
          from app where app.state like 'idle in transaction%' and app.backend_xid is not null
                     and app.state_change < now() - v_writer and app.state_change >= now() - v_idle
        union all
        select app.pid, app.usename, 'cancel', format('statement running over %s', v_statement)
          from app where app.state = 'active' and app.query_start < now() - v_statement
    loop
        if exists (select from pg_catalog.pg_stat_activity a where a.pid = r.pid) then
            if r.action = 'terminate' then
                perform pg_catalog.pg_terminate_backend(r.pid);
            else
                perform pg_catalog.pg_cancel_backend(r.pid);
            end if;
            raise log 'dossier watchdog: % session % of % (%)', r.action, r.pid, r.usename, r.reason;
            pid := r.pid; login := r.usename; action := r.action; reason := r.reason;
            return next;
        end if;
    end loop;
end
$$;
comment on function privacy.watchdog() is
    'Cancel or end application sessions past the limits of privacy.setting (19.4); returns what it did.';

do $grants$
declare
    f text;
begin
    foreach f in array array['check_plain_login(text)', 'end_sessions(text)', 'apply_login_limits(text, integer)',
                             'grant_access(text, name, text, date, text, bigint)', 'revoke_access(text, name, text)',
                             'expire_grants()', 'set_connection_limit(text, integer)', 'set_password(text, text)',
                             'open_trial_login(name, text, bigint)', 'close_trial_login(text)',
                             'tidy_trial_logins()', 'watchdog()'] loop
        execute format('alter function privacy.%s owner to %I', f, current_user);
        execute format('revoke all on function privacy.%s from public', f);
    end loop;
    delete from privacy.admin_routine;
    insert into privacy.admin_routine (routine, role)
    select x, 'dossier_admin'
      from unnest(array['grant_access(text, name, text, date, text, bigint)', 'revoke_access(text, name, text)',
                        'expire_grants()', 'set_connection_limit(text, integer)', 'set_password(text, text)',
                        'open_trial_login(name, text, bigint)', 'close_trial_login(text)',
                        'tidy_trial_logins()', 'unexpected_passwords()']) x;
    for f in select a.routine from privacy.admin_routine a order by 1 loop
        execute format('grant execute on function privacy.%s to %I', f,
                       (select a.role from privacy.admin_routine a where a.routine = f));
    end loop;
    -- the login settings follow privacy.setting for every login with a grant (also after a change)
    perform privacy.apply_login_limits(l.rolname)
       from pg_catalog.pg_roles l
      where l.rolname in (select g.login from privacy.role_grant g where g.revoked_at is null) and l.rolcanlogin;
end
$grants$;
