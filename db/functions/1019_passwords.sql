-- dossier:run-as superuser
-- Logins with a grant whose password is not the one dossier set: PostgreSQL lets every role
-- change its own (`alter role current_user password …`), which would open TCP to it unseen
-- (independent attack F5). SECURITY DEFINER, owned by the superuser: pg_authid is readable by
-- superusers only; it returns login names, never a verifier.
create or replace function privacy.unexpected_passwords() returns setof name
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
as $$
    select a.rolname from pg_catalog.pg_authid a
     where a.rolpassword is not null and not a.rolsuper
       and a.rolname in (select g.login from privacy.role_grant g where g.revoked_at is null)
       and a.rolpassword is distinct from (select p.verifier from privacy.login_password p where p.login = a.rolname)
     order by 1
$$;
comment on function privacy.unexpected_passwords() is
    'Logins with a grant whose password dossier did not set (grant --password, dossier password).';

-- owned by the superuser (pg_authid); executable by dossier_admin, which runs `policy check`
-- (declared in privacy.admin_routine by db/functions/1035_role_admin.sql)
revoke all on function privacy.unexpected_passwords() from public;
