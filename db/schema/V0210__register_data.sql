-- The seeds as rows: 004 (Privacyreglement verwerking personeelsgegevens, Lentiz onderwijsgroep,
-- 2019) Bijlagen 1-6 and art. 15; 000 (register entry M895, Opleidingspaspoort).
-- Texts are the seeds' own words (Dutch) with an English rendering.

insert into privacy.data_category (code, label_nl, label_en) values
    ('name', 'naam, voornamen, voorletters, titulatuur', 'name, first names, initials, titles'),
    ('gender', 'geslacht', 'gender'),
    ('birth_date', 'geboortedatum', 'date of birth'),
    ('birth_place', 'geboorteplaats', 'place of birth'),
    ('nationality', 'nationaliteit', 'nationality'),
    ('address', 'adres, postcode, woonplaats', 'address, postcode, town'),
    ('contact', 'telefoonnummer, e-mailadres en soortgelijke communicatiegegevens',
        'telephone, e-mail and similar contact data'),
    ('iban', 'rekeningnummer (IBAN)', 'bank account (IBAN)'),
    ('admin_number', 'administratienummer / personeelsnummer', 'administration / staff number'),
    ('bsn', 'burgerservicenummer', 'citizen service number (BSN)'),
    ('id_copy', 'kopie van het identiteitsbewijs', 'copy of the identity document'),
    ('photo', 'pasfoto', 'passport photo'),
    ('guardian', 'gegevens van ouders, voogden of verzorgers van minderjarigen',
        'parents or guardians of minors'),
    ('family', 'gegevens betreffende (voormalige) gezinsleden', 'family members (current and former)'),
    ('education', 'gevolgde en te volgen opleidingen, cursussen en stages',
        'education, courses and internships'),
    ('application', 'gegevens betreffende de functie waarnaar gesolliciteerd is',
        'the position applied for'),
    ('employment', 'functie, aard, inhoud en beëindiging van het dienstverband',
        'position, nature, content and end of employment'),
    ('absence', 'aanwezigheid en afwezigheid (verlof, arbeidsduurverkorting, bevalling, ziekte), '
        'zonder de aard van de ziekte', 'attendance and absence, never the nature of an illness'),
    ('working_conditions', 'gegevens met het oog op arbeidsomstandigheden', 'working conditions'),
    ('appraisal', 'personeelsbeoordeling, loopbaanbegeleiding, ontwikkeling en functioneren',
        'appraisal, career guidance and development'),
    ('qualification', 'vakken, bevoegdheden en graden', 'subjects, teaching qualifications and degrees'),
    ('salary', 'salarissen, vergoedingen, andere geldsommen en beloningen in natura',
        'salary, allowances, benefits in kind'),
    ('tax', 'belasting en premies', 'tax and premiums'),
    ('benefit', 'uitkering bij ontslag', 'severance benefits'),
    ('pension', 'pensioenaanspraken, premies, uitkeringen en begunstigden',
        'pension entitlements, premiums, payments and beneficiaries'),
    ('payout', 'uitbetalingen van (voorschotten op) salaris, onkostendeclaraties en vergoedingen',
        'payouts of (advances on) salary, expense claims and allowances'),
    ('contribution', 'bijdragen en giften van oud-personeelsleden', 'contributions and gifts of former staff'),
    ('training', 'leeractiviteiten, aanwezigheid, examens, evaluaties en opleidingskosten',
        'learning activities, attendance, exams, evaluations and training costs');

insert into privacy.legal_basis (code, clause, label_nl, label_en) values
    ('consent', '7a', 'Toestemming', 'Consent'),
    ('contract', '7b', 'Overeenkomst', 'Contract'),
    ('legal_obligation', '7c', 'Wettelijke verplichting', 'Legal obligation'),
    ('vital_interest', '7d', 'Vitaal belang', 'Vital interest'),
    ('public_task', '7e', 'Publiekrechtelijke taak', 'Public task'),
    ('legitimate_interest', '7f', 'Gerechtvaardigd belang', 'Legitimate interest');

