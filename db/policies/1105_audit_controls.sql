-- dossier:run-as superuser
-- The controls are audited (issue 15.3): every change to the grants register, the access matrix,
-- technical access, retention rules and settings, legal holds, restrictions, requests and the
-- applied migrations enters the change audit's chain (audit.capture_control(), db/functions/
-- 1100_audit.sql: at commit, the net change per row, with who and when).
-- Superuser: dossier_migrate.applied belongs to the migration runner's login, not to dossier_owner.
grant usage on schema dossier_migrate to dossier_owner;
grant select on dossier_migrate.applied to dossier_owner;

do $controls$
declare
    t regclass;
begin
    foreach t in array array['privacy.role_grant', 'privacy.grant_unit', 'privacy.access_rule',
                             'privacy.technical_access', 'privacy.retention_rule', 'privacy.setting',
                             'privacy.legal_hold', 'privacy.restriction', 'privacy.subject_request',
                             'privacy.request_suspension', 'dossier_migrate.applied']::regclass[] loop
        execute format('drop trigger if exists audit_control on %s', t);
        execute format('create constraint trigger audit_control after insert or update or delete on %s '
                       'deferrable initially deferred for each row execute function audit.capture_control()', t);
    end loop;
end
$controls$;

-- Migrations applied before this file (a new database's, or those before V1600) are entries too:
-- each applied file whose name and checksum is not on record yet, once.
insert into audit.change (current_user_name, schema_name, table_name, operation, payload, salt, payload_hash)
select session_user, 'dossier_migrate', 'applied', 'INSERT', p, s, sha256(s || convert_to(p::text, 'UTF8'))
  from (select to_jsonb(a) as p, uuid_send(gen_random_uuid()) as s
          from dossier_migrate.applied a
         where not exists (select from audit.change c
                            where c.schema_name = 'dossier_migrate' and c.table_name = 'applied'
                              and c.payload ->> 'name' = a.name
                              and case when jsonb_typeof(c.payload -> 'checksum') = 'array'  -- an update: [old, new]
                                       then c.payload -> 'checksum' ->> 1
                                       else c.payload ->> 'checksum' end = a.checksum)
         order by a.applied_at, a.name) x;
