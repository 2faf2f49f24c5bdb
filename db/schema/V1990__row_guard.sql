-- The row guard (issue 13, the residual): every table with row security gets one RESTRICTIVE
-- SELECT policy per reading role whose whole test costs nothing in PostgreSQL's estimate, so it runs
-- before every condition of the caller, the zero-cost ones (a NULL test, a boolean column, NOT,
-- CASE/COALESCE of those and a parameter) included:
--
--     (privacy.row_map('absence'))[annex_no][unit_no] and not restricted
--
-- privacy.row_map is folded to a boolean array constant while the statement is planned (as
-- privacy.scope is, db/functions/1000_access_helpers.sql); taking an element of an array costs
-- nothing in the planner's estimate, and among tests of equal cost the policy's come first. The
-- element needs integer subscripts: the annex as a number (annex_no, V1950) and the unit's id as
-- an integer, stored and generated here. Organisation data and the subject keys are guarded by
-- the organisation (org_no). Ids come from identity sequences; an id beyond 2,147,483,647 would be
-- refused on insert (integer out of range), long before any organisation has that many units.
do $add$
declare
    t text;
begin
    for t in select pt.table_name from privacy.personal_table pt
             union select 'detail_base'
             order by 1 loop
        execute format('alter table dossier.%I add column unit_no integer '
                       'generated always as (unit_id::integer) stored', t);
        execute format('comment on column dossier.%I.unit_no is %L', t,
                       'The unit as an integer subscript, for the row guard (privacy.row_map); generated.');
    end loop;
    for t in select o.table_name from privacy.org_table o
              where exists (select from pg_catalog.pg_attribute a
                             where a.attrelid = format('dossier.%I', o.table_name)::regclass
                               and a.attname = 'org_id' and not a.attisdropped)
             union select 'subject'
             order by 1 loop
        execute format('alter table dossier.%I add column org_no integer '
                       'generated always as (org_id::integer) stored', t);
        execute format('comment on column dossier.%I.org_no is %L', t,
                       'The organisation as an integer subscript, for the row guard (privacy.org_map); generated.');
    end loop;
end
$add$;

insert into privacy.technical_column (column_name, reason)
values ('unit_no', 'the unit as an integer, for the row guard (generated)'),
       ('org_no', 'the organisation as an integer, for the row guard (generated)')
on conflict (column_name) do nothing;

-- What each reading role reaches of each personal-data table: its annexes (as numbers) and its
-- scope kind. Written by privacy.apply_access() from the access matrix; read by privacy.row_map.
create table privacy.policy_reach (
    table_name  name not null,
    role        name not null,
    annex_nos   integer[] not null,
    scope       text not null check (scope in ('unit', 'org')),
    primary key (table_name, role)
);
comment on table privacy.policy_reach is
    'Annexes and scope kind of each role''s SELECT policy on each personal-data table (the row guard''s input).';
