-- The last minimisation gaps (issue 16.4; 004 art. 4.4, 5) and health data (issue 16.6; art. 2).
--
-- A category an annex lists does not bring every column of that category with it: some columns
-- are listed by fewer annexes than their category. privacy.annex_column_limit names them; the
-- minimisation constraints (db/functions/0300_minimisation.sql) and the column catalogue
-- (privacy.column_catalogue) follow it, so the generated pgTAP suite covers each one.

create table privacy.annex_column_limit (
    table_name   text not null references privacy.personal_table (table_name),
    column_name  text,
    annexes      text[] not null,
    clause       text not null,
    constraint annex_column_limit_unique unique nulls not distinct (table_name, column_name),
    constraint annex_column_limit_annexes_known check (annexes <@ array['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'FS', 'TP'])
);
comment on table privacy.annex_column_limit is
    'Columns (column_name null: the whole table) allowed in fewer annexes than their category: only in these '
    '(004 art. 4.4 "alleen de gegevens genoemd in de bijlagen").';
insert into privacy.annex_column_limit (table_name, column_name, annexes, clause) values
    ('previous_employment', null, '{A1}',
     'Bijlage 1 lid 2h, 2i: huidige en vorige dienstbetrekkingen (with their end) of an applicant; Bijlagen 2-6, art. 15.3 and M895 list no earlier employment'),
    ('person_record', 'partner_surname', '{TP}',
     '000 M895: partnernaam en -voorvoegsel; Bijlagen 1-6 and art. 15.3a list naam, voornamen, voorletters, titulatuur only'),
    ('person_record', 'partner_prefix', '{TP}',
     '000 M895: partnernaam en -voorvoegsel; Bijlagen 1-6 and art. 15.3a list naam, voornamen, voorletters, titulatuur only'),
    ('person_record', 'salutation', '{TP}',
     '000 M895: aanhef; no Bijlage lists it (Bijlage 6 leaves out even geslacht)'),
    ('employment', 'started_on', '{A1,A2,FS,TP}',
     'Bijlage 4 lid 2a lists only the functie; the period is listed by Bijlage 1 lid 2h/2i, Bijlage 2 lid 2f, art. 15.3b and M895 (datum in/uit dienst)'),
    ('employment', 'ended_on_job', '{A1,A2,FS,TP}',
     'Bijlage 4 lid 2a lists only the functie; the period is listed by Bijlage 1 lid 2h/2i, Bijlage 2 lid 2f, art. 15.3b and M895 (datum in/uit dienst)');

-- Bijlage 4 lists no start date, so an A4 employment row has none; every other annex must give it.
alter table dossier.employment alter column started_on drop not null;
alter table dossier.employment add constraint employment_started_on_present
    check (annex = 'A4' or started_on is not null);
comment on constraint employment_started_on_present on dossier.employment is
    'Datum in dienst is required where the period is listed (Bijlage 1, 2, art. 15.3b, M895); Bijlage 4 lists only the functie.';

-- Health data (art. 2 "bijzondere persoonsgegevens ... gezondheid"): the absence reasons sickness
-- and maternity ("bevalling of ziekte", Bijlage 2 lid 2g) say something about health. The
-- category is special, with the ground an employer has for it; no special category without one.
alter table privacy.data_category drop constraint data_category_no_special_categories;
alter table privacy.data_category add column special_ground text;
alter table privacy.data_category add constraint data_category_special_has_ground
    check (not special or coalesce(length(btrim(special_ground)), 0) > 0);
comment on column privacy.data_category.special is
    'A special category of personal data (004 art. 2; AVG art. 9): processed only on special_ground.';
comment on column privacy.data_category.special_ground is
    'The legal ground for processing a special category (AVG art. 9 lid 2 and the UAVG exception relied on).';
comment on table privacy.data_category is
    'Data categories of the annexes (contract §4). A special category (art. 2) only with its legal ground.';
update privacy.data_category
   set special = true,
       special_ground = 'Verzuim wegens ziekte of bevalling is een gegeven over gezondheid (art. 2). Grond: AVG art. 9 '
                        'lid 2b met UAVG art. 30 lid 1b (re-integratie en begeleiding bij ziekte) en de loondoorbetaling '
                        'bij ziekte (BW art. 7:629, Wet verbetering poortwachter); alleen een redencode, nooit de aard '
                        'van de ziekte (Bijlage 2 lid 2g).'
 where code = 'absence';