-- The education group's activities share controller and recipients (004 art. 1, 2, 8).
with lentiz(organisation, controller, visiting, postal) as (values (
    'Lentiz onderwijsgroep',
    'Het bevoegd gezag (Raad van Bestuur) van Lentiz onderwijsgroep',
    'Schiedamsedijk 114, 3134 KK Vlaardingen',
    'p/a bestuurssecretariaat, Postbus 3040, 3130 CA Vlaardingen'))
insert into privacy.processing_activity (
    code, reference, name_nl, name_en, organisation, controller, visiting_address, postal_address,
    data_subjects_nl, data_subjects_en, source_nl, source_en, retention_nl, retention_en,
    automated_decisions_nl, outside_eu, outside_eu_nl, related_nl, legal_reference)
select a.code, null, a.name_nl, a.name_en, l.organisation, l.controller, l.visiting, l.postal,
       a.subjects_nl, a.subjects_en, a.source_nl, a.source_en, a.retention_nl, a.retention_en,
       'Er is geen sprake van besluitvorming op basis van automatisch verwerkte gegevens.',
       false, 'Er is geen sprake van doorgifte buiten de Europese Unie.',
       'Onderdeel van het privacyreglement verwerking personeelsgegevens.', a.ref
  from lentiz l, (values
    ('A1', 'Sollicitanten', 'Applicants', 'Sollicitanten', 'Applicants',
     'De sollicitant zelf', 'The applicant',
     'Verwijderd op verzoek en uiterlijk vier weken na afloop van de sollicitatieprocedure, of met '
     'toestemming van de sollicitant een jaar na afloop (art. 14b, Bijlage 1 lid 3).',
     'Deleted on request and at the latest 4 weeks after the procedure ends, or 1 year with the '
     'applicant''s consent (art. 14b, Annex 1(3)).', '004 Bijlage 1'),
    ('A2', 'Personeelsadministratie', 'Personnel administration', 'Personeelsleden',
     'Staff members', 'De medewerker, de werkgever en de HR-importer', 'The employee, the employer, the HR importer',
     'Uiterlijk tien jaar na einde dienstverband, tenzij een wettelijke bewaarplicht of '
     'pensioneringsvraagstuk anders vereist (art. 14a).',
     'At most 10 years after employment ends, unless a legal duty or a pension matter requires '
     'otherwise (art. 14a).', '004 Bijlage 2'),
    ('A3', 'Salarisadministratie', 'Payroll administration', 'Personeelsleden', 'Staff members',
     'De medewerker en de personeelsadministratie', 'The employee and the personnel administration',
     'Uiterlijk tien jaar na einde dienstverband, tenzij een wettelijke bewaarplicht of '
     'pensioneringsvraagstuk anders vereist (art. 14a).',
     'At most 10 years after employment ends, unless a legal duty or a pension matter requires '
     'otherwise (art. 14a).', '004 Bijlage 3'),
    ('A4', 'Uitkering bij ontslag', 'Severance benefits', 'Personeelsleden en oud-personeelsleden',
     'Staff and former staff', 'De personeels- en salarisadministratie', 'Personnel and payroll administration',
     'Uiterlijk tien jaar na de laatste uitkering (lezing van art. 14a: administratie '
     'personeel/salaris), tenzij een wettelijke bewaarplicht anders vereist.',
     'At most 10 years after the last benefit payment (reading of art. 14a), unless a legal duty '
     'requires otherwise.', '004 Bijlage 4'),
    ('A5', 'Pensioen en vervroegde uittreding', 'Pension and early retirement',
     'Personeelsleden, oud-personeelsleden en begunstigden', 'Staff, former staff and beneficiaries',
     'De personeels- en salarisadministratie en het pensioenfonds', 'Personnel and payroll administration, the pension fund',
     'Zolang het pensioenvraagstuk loopt en daarna uiterlijk tien jaar na de laatste betaling '
     '(lezing van art. 14a: "nodig voor pensioneringsvraagstukken").',
     'While the pension matter lasts, then at most 10 years after the last payment (reading of '
     'art. 14a).', '004 Bijlage 5'),
    ('A6', 'Uitbetaling van (voorschotten op) salaris, onkostendeclaraties en andere vergoedingen',
     'Payouts of (advances on) salary, expense claims and other allowances',
     'Personeelsleden en sollicitanten met een vergoeding', 'Staff and applicants with a payout',
     'De financiële administratie', 'The financial administration',
     'De bewaartermijn van de financiële administratie: zeven jaar (art. 14c; fiscale bewaarplicht).',
     'The financial administration''s retention period: 7 years (art. 14c; fiscal duty).',
     '004 Bijlage 6'),
    ('FS', 'Oud-personeel', 'Former staff', 'Oud-personeelsleden', 'Former staff members',
     'Het oud-personeelslid en de personeelsadministratie', 'The former staff member and the personnel administration',
     'Verwijderd op verzoek van de betrokkene of bij diens overlijden (art. 15.5).',
     'Deleted on the data subject''s request or on their death (art. 15.5).', '004 art. 15')
  ) as a(code, name_nl, name_en, subjects_nl, subjects_en, source_nl, source_en, retention_nl,
         retention_en, ref);

