-- The letters to a data subject (issue 17 item 5; 004 art. 13, AVG art. 12 "in een beknopte,
-- transparante, begrijpelijke en gemakkelijk toegankelijke vorm en in duidelijke en eenvoudige taal").
-- 1. Each organisation names its own controller and addresses (art. 2 "verantwoordelijke"): the
--    register's entry (processing_activity) is the regulation's controller, and only the fallback.
-- 2. Every personal-data column and table has a Dutch label, so a letter shows no column names.

create table privacy.organisation_setting (
    org_id            bigint primary key,
    organisation      text not null,
    controller        text not null,
    visiting_address  text,
    postal_address    text,
    -- (id, org_id) of a root unit are equal: only an organisation (the root of a tree) has settings
    constraint organisation_setting_root foreign key (org_id, org_id) references dossier.org_unit (id, org_id),
    constraint organisation_setting_named check (length(btrim(organisation)) > 0 and length(btrim(controller)) > 0)
);
comment on table privacy.organisation_setting is
    'Per organisation (root unit): the controller and its addresses the letters name (004 art. 2, 13).';
comment on column privacy.organisation_setting.org_id is 'The organisation: the root unit of its tree.';
comment on column privacy.organisation_setting.organisation is 'The organisation''s name as a letterhead shows it.';
comment on column privacy.organisation_setting.controller is 'Who is controller (verantwoordelijke), as a letter is signed.';
comment on column privacy.organisation_setting.visiting_address is 'Visiting address (bezoekadres).';
comment on column privacy.organisation_setting.postal_address is 'Postal address (postadres) for the letterhead.';

alter table privacy.column_category add column label_nl text;
comment on column privacy.column_category.label_nl is 'Dutch label of the column, as a letter to the subject shows it.';
alter table privacy.personal_table add column label_nl text;
comment on column privacy.personal_table.label_nl is 'Dutch title of the table, as a letter to the subject shows it.';

update privacy.personal_table t set label_nl = v.label from (values
    ('absence', 'Verzuim'), ('application', 'Sollicitaties'), ('appraisal', 'Beoordelingen en gesprekken'),
    ('attendance', 'Aanwezigheid bij leeractiviteiten'), ('contribution', 'Bijdragen en giften'),
    ('cost_allocation', 'Toerekening van opleidingskosten'), ('education', 'Opleidingen, cursussen en stages'),
    ('employment', 'Dienstverband'), ('enrolment', 'Inschrijvingen voor leeractiviteiten'),
    ('evaluation', 'Evaluaties van leeractiviteiten'), ('exam', 'Examens'), ('family_member', 'Gezinsleden'),
    ('guardian', 'Ouders, voogden of verzorgers'), ('identity_document', 'Identiteitsbewijs'),
    ('invoice_line', 'Factuurregels van opleiders'), ('leave', 'Verlof'), ('payout', 'Uitbetalingen'),
    ('pension_beneficiary', 'Begunstigden van het pensioen'), ('pension_entitlement', 'Pensioenaanspraken'),
    ('person_record', 'Persoonsgegevens'), ('previous_employment', 'Eerdere dienstverbanden'),
    ('qualification', 'Vakken, bevoegdheden en graden'), ('salary', 'Salaris'),
    ('severance_benefit', 'Uitkering bij ontslag'), ('tax_record', 'Belasting en premies'),
    ('working_condition', 'Arbeidsomstandigheden')) v(name, label)
 where t.table_name = v.name;

update privacy.column_category c set label_nl = v.label from (values
    ('absence', 'first_day', 'Eerste dag'), ('absence', 'last_day', 'Laatste dag'),
    ('absence', 'percentage', 'Percentage'), ('absence', 'reason_code', 'Reden'),
    ('application', 'applied_on', 'Datum sollicitatie'), ('application', 'outcome', 'Uitkomst'),
    ('application', 'position_applied', 'Functie'), ('application', 'procedure_ended_on', 'Einde procedure'),
    ('application', 'vacancy_code', 'Vacature'),
    ('appraisal', 'held_on', 'Datum'), ('appraisal', 'kind', 'Soort gesprek'),
    ('appraisal', 'known_to_subject', 'Aan u bekendgemaakt'), ('appraisal', 'outcome_code', 'Uitkomst'),
    ('appraisal', 'summary', 'Samenvatting'),
    ('attendance', 'present', 'Aanwezig'),
    ('contribution', 'amount', 'Bedrag'), ('contribution', 'kind', 'Soort'), ('contribution', 'year', 'Jaar'),
    ('cost_allocation', 'amount', 'Bedrag'), ('cost_allocation', 'charged_unit_id', 'Belaste eenheid'),
    ('education', 'completed', 'Afgerond'), ('education', 'course', 'Opleiding'), ('education', 'ends_on', 'Einddatum'),
    ('education', 'institution', 'Instelling'), ('education', 'kind', 'Soort'), ('education', 'starts_on', 'Begindatum'),
    ('employment', 'contract_type', 'Soort contract'), ('employment', 'end_reason', 'Reden einde'),
    ('employment', 'ended_on_job', 'Einddatum'), ('employment', 'fte', 'Omvang (fte)'),
    ('employment', 'position', 'Functie'), ('employment', 'started_on', 'Begindatum'),
    ('enrolment', 'completed_on', 'Afgerond op'), ('enrolment', 'enrolled_on', 'Ingeschreven op'),
    ('enrolment', 'status', 'Status'),
    ('evaluation', 'score', 'Score'), ('evaluation', 'submitted_on', 'Ingediend op'),
    ('exam', 'exam_date', 'Examendatum'), ('exam', 'grade', 'Cijfer'), ('exam', 'passed', 'Geslaagd'),
    ('family_member', 'birth_date', 'Geboortedatum'), ('family_member', 'first_names', 'Voornamen'),
    ('family_member', 'purpose', 'Doel'), ('family_member', 'relation', 'Relatie'),
    ('family_member', 'surname', 'Achternaam'),
    ('guardian', 'city', 'Woonplaats'), ('guardian', 'email', 'E-mailadres'), ('guardian', 'house_number', 'Huisnummer'),
    ('guardian', 'initials', 'Voorletters'), ('guardian', 'phone', 'Telefoonnummer'), ('guardian', 'postcode', 'Postcode'),
    ('guardian', 'relation', 'Relatie'), ('guardian', 'street', 'Straat'), ('guardian', 'surname', 'Achternaam'),
    ('identity_document', 'copy', 'Kopie'), ('identity_document', 'document_type', 'Soort document'),
    ('identity_document', 'expires_on', 'Geldig tot'),
    ('invoice_line', 'amount', 'Bedrag'), ('invoice_line', 'validated', 'Gecontroleerd'),
    ('leave', 'ends_on', 'Einddatum'), ('leave', 'hours', 'Uren'), ('leave', 'leave_type', 'Soort verlof'),
    ('leave', 'starts_on', 'Begindatum'),
    ('payout', 'amount', 'Bedrag'), ('payout', 'kind', 'Soort'), ('payout', 'paid_on', 'Betaald op'),
    ('payout', 'reference', 'Kenmerk'),
    ('pension_beneficiary', 'birth_date', 'Geboortedatum'), ('pension_beneficiary', 'first_names', 'Voornamen'),
    ('pension_beneficiary', 'relation', 'Relatie'), ('pension_beneficiary', 'share_percent', 'Aandeel (%)'),
    ('pension_beneficiary', 'surname', 'Achternaam'),
    ('pension_entitlement', 'accrued_amount', 'Opgebouwd bedrag'), ('pension_entitlement', 'early_retirement', 'Vervroegd pensioen'),
    ('pension_entitlement', 'employer_reference', 'Kenmerk werkgever'), ('pension_entitlement', 'fund', 'Pensioenfonds'),
    ('pension_entitlement', 'payment_amount', 'Uitkering'), ('pension_entitlement', 'premium_amount', 'Premie'),
    ('pension_entitlement', 'registered_on', 'Geregistreerd op'), ('pension_entitlement', 'sector_reference', 'Kenmerk sector'),
    ('pension_entitlement', 'settled_on', 'Afgewikkeld op'),
    ('person_record', 'admin_number', 'Personeelsnummer'), ('person_record', 'birth_date', 'Geboortedatum'),
    ('person_record', 'birth_place', 'Geboorteplaats'), ('person_record', 'bsn', 'Burgerservicenummer'),
    ('person_record', 'city', 'Woonplaats'), ('person_record', 'country', 'Land'), ('person_record', 'email', 'E-mailadres'),
    ('person_record', 'first_names', 'Voornamen'), ('person_record', 'gender', 'Geslacht'),
    ('person_record', 'house_number', 'Huisnummer'), ('person_record', 'iban', 'Rekeningnummer (IBAN)'),
    ('person_record', 'initials', 'Voorletters'), ('person_record', 'nationality', 'Nationaliteit'),
    ('person_record', 'partner_prefix', 'Voorvoegsel partnernaam'), ('person_record', 'partner_surname', 'Partnernaam'),
    ('person_record', 'phone', 'Telefoonnummer'), ('person_record', 'photo', 'Pasfoto'),
    ('person_record', 'postcode', 'Postcode'), ('person_record', 'prefix', 'Voorvoegsel'),
    ('person_record', 'salutation', 'Aanhef'), ('person_record', 'street', 'Straat'),
    ('person_record', 'surname', 'Achternaam'), ('person_record', 'title_after', 'Titel achter de naam'),
    ('person_record', 'title_before', 'Titel voor de naam'),
    ('previous_employment', 'employer', 'Werkgever'), ('previous_employment', 'end_reason', 'Reden einde'),
    ('previous_employment', 'ended_on_job', 'Einddatum'), ('previous_employment', 'position', 'Functie'),
    ('previous_employment', 'started_on', 'Begindatum'),
    ('qualification', 'description', 'Omschrijving'), ('qualification', 'institution', 'Instelling'),
    ('qualification', 'kind', 'Soort'), ('qualification', 'obtained_on', 'Behaald op'),
    ('salary', 'allowances', 'Toelagen'), ('salary', 'benefits_in_kind', 'Beloning in natura'),
    ('salary', 'gross_amount', 'Brutobedrag'), ('salary', 'period', 'Periode'), ('salary', 'scale', 'Schaal'),
    ('salary', 'step', 'Trede'),
    ('severance_benefit', 'ends_on', 'Einddatum'), ('severance_benefit', 'kind', 'Soort'),
    ('severance_benefit', 'monthly_amount', 'Bedrag per maand'), ('severance_benefit', 'starts_on', 'Begindatum'),
    ('tax_record', 'premium_amount', 'Premies'), ('tax_record', 'tax_amount', 'Loonheffing'),
    ('tax_record', 'tax_table', 'Loonbelastingtabel'), ('tax_record', 'wage_tax_credit', 'Loonheffingskorting'),
    ('tax_record', 'year', 'Jaar'),
    ('working_condition', 'ends_on', 'Einddatum'), ('working_condition', 'measure_code', 'Maatregel'),
    ('working_condition', 'starts_on', 'Begindatum')) v(tab, col, label)
 where c.table_name = v.tab and c.column_name = v.col;
