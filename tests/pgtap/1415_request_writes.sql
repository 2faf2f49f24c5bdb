-- The request registers written only through functions (db/functions/1410_requests.sql,
-- 1415_request_writes.sql; issue 19.2, 14.6): no application role holds INSERT, UPDATE or DELETE
-- on them, the privacy officer reads them and executes the functions, the helpers that act in the
-- dossier are dossier_retention's and executable by dossier_owner only.
begin;
select plan(16);

-- as the privacy officer: read only
select table_privs_are('privacy', t, 'privacy_officer', array['SELECT'],
                       format('privacy_officer only reads privacy.%s', t))
  from unnest(array['subject_request', 'request_suspension', 'restriction', 'complaint']) t order by t;

select ok(not exists (select from privacy.actual_privilege a
                       where a.schema_name = 'privacy'
                         and a.object_name in ('subject_request', 'request_suspension', 'restriction', 'complaint')
                         and a.privilege in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
          'no role holds a write privilege on the request registers');

select function_privs_are('privacy', f, args, 'privacy_officer', array['EXECUTE'],
                          format('privacy_officer executes privacy.%s', f))
  from (values ('open_request', array['bigint', 'text', 'text', 'date', 'boolean', 'text']),
               ('verify_request', array['bigint']),
               ('close_request', array['bigint', 'text', 'text', 'text[]', 'text', 'text[]']),
               ('lift_restriction', array['bigint', 'text'])) v(f, args)
 order by f;

select is((select array_agg(p.proname::text || ':' || p.proowner::regrole::text || ':' || p.prosecdef order by p.proname)
             from pg_catalog.pg_proc p
            where p.pronamespace = 'privacy'::regnamespace
              and p.proname in ('assert_request_scope', 'subject_record_count', 'erase_subject')),
          array['assert_request_scope:dossier_retention:true', 'erase_subject:dossier_retention:true',
                'subject_record_count:dossier_retention:true'],
          'the helpers that act in the dossier are SECURITY DEFINER functions of dossier_retention');

select is((select array_agg(distinct a.role::text order by a.role::text) from privacy.actual_privilege a
            where a.object_type = 'function' and a.schema_name = 'privacy'
              and a.object_name::text ~ '^(assert_request_scope|subject_record_count|erase_subject)\('),
          array['dossier_owner'], 'only dossier_owner (the request functions) may execute them');

select is((select count(*)::int from pg_catalog.pg_proc p
            where p.pronamespace = 'privacy'::regnamespace
              and p.proname in ('open_request', 'verify_request', 'close_request', 'lift_restriction',
                                'open_complaint', 'answer_complaint', 'refer_complaint')
              and not (p.prosecdef and p.proowner = 'dossier_owner'::regrole
                       and p.proconfig @> array['search_path=pg_catalog, pg_temp'])),
          0, 'the request functions are SECURITY DEFINER of dossier_owner with a pinned search_path');

-- as a superuser with nothing granted: a future receipt, a second close, a bare decision
insert into dossier.org_unit (code, name, kind) values ('TAP-ORG', 'Tap', 'organisation');
insert into dossier.subject (org_id) select id from dossier.org_unit where code = 'TAP-ORG';
insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname)
select 'A2', s.id, s.org_id, s.org_id, 'contract', 'tap', 'Tap' from dossier.subject s
 where s.org_id = (select id from dossier.org_unit where code = 'TAP-ORG');
create temp table tap_subject as
select s.id from dossier.subject s join dossier.org_unit o on o.id = s.org_id where o.code = 'TAP-ORG';

select throws_ok(format($$select privacy.open_request(%s, 'access', null, privacy.scope_day() + 1, true, null)$$,
                        (select id from tap_subject)),
                 '22023', null, 'a receipt in the future is refused (it would postpone the deadline)');
select throws_ok(format($$select privacy.open_request(%s, 'objection', null, null, true, null)$$,
                        (select id from tap_subject)),
                 '23514', null, 'an objection against a contract record is refused (art. 13.6)');
create temp table tap_request as
select privacy.open_request((select id from tap_subject), 'access', null, null, true, null) as id;
select lives_ok(format($$select privacy.close_request(%s, 'granted', 'inzage gegeven')$$, (select id from tap_request)),
                'a request is closed once');
select throws_ok(format($$select privacy.close_request(%s, 'refused', 'toch niet')$$, (select id from tap_request)),
                 '55000', null, 'and not twice');

select * from finish();
rollback;