insert into privacy.processing_activity (
    code, reference, name_nl, name_en, organisation, controller, visiting_address, postal_address,
    data_subjects_nl, data_subjects_en, personal_data_nl, source_nl, source_en, mandatory_nl,
    retention_nl, retention_en, automated_decisions_nl, outside_eu, outside_eu_nl, related_nl,
    legal_reference)
values ('TP', 'M895', 'Opleidingspaspoort', 'Training passport',
    'Ministerie van Sociale Zaken en Werkgelegenheid Leer en Ontwikkelplein',
    'Minister van Sociale Zaken en Werkgelegenheid, voor deze de directeur LOP',
    'Parnassusplein 5 2511 VX Den Haag NEDERLAND', 'Postbus 90801 2509 LV Den Haag NEDERLAND',
    'Medewerkers van de departementen VWS, OCW en SZW, die zich inschrijven voor een opleiding bij het LOP.',
    'Staff of the ministries VWS, OCW and SZW who enrol for training at the LOP.',
    'Via een koppeling, de HR-importer, worden per departement (inclusief hun buitendiensten) de '
    'volgende gegevens meegegeven aan het LMS: unieke identificatie van de persoon, achternaam, '
    'voorvoegsels, voorletters, voornamen, partnernaam en -voorvoegsel, aanhef, titels voor/achter, '
    'geslacht, geboortedatum, geboorteplaats, e-mailadres, datum in/uit dienst, functie, '
    'organisatiegegevens: kolom, directie, afdeling, team',
    'Via de HR-Importer', 'Through the HR importer',
    'Betrokkenen waren niet verplicht deze gegevens aan te leveren.',
    'Voor de in de digitale omgeving van het LO-Plein opgeslagen medewerkers- en opleidingsgegevens '
    'geldt dat de gegevens 5 jaar na uitdiensttreding van een medewerker geen relevantie meer hebben. '
    'Deze gegevens zullen derhalve na 5 jaren uit dienst worden verwijderd. Uitzondering op de '
    'vastgestelde bewaartermijn is het gebruik van persoonsgegevens voor statistische en '
    'wetenschappelijke toepassingen (niet-herleidbaarheid hierbij het uitgangspunt)',
    'Deleted 5 years after the employee leaves; non-traceable statistics are the exception.',
    'Er is geen sprake van besluitvorming over persoonsgegevens op basis van automatisch verwerkte gegevens.',
    false,
    'Er is geen sprake van doorgifte van persoonsgegevens aan één of meer landen buiten de '
    'Europese Unie of aan een internationale organisatie.',
    'Deze verwerking bevat geen gerelateerde verwerkingen', '000 M895');

