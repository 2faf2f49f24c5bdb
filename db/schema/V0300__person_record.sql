-- Subjects and their records, one per processing purpose (004 art. 5 doelbinding, art. 6 dossier).
-- dossier.person_record is PARTITION BY LIST (annex): an applicant's A1 record is not their A2
-- record; each has its own legal basis (art. 7), source, collection date and retention clock.
-- Which columns a partition may fill is enforced by constraints derived from
-- privacy.annex_category (privacy.enforce_minimisation, db/functions/0300_minimisation.sql).

alter table dossier.org_unit add constraint org_unit_id_org unique (id, org_id);

create table dossier.subject (
    id          bigint generated always as identity primary key,
    org_id      bigint not null references dossier.org_unit (id),
    created_at  timestamptz not null default now(),
    constraint subject_id_org unique (id, org_id)
);
create index subject_org on dossier.subject (org_id);
comment on table dossier.subject is
    'One row per natural person per organisation: a key and nothing else (004 art. 6).';

create table dossier.person_record (
    id                 bigint generated always as identity,
    annex              text not null,
    subject_id         bigint not null,
    org_id             bigint not null,
    unit_id            bigint not null,
    legal_basis        text not null references privacy.legal_basis (code),
    source             text not null,
    collected_on       dossier.record_date not null default current_date,
    ended_on           dossier.record_date,
    retention_consent  boolean not null default false,
    deceased_on        dossier.record_date,
    admin_number       text,
    surname            text not null,
    prefix             text,
    initials           text,
    first_names        text,
    partner_surname    text,
    partner_prefix     text,
    salutation         text,
    title_before       text,
    title_after        text,
    gender             text,
    birth_date         dossier.record_date,
    birth_place        text,
    nationality        text,
    street             text,
    house_number       text,
    postcode           dossier.postcode,
    city               text,
    country            text,
    phone              dossier.phone,
    email              dossier.email,
    iban               dossier.iban,
    bsn                dossier.bsn,
    photo              bytea,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint person_record_pk primary key (id, annex),
    constraint person_record_keys unique (id, annex, org_id, unit_id, subject_id),
    constraint person_record_subject foreign key (subject_id, org_id)
        references dossier.subject (id, org_id),
    constraint person_record_unit foreign key (unit_id, org_id)
        references dossier.org_unit (id, org_id),
    constraint person_record_annex_known
        check (annex in ('A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'FS', 'TP')),
    constraint person_record_source_present check (length(btrim(source)) > 0),
    constraint person_record_surname_present check (length(btrim(surname)) > 0),
    -- 000 HR importer and Bijlage 7 "man/vrouw": M, V or X.
    constraint person_record_gender_code check (gender in ('M', 'V', 'X')),
    constraint person_record_nationality_iso check (nationality ~ '^[A-Z]{2}$'),
    constraint person_record_country_iso check (country ~ '^[A-Z]{2}$'),
    constraint person_record_admin_number_plain check (admin_number ~ '^[A-Za-z0-9_.-]{1,40}$'),
    constraint person_record_birth_before_collection check (birth_date <= collected_on),
    constraint person_record_photo_size check (octet_length(photo) <= 2097152),
    -- art. 7: a record rests on one of the grounds its processing activity may use.
    constraint person_record_legal_basis_allowed foreign key (annex, legal_basis)
        references privacy.processing_basis (activity, basis)
) partition by list (annex);

create table dossier.person_record_a1 partition of dossier.person_record for values in ('A1');
create table dossier.person_record_a2 partition of dossier.person_record for values in ('A2');
create table dossier.person_record_a3 partition of dossier.person_record for values in ('A3');
create table dossier.person_record_a4 partition of dossier.person_record for values in ('A4');
create table dossier.person_record_a5 partition of dossier.person_record for values in ('A5');
create table dossier.person_record_a6 partition of dossier.person_record for values in ('A6');
create table dossier.person_record_fs partition of dossier.person_record for values in ('FS');
create table dossier.person_record_tp partition of dossier.person_record for values in ('TP');

create index person_record_unit on dossier.person_record (unit_id);
create index person_record_subject on dossier.person_record (subject_id);
create index person_record_org on dossier.person_record (org_id);
create unique index person_record_admin_number on dossier.person_record (org_id, annex, admin_number);

-- The HR importer's list for M895 has an e-mail address but no telephone (000 "Persoonsgegevens").
alter table dossier.person_record_tp
    add constraint tp_m895_no_phone check (phone is null);
comment on constraint tp_m895_no_phone on dossier.person_record_tp is
    '000 M895 Persoonsgegevens: e-mailadres only; no telephone number.';

comment on table dossier.person_record is
    'The identifying data of a person per processing purpose (annex); partitioned by annex. '
    'Each partition allows only its annex''s categories (004 Bijlage N lid 2).';
comment on column dossier.person_record.id is 'Record key (with annex).';
comment on column dossier.person_record.subject_id is 'The natural person (dossier.subject).';
comment on column dossier.person_record.org_id is 'The controller organisation (art. 2 verantwoordelijke).';
comment on column dossier.person_record.unit_id is 'Unit the record belongs to; scopes access (Bijlage 7 locatie/team, art. 9).';
comment on column dossier.person_record.created_at is 'Bookkeeping: row created.';
comment on column dossier.person_record.updated_at is 'Bookkeeping: row last changed.';
comment on column dossier.person_record.annex is 'Processing activity: A1-A6 (004 Bijlagen 1-6), FS (art. 15), TP (000 M895).';
comment on column dossier.person_record.legal_basis is '004 art. 7 ground for this record.';
comment on column dossier.person_record.source is 'Origin of the data (art. 13 toelichting "herkomst"), e.g. hr_importer.';
comment on column dossier.person_record.collected_on is 'When the data was collected.';
comment on column dossier.person_record.ended_on is 'Start of the retention clock: end of the application procedure (A1), of employment (A2, A3, TP), of the benefit or pension (A4, A5), payment date (A6). 004 art. 14.';
comment on column dossier.person_record.retention_consent is 'A1: the applicant consented to keeping the data one year (art. 14b).';
comment on column dossier.person_record.deceased_on is 'FS: death ends the processing (art. 15.5).';
comment on column dossier.person_record.admin_number is 'Administratienummer / personeelsnummer without other information (Bijlage 1-5 lid 2b/2c, art. 15.3d; 000 unieke identificatie).';
comment on column dossier.person_record.surname is 'Achternaam (Bijlage N lid 2a "naam").';
comment on column dossier.person_record.prefix is 'Voorvoegsels (000).';
comment on column dossier.person_record.initials is 'Voorletters (lid 2a).';
comment on column dossier.person_record.first_names is 'Voornamen (lid 2a).';
comment on column dossier.person_record.partner_surname is 'Partnernaam (000).';
comment on column dossier.person_record.partner_prefix is 'Partnervoorvoegsel (000).';
comment on column dossier.person_record.salutation is 'Aanhef (000).';
comment on column dossier.person_record.title_before is 'Titulatuur voor de naam (lid 2a).';
comment on column dossier.person_record.title_after is 'Titulatuur achter de naam (lid 2a).';
comment on column dossier.person_record.gender is 'Geslacht: M, V or X (lid 2a; not in Bijlage 6).';
comment on column dossier.person_record.birth_date is 'Geboortedatum (lid 2a; not in Bijlage 6).';
comment on column dossier.person_record.birth_place is 'Geboorteplaats (Bijlage 1-5 lid 2c/2d; 000).';
comment on column dossier.person_record.nationality is 'Nationaliteit, ISO 3166 alpha-2 (Bijlage 1-5 lid 2c/2d).';
comment on column dossier.person_record.street is 'Adres (lid 2a).';
comment on column dossier.person_record.house_number is 'Huisnummer (lid 2a).';
comment on column dossier.person_record.postcode is 'Postcode (lid 2a).';
comment on column dossier.person_record.city is 'Woonplaats (lid 2a).';
comment on column dossier.person_record.country is 'Land, ISO 3166 alpha-2 (lid 2a).';
comment on column dossier.person_record.phone is 'Telefoonnummer (lid 2a; not in Bijlage 6, not in M895).';
comment on column dossier.person_record.email is 'E-mailadres (lid 2a "soortgelijke voor communicatie benodigde gegevens"; 000).';
comment on column dossier.person_record.iban is 'Rekeningnummer (IBAN) (lid 2a; not in M895).';
comment on column dossier.person_record.bsn is 'Burgerservicenummer: payroll only (Bijlage 3 lid 2g "belasting en premies").';
comment on column dossier.person_record.photo is 'Pasfoto, only if the applicant supplied it (Bijlage 1 lid 2b).';

-- Human spellings in, canonical forms stored (the domains accept both).
create function dossier.person_record_canonical() returns trigger
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
begin
    new.iban := dossier.canonical_iban(new.iban);
    new.bsn := dossier.canonical_bsn(new.bsn);
    new.postcode := dossier.canonical_postcode(new.postcode);
    new.updated_at := now();
    return new;
end
$$;

create trigger person_record_canonical before insert or update on dossier.person_record
    for each row execute function dossier.person_record_canonical();

-- Where personal data lives: person_record's columns and their categories (contract §4).
insert into privacy.personal_table (table_name, category, description) values
    ('person_record', null, 'Identifying data per person and processing purpose');
insert into privacy.column_category (table_name, column_name, category)
select 'person_record', c, cat from (values
    ('admin_number', 'admin_number'),
    ('surname', 'name'), ('prefix', 'name'), ('initials', 'name'), ('first_names', 'name'),
    ('partner_surname', 'name'), ('partner_prefix', 'name'), ('salutation', 'name'),
    ('title_before', 'name'), ('title_after', 'name'),
    ('gender', 'gender'), ('birth_date', 'birth_date'), ('birth_place', 'birth_place'),
    ('nationality', 'nationality'),
    ('street', 'address'), ('house_number', 'address'), ('postcode', 'address'),
    ('city', 'address'), ('country', 'address'),
    ('phone', 'contact'), ('email', 'contact'), ('iban', 'iban'), ('bsn', 'bsn'),
    ('photo', 'photo')) as t(c, cat);

-- Detail tables share their keys with their record: the composite foreign key keeps annex, org,
-- unit and subject equal to the record's (a unit change cascades) and erasing a record erases
-- its details. privacy.register_detail adds it, the indexes and the key-filling trigger.
create function dossier.detail_fill_keys() returns trigger
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    r record;
begin
    -- Keys given in full (bulk loads) need no lookup: the composite foreign key checks them.
    if new.annex is not null and new.org_id is not null and new.unit_id is not null
       and new.subject_id is not null then
        return new;
    end if;
    select p.annex, p.org_id, p.unit_id, p.subject_id into r
      from dossier.person_record p where p.id = new.record_id;
    if found then
        new.annex := r.annex;
        new.org_id := r.org_id;
        new.unit_id := r.unit_id;
        new.subject_id := r.subject_id;
    else
        raise exception '%: no person_record % that you may see', tg_table_name, new.record_id
            using errcode = 'foreign_key_violation', column = 'record_id';
    end if;
    return new;
end
$$;

create procedure privacy.register_detail(tbl text, cat text, description text)
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
begin
    execute format($f$
        alter table dossier.%1$I
            add constraint %1$s_record foreign key (record_id, annex, org_id, unit_id, subject_id)
                references dossier.person_record (id, annex, org_id, unit_id, subject_id)
                on update cascade on delete cascade;
        create index %1$s_record_idx on dossier.%1$I (record_id);
        create index %1$s_unit_idx on dossier.%1$I (unit_id);
        create index %1$s_subject_idx on dossier.%1$I (subject_id);
        create trigger %1$s_fill_keys before insert on dossier.%1$I
            for each row execute function dossier.detail_fill_keys();
        comment on table dossier.%1$I is %2$L;
        comment on column dossier.%1$I.id is 'Row key.';
        comment on column dossier.%1$I.record_id is 'The person_record this row belongs to.';
        comment on column dossier.%1$I.annex is 'Annex of the record (purpose binding, art. 5).';
        comment on column dossier.%1$I.org_id is 'The controller organisation (from the record).';
        comment on column dossier.%1$I.unit_id is 'Unit scoping access (from the record, Bijlage 7).';
        comment on column dossier.%1$I.subject_id is 'The natural person (from the record).';
        comment on column dossier.%1$I.created_at is 'Bookkeeping: row created.';
        $f$, tbl, description);
    insert into privacy.personal_table (table_name, category, description)
    values (tbl, cat, description);
    insert into privacy.column_category (table_name, column_name, category)
    select tbl, a.attname, cat
      from pg_catalog.pg_attribute a
     where a.attrelid = pg_catalog.format('dossier.%I', tbl)::regclass
       and a.attnum > 0 and not a.attisdropped
       and a.attname not in (select t.column_name from privacy.technical_column t);
end
$$;
comment on procedure privacy.register_detail(text, text, text) is
    'Wire a detail table to its person_record and list its columns in the catalogue.';

-- The columns every detail table starts with (CREATE TABLE … (LIKE dossier.detail_base INCLUDING ALL)).
create table dossier.detail_base (
    id          bigint generated always as identity primary key,
    record_id   bigint not null,
    annex       text not null,
    org_id      bigint not null,
    unit_id     bigint not null,
    subject_id  bigint not null,
    created_at  timestamptz not null default now()
);
comment on table dossier.detail_base is 'Template for detail tables; holds no rows.';

insert into privacy.non_personal_table (table_name, reason) values
    ('subject', 'a key per person and nothing else'),
    ('detail_base', 'template for detail tables; holds no rows');
