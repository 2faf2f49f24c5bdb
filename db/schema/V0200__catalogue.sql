-- The regulation as data (design: "The idea in one paragraph"). Everything derived — the
-- minimisation constraints, the column catalogue, the art. 30 register, the access matrix —
-- reads these tables. Filled by V0210__register_data.sql from the seeds.

-- Data categories (contract §4), with Dutch and English labels.
create table privacy.data_category (
    code      text primary key,
    label_nl  text not null,
    label_en  text not null,
    special   boolean not null default false,
    constraint data_category_code_format check (code ~ '^[a-z_]+$'),
    -- 004 art. 2 "bijzondere persoonsgegevens": no category of that kind is ever stored.
    constraint data_category_no_special_categories check (not special)
);
comment on table privacy.data_category is
    'Data categories of the annexes (contract §4). Special categories (art. 2) are not allowed.';

-- Processing activities: the six annexes and art. 15 of 004, and M895 of 000 (AVG art. 30).
create table privacy.processing_activity (
    code               text primary key,
    reference          text unique,
    name_nl            text not null,
    name_en            text not null,
    organisation       text not null,
    controller         text not null,
    visiting_address   text,
    postal_address     text,
    data_subjects_nl   text not null,
    data_subjects_en   text not null,
    personal_data_nl   text,
    source_nl          text not null,
    source_en          text not null,
    mandatory_nl       text,
    retention_nl       text not null,
    retention_en       text not null,
    automated_decisions_nl text not null,
    outside_eu         boolean not null default false,
    outside_eu_nl      text not null,
    related_nl         text not null,
    legal_reference    text not null,
    constraint processing_code_is_annex check (code in ('A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'FS', 'TP'))
);
comment on table privacy.processing_activity is
    'AVG art. 30 register entries: 004 Bijlagen 1-6 and art. 15 (oud-personeel); 000 M895.';

create table privacy.purpose (
    activity  text not null references privacy.processing_activity (code),
    clause    text not null,
    text_nl   text not null,
    text_en   text not null,
    primary key (activity, clause)
);
comment on table privacy.purpose is 'Purposes per processing activity (004 Bijlage N lid 1, art. 15.2; 000 "Doel").';

-- Legal bases: the six grounds of 004 art. 7 (AVG art. 6).
create table privacy.legal_basis (
    code      text primary key,
    clause    text not null,
    label_nl  text not null,
    label_en  text not null
);
comment on table privacy.legal_basis is 'The six grounds of 004 art. 7 (AVG art. 6(1) a-f).';

create table privacy.processing_basis (
    activity  text not null references privacy.processing_activity (code),
    basis     text not null references privacy.legal_basis (code),
    primary key (activity, basis)
);
comment on table privacy.processing_basis is 'Which art. 7 grounds a processing activity may rely on.';

create table privacy.recipient (
    activity  text not null references privacy.processing_activity (code),
    ordinal   integer not null,
    text_nl   text not null,
    text_en   text not null,
    primary key (activity, ordinal)
);
comment on table privacy.recipient is 'Recipients per activity (004 art. 8, 15.4; 000 "Ontvangers").';

-- The whitelist: "geen andere gegevens dan …" per annex, one row per allowed category.
create table privacy.annex_category (
    annex     text not null references privacy.processing_activity (code),
    category  text not null references privacy.data_category (code),
    clause    text not null,
    primary key (annex, category)
);
comment on table privacy.annex_category is
    'Categories an annex allows (004 Bijlage N lid 2, art. 15.3; 000 "Persoonsgegevens"). '
    'Anything else is refused by the constraints privacy.enforce_minimisation() derives.';

-- Where personal data lives: every personal-data table, and the category of each column.
create table privacy.personal_table (
    table_name  text primary key,
    category    text references privacy.data_category (code),
    description text not null
);
comment on table privacy.personal_table is
    'Tables in schema dossier holding personal data; category = what a detail row is '
    '(null for dossier.person_record, whose columns each have their own).';

create table privacy.column_category (
    table_name   text not null references privacy.personal_table (table_name),
    column_name  text not null,
    category     text not null references privacy.data_category (code),
    primary key (table_name, column_name)
);
comment on table privacy.column_category is 'Category per personal-data column (contract §4).';

-- Columns of personal-data tables that are keys or bookkeeping, not data about the person.
create table privacy.technical_column (
    column_name text primary key,
    reason      text not null
);
comment on table privacy.technical_column is
    'Columns present in personal-data tables that carry no personal data themselves.';

-- Tables of schema dossier that hold no personal data (the catalogue test checks every table
-- is either here or in privacy.personal_table).
create table privacy.non_personal_table (
    table_name text primary key,
    reason     text not null
);
comment on table privacy.non_personal_table is 'Tables in schema dossier without personal data, and why.';

insert into privacy.non_personal_table (table_name, reason) values
    ('org_unit', 'the organisation tree: units, not people');