insert into privacy.purpose (activity, clause, text_nl, text_en) values
    ('A1', '1a', 'de beoordeling van de geschiktheid van betrokkene voor een functie die vacant is of kan komen', 'assessing suitability for a (future) vacancy'),
    ('A1', '1b', 'de afhandeling van de door de sollicitant gemaakte onkosten', 'settling the applicant''s expenses'),
    ('A1', '1c', 'de interne controle en de bedrijfsbeveiliging', 'internal control and security'),
    ('A1', '1d', 'de uitvoering of toepassing van een andere wet', 'applying another law'),
    ('A2', '1a', 'het geven van leiding aan de werkzaamheden van betrokkene', 'managing the employee''s work'),
    ('A2', '1b', 'de behandeling van personeelszaken', 'handling personnel matters'),
    ('A2', '1c', 'het vaststellen en doen uitbetalen van salarisaanspraken', 'determining and paying salary'),
    ('A2', '1d', 'het regelen van aanspraken op uitkeringen in verband met de beëindiging van een dienstverband', 'benefits when employment ends'),
    ('A2', '1e', 'de opleiding van betrokkene', 'the employee''s training'),
    ('A2', '1f', 'de bedrijfsmedische zorg voor betrokkene', 'occupational health care'),
    ('A2', '1g', 'het bedrijfsmaatschappelijk werk', 'company social work'),
    ('A2', '1h', 'de verkiezing van de leden van een bij wet geregeld medezeggenschapsorgaan', 'works council elections'),
    ('A2', '1i', 'de interne controle en de bedrijfsbeveiliging', 'internal control and security'),
    ('A2', '1j', 'de uitvoering van een voor de betrokkene geldende arbeidsvoorwaarde', 'applying a term of employment'),
    ('A2', '1k', 'het verlenen van ontslag', 'dismissal'),
    ('A2', '1l', 'de administratie van de personeelsvereniging en van de vereniging van oud-personeelsleden', 'staff and former-staff associations'),
    ('A2', '1m', 'het innen van vorderingen, waaronder begrepen het in handen van derden stellen van die vorderingen', 'collecting claims'),
    ('A2', '1n', 'het behandelen van geschillen en het doen uitoefenen van accountantscontrole', 'disputes and audits'),
    ('A2', '1o', 'het beoordelen en verbeteren van de ontwikkeling en het functioneren van de medewerker', 'appraisal and development'),
    ('A2', '1p', 'de overgang van de betrokkene naar of diens tijdelijke tewerkstelling bij een ander onderdeel van de groep', 'transfer within the group'),
    ('A2', '1q', 'de uitvoering of toepassing van een andere wet', 'applying another law'),
    ('A3', '1a', 'het berekenen, vastleggen en betalen van salarissen, vergoedingen en andere geldsommen en beloningen in natura aan of ten behoeve van betrokkene', 'calculating and paying salaries, allowances and benefits in kind'),
    ('A3', '1b', 'het berekenen, vastleggen en betalen van belasting en premies ten behoeve van betrokkene', 'calculating and paying tax and premiums'),
    ('A3', '1c', 'een voor de betrokkene geldende arbeidsvoorwaarde', 'a term of employment'),
    ('A3', '1d', 'de personeelsadministratie', 'the personnel administration'),
    ('A3', '1e', 'het regelen van aanspraken op uitkeringen in verband met de beëindiging van een dienstverband', 'benefits when employment ends'),
    ('A3', '1f', 'de overgang van de betrokkene naar of diens tijdelijke tewerkstelling bij een ander onderdeel van de groep', 'transfer within the group'),
    ('A3', '1g', 'het verlenen van ontslag', 'dismissal'),
    ('A3', '1h', 'het innen van vorderingen, waaronder begrepen het in handen van derden stellen van vorderingen', 'collecting claims'),
    ('A3', '1i', 'het behandelen van geschillen en het doen uitoefenen van accountantscontrole', 'disputes and audits'),
    ('A3', '1j', 'de uitvoering of toepassing van een andere wet', 'applying another law'),
    ('A4', '1a', 'de berekening, de vastlegging en de betaling van de uitkeringen aan of ten behoeve van de betrokkenen', 'calculating, recording and paying the benefits'),
    ('A4', '1b', 'de berekening, de vastlegging of de afdracht van belasting en premies ten behoeve van de betrokkenen', 'tax and premiums'),
    ('A4', '1c', 'een voor de betrokkene geldende arbeidsvoorwaarde', 'a term of employment'),
    ('A4', '1d', 'de personeelsadministratie', 'the personnel administration'),
    ('A4', '1e', 'de salarisadministratie', 'the payroll administration'),
    ('A4', '1f', 'de vereniging van oud-personeelsleden', 'the former-staff association'),
    ('A4', '1g', 'de overgang van de betrokkene naar of diens tijdelijke tewerkstelling bij een ander onderdeel van de groep', 'transfer within the group'),
    ('A4', '1h', 'het verlenen van ontslag', 'dismissal'),
    ('A4', '1i', 'het innen van vorderingen, waaronder begrepen het in handen van derden stellen van vorderingen', 'collecting claims'),
    ('A4', '1j', 'het behandelen van geschillen en het doen uitoefenen van accountantscontrole', 'disputes and audits'),
    ('A4', '1k', 'de uitvoering of toepassing van een andere wet', 'applying another law'),
    ('A5', '1a', 'de vaststelling van de hoogte van de aanspraak van de betrokkene', 'determining the entitlement'),
    ('A5', '1b', 'het berekenen, vastleggen en innen van premies', 'calculating and collecting premiums'),
    ('A5', '1c', 'de berekening, de vastlegging en de betaling van de uitkering aan of ten behoeve van de betrokkenen', 'calculating and paying the pension'),
    ('A5', '1d', 'de berekening, de vastlegging of de afdracht van belasting en premies ten behoeve van de betrokkenen', 'tax and premiums'),
    ('A5', '1e', 'het innen van vorderingen, waaronder begrepen het in handen van derden stellen van vorderingen', 'collecting claims'),
    ('A5', '1f', 'het behandelen van geschillen en het doen uitoefenen van accountantscontrole', 'disputes and audits'),
    ('A5', '1g', 'de uitvoering of toepassing van een andere wet', 'applying another law'),
    ('A6', '1a', 'het in de financiële administratie vastleggen van uitbetalingen van (voorschotten op) salarissen, onkostendeclaraties en andere vergoedingen aan of ten behoeve van betrokkene', 'recording payouts of (advances on) salary, expense claims and allowances'),
    ('FS', '15.2a', 'het onderhouden van contacten met oud-personeelsleden', 'keeping in touch with former staff'),
    ('FS', '15.2b', 'het verzenden van informatie aan oud-personeelsleden', 'sending information to former staff'),
    ('FS', '15.2c', 'het berekenen, vastleggen en innen van bijdragen en giften, waaronder begrepen het in handen van derden stellen van vorderingen, alsmede andere activiteiten van intern beheer', 'contributions and gifts'),
    ('FS', '15.2d', 'het behandelen van geschillen en het doen uitoefenen van accountantscontrole', 'disputes and audits'),
    ('TP', '1', 'Het aanbieden, inplannen en uitvoeren van leeractiviteiten', 'offering, planning and running learning activities'),
    ('TP', '2', 'Het monitoren van de voortgang ervan, waaronder aanwezigheidsregistratie', 'monitoring progress, including attendance'),
    ('TP', '3', 'Het inschrijven voor examens en het vastleggen van examenresultaten', 'exam enrolment and results'),
    ('TP', '4', 'Het genereren van management rapportages', 'management reports'),
    ('TP', '5', 'Het evalueren van opleidingen', 'evaluating training'),
    ('TP', '6', 'Het verrekenen van opleidingskosten tussen de departementen', 'settling training costs between ministries'),
    ('TP', '7', 'Het valideren van facturen van opleiders', 'validating training providers'' invoices');

