-- dossier:run-as superuser
-- Restricted processing (004 art. 13.6; AVG art. 18) as a flag on the rows themselves. The row
-- policies test `not restricted` instead of looking up the restrictions register in every policy
-- (two uncorrelated subqueries a table and statement: the restriction list and the exact test).
-- Measured on bench/bench_rls.py's data, school manager's "one person's dossier" (three tables),
-- 3 x 1,000 interleaved runs: 1.50x of the owner's query with the lookup, 1.24x with the flag
-- (and no pg_has_role() in privacy.my_unit, db/functions/1000_access_helpers.sql).
--
-- The flag follows privacy.restriction: the trigger function privacy.sync_restricted()
-- (db/functions/1420_restricted.sql) sets it when a restriction is placed or lifted and on rows
-- inserted for a restricted subject. No application role may write it: the only column privilege
-- on it is dossier_retention's, the owner of that function (db/policies/1000_access_matrix.sql).
-- Superuser: the rows already restricted are flagged here, past the row policies (the same test
-- as privacy.sync_restricted(), which cannot run yet: the privileges it needs come later, from
-- db/policies/).

do $add$
declare
    t record;
begin
    for t in select p.table_name from privacy.personal_table p order by 1 loop
        execute format('alter table dossier.%I add column restricted boolean not null default false', t.table_name);
        execute format('comment on column dossier.%I.restricted is %L', t.table_name,
                       'Processing of this row is restricted (art. 13.6): hidden from every role but those handling requests. Kept by privacy.sync_restricted().');
        execute format($u$
            update dossier.%I x set restricted = true
             where exists (select from privacy.restriction r
                            where r.subject_id = x.subject_id and r.lifted_at is null
                              and (r.annex is null or r.annex = x.annex))$u$, t.table_name);
    end loop;
end
$add$;

-- Detail tables made later start from the template, so they have the flag too.
alter table dossier.detail_base add column restricted boolean not null default false;
comment on column dossier.detail_base.restricted is 'Processing restricted (art. 13.6); see privacy.sync_restricted().';

insert into privacy.technical_column (column_name, reason) values
    ('restricted', 'processing restricted (art. 13.6), kept from privacy.restriction by privacy.sync_restricted() only');
