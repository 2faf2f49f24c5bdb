-- The annex of a personal-data row as a small number (issue 13, found by an independent attack):
-- a row policy must reject a hidden row before any condition of the caller runs, or the caller's
-- own subquery (an InitPlan that runs when the first row reaches it) tells whether a hidden row
-- met the caller's earlier, leakproof conditions. PostgreSQL runs a scan's conditions in order of
-- security level and estimated cost, a cheap leakproof caller condition counting as level 0 and
-- ties keeping the policy's conditions first. The cheapest test of a value against a set is a
-- one-element `= any` list (half an operator); so the policies test `annex_no <@ any ('{"{[2,3)}"}')`
-- and `unit_id <@ any ('{"{[3,7)}"}')`, one multirange each (db/functions/1010_access_model.sql),
-- which needs the annex as an integer. Stored, generated: nobody writes it.
create function dossier.annex_no(p_annex text) returns integer
    language sql immutable strict parallel safe security invoker
    set search_path = pg_catalog, pg_temp
as $$ select pg_catalog.array_position(array['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'FS', 'TP'], p_annex) $$;
comment on function dossier.annex_no(text) is 'The annex code as 1..8 (A1..A6, FS, TP), for the row policies.';

do $add$
declare
    t text;
begin
    for t in select pt.table_name from privacy.personal_table pt
             union select 'detail_base'
             order by 1 loop
        execute format('alter table dossier.%I add column annex_no integer '
                       'generated always as (dossier.annex_no(annex)) stored', t);
        execute format('comment on column dossier.%I.annex_no is %L', t,
                       'The annex as a number (dossier.annex_no), tested first by the row policies; generated.');
    end loop;
end
$add$;

insert into privacy.technical_column (column_name, reason)
values ('annex_no', 'the annex as a number, for the row policies (generated)')
on conflict (column_name) do nothing;