-- Legal bases (art. 7) each activity relies on. Least-privilege reading: only the grounds the
-- annex's purposes need. M895 names "Toestemming betrokkene".
insert into privacy.processing_basis (activity, basis) values
    ('A1', 'contract'), ('A1', 'consent'), ('A1', 'legal_obligation'),
    ('A2', 'contract'), ('A2', 'legal_obligation'), ('A2', 'legitimate_interest'),
    ('A3', 'contract'), ('A3', 'legal_obligation'),
    ('A4', 'contract'), ('A4', 'legal_obligation'),
    ('A5', 'contract'), ('A5', 'legal_obligation'),
    ('A6', 'contract'), ('A6', 'legal_obligation'),
    ('FS', 'consent'), ('FS', 'legitimate_interest'),
    ('TP', 'consent');

insert into privacy.recipient (activity, ordinal, text_nl, text_en)
select a.code, r.ordinal, r.text_nl, r.text_en
  from privacy.processing_activity a, (values
    (1, 'degenen, waaronder begrepen derden, die leidinggeven aan of belast zijn met de verwerking van persoonsgegevens van personeel of die daarbij noodzakelijk zijn betrokken (art. 8a)', 'those managing or charged with the processing, including third parties (art. 8a)'),
    (2, 'anderen, bij toestemming, wettelijke verplichting of vitaal belang, of voor historische, statistische of wetenschappelijke doeleinden (art. 8b)', 'others, on consent, legal obligation or vital interest, or for archival, statistical or scientific purposes (art. 8b)'),
    (3, 'anderen, bij een publiekrechtelijke taak of gerechtvaardigd belang, voor zover het gegevens betreft als bedoeld in artikel 4 (art. 8c)', 'others, on public task or legitimate interest, for art. 4 data (art. 8c)'),
    (4, 'vakbonden, na voorafgaande kennisgeving en gelegenheid tot bezwaar (art. 8d)', 'trade unions, after notice and a chance to object (art. 8d)'),
    (5, 'de vereniging van oud-personeelsleden (art. 8e)', 'the former-staff association (art. 8e)')
  ) as r(ordinal, text_nl, text_en)
 where a.code in ('A1', 'A2', 'A3', 'A4', 'A5', 'A6');

