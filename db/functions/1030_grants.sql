-- The art. 9.2 register (privacy.role_grant) as views, and who may read it. Granting and
-- revoking go through the SECURITY DEFINER functions of 1035_role_admin.sql (issue 19.1: no
-- login holds CREATEROLE), which are the only writers of the register.

create or replace view privacy.access_register as
select g.login, g.role, u.code as unit_code, u.name as unit_name, g.valid_from, g.valid_until, g.reason,
       ar.annex7_row, ar.motivation_nl as motivation, ar.data_nl as data, g.granted_by, g.granted_at,
       (g.valid_until is null or g.valid_until >= privacy.scope_day()) as in_force
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