insert into privacy.recipient (activity, ordinal, text_nl, text_en) values
    ('FS', 1, 'degenen, waaronder begrepen derden, die zijn belast met of leidinggeven aan de activiteiten van art. 15.2 of die daarbij noodzakelijk zijn betrokken (art. 15.4a)', 'those charged with the activities of art. 15.2 (art. 15.4a)'),
    ('FS', 2, 'anderen, bij toestemming, wettelijke verplichting of vitaal belang, of voor historische, statistische of wetenschappelijke doeleinden (art. 15.4b)', 'others, on consent, legal obligation or vital interest, or for archival, statistical or scientific purposes (art. 15.4b)'),
    ('TP', 1, 'De ministeries van OCW, SZW en VWS zijn Verantwoordelijke voor de verwerking van persoonsgegevens van hun medewerkers en zijn Verstrekker van persoonsgegevens aan het LO-Plein.', 'The ministries OCW, SZW and VWS are controllers for their staff''s data and supply it to the LO-Plein.');

-- The whitelists ("geen andere gegevens dan …"). Open clauses ("andere gegevens … vereist
-- ingevolge een andere wet", A1 2j/2k, A2 2l, A3 2i, A4 2h, A5 2g) add no category: a new
-- legal duty is a migration adding its category here, not free text (least privilege).
insert into privacy.annex_category (annex, category, clause) values
    -- Bijlage 1: sollicitanten
    ('A1', 'name', '2a'), ('A1', 'gender', '2a'), ('A1', 'birth_date', '2a'), ('A1', 'address', '2a'),
    ('A1', 'contact', '2a'), ('A1', 'iban', '2a'), ('A1', 'photo', '2b'), ('A1', 'admin_number', '2c'),
    ('A1', 'nationality', '2d'), ('A1', 'birth_place', '2d'), ('A1', 'guardian', '2e'),
    ('A1', 'education', '2f'), ('A1', 'application', '2g'), ('A1', 'employment', '2h, 2i'),
    -- Bijlage 2: personeelsadministratie
    ('A2', 'name', '2a'), ('A2', 'gender', '2a'), ('A2', 'birth_date', '2a'), ('A2', 'address', '2a'),
    ('A2', 'contact', '2a'), ('A2', 'iban', '2a'), ('A2', 'admin_number', '2b'),
    ('A2', 'nationality', '2c'), ('A2', 'birth_place', '2c'), ('A2', 'guardian', '2d'),
    ('A2', 'education', '2e'), ('A2', 'employment', '2f'), ('A2', 'absence', '2g'),
    ('A2', 'working_conditions', '2h'), ('A2', 'family', '2i'), ('A2', 'appraisal', '2j, 2k'),
    ('A2', 'qualification', '2k'),
    -- Bijlage 3: salarisadministratie
    ('A3', 'name', '2a'), ('A3', 'gender', '2a'), ('A3', 'birth_date', '2a'), ('A3', 'address', '2a'),
    ('A3', 'contact', '2a'), ('A3', 'iban', '2a'), ('A3', 'admin_number', '2b'),
    ('A3', 'nationality', '2c'), ('A3', 'birth_place', '2c'), ('A3', 'id_copy', '2d'),
    ('A3', 'guardian', '2e'), ('A3', 'salary', '2f'), ('A3', 'tax', '2g'), ('A3', 'bsn', '2g'),
    ('A3', 'family', '2h'),
    -- Bijlage 4: uitkering bij ontslag
    ('A4', 'name', '2a'), ('A4', 'gender', '2a'), ('A4', 'birth_date', '2a'), ('A4', 'address', '2a'),
    ('A4', 'contact', '2a'), ('A4', 'iban', '2a'), ('A4', 'employment', '2a (functie)'),
    ('A4', 'admin_number', '2b'), ('A4', 'nationality', '2c'), ('A4', 'birth_place', '2c'),
    ('A4', 'guardian', '2d'), ('A4', 'family', '2e, 2g'), ('A4', 'benefit', '2e'), ('A4', 'tax', '2f'),
    -- Bijlage 5: pensioen en vervroegde uittreding
    ('A5', 'name', '2a'), ('A5', 'gender', '2a'), ('A5', 'birth_date', '2a'), ('A5', 'address', '2a'),
    ('A5', 'contact', '2a'), ('A5', 'iban', '2a'), ('A5', 'admin_number', '2b'),
    ('A5', 'nationality', '2c'), ('A5', 'birth_place', '2c'), ('A5', 'pension', '2d, 2e, 2f'),
    -- Bijlage 6: uitbetalingen — naam, adres en IBAN only
    ('A6', 'name', '2a'), ('A6', 'address', '2a'), ('A6', 'iban', '2a'), ('A6', 'payout', '1a'),
    -- Art. 15: oud-personeel
    ('FS', 'name', '15.3a'), ('FS', 'gender', '15.3a'), ('FS', 'birth_date', '15.3a'),
    ('FS', 'address', '15.3a'), ('FS', 'contact', '15.3a'), ('FS', 'iban', '15.3a'),
    ('FS', 'employment', '15.3b'), ('FS', 'contribution', '15.3c'), ('FS', 'admin_number', '15.3d'),
    -- M895: the HR importer's fields and the training data itself
    ('TP', 'admin_number', 'unieke identificatie van de persoon'),
    ('TP', 'name', 'achternaam, voorvoegsels, voorletters, voornamen, partnernaam, aanhef, titels'),
    ('TP', 'gender', 'geslacht'), ('TP', 'birth_date', 'geboortedatum'),
    ('TP', 'birth_place', 'geboorteplaats'), ('TP', 'contact', 'e-mailadres'),
    ('TP', 'employment', 'datum in/uit dienst, functie, organisatiegegevens'),
    ('TP', 'training', 'doel 1-7');

insert into privacy.technical_column (column_name, reason) values
    ('id', 'surrogate key'),
    ('record_id', 'key of the person_record the row belongs to'),
    ('subject_id', 'pseudonymous key of the natural person (dossier.subject)'),
    ('annex', 'processing activity (purpose binding, art. 5)'),
    ('org_id', 'the controller organisation'),
    ('unit_id', 'the unit that scopes access (Bijlage 7 "locatie/team")'),
    ('legal_basis', 'art. 7 ground of the record'),
    ('source', 'origin of the data (art. 13 toelichting: herkomst)'),
    ('collected_on', 'date the record was collected'),
    ('ended_on', 'date the retention clock starts (end of procedure, employment or payment)'),
    ('retention_consent', 'A1: consent to keep one year (art. 14b)'),
    ('deceased_on', 'FS: date of death ends the processing (art. 15.5)'),
    ('created_at', 'bookkeeping'),
    ('updated_at', 'bookkeeping'),
    ('enrolment_id', 'key of the training enrolment the row belongs to'),
    ('activity_id', 'key of a learning activity (not personal)'),
    ('session_id', 'key of a planned session (not personal)'),
    ('invoice_id', 'key of a provider invoice (not personal)');
