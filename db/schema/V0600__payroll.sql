-- Bijlage 3 (salarisadministratie): salary and benefits in kind, tax and premiums, copy of ID.
-- The BSN is a column of the A3 record (dossier.person_record.bsn), allowed in no other annex.

create table dossier.salary (
    like dossier.detail_base including all,
    period            date not null,
    scale             text,
    step              integer,
    gross_amount      numeric(12, 2) not null,
    allowances        numeric(12, 2) not null default 0,
    benefits_in_kind  numeric(12, 2) not null default 0,
    constraint salary_period_is_month check (period = date_trunc('month', period)::date),
    constraint salary_amounts_positive check (gross_amount >= 0 and allowances >= 0 and benefits_in_kind >= 0),
    constraint salary_step_range check (step between 0 and 40)
);
comment on column dossier.salary.period is 'Salary month (Bijlage 3 lid 2f).';
comment on column dossier.salary.scale is 'Salary scale (Bijlage 3 lid 2f).';
comment on column dossier.salary.step is 'Step in the scale (Bijlage 3 lid 2f).';
comment on column dossier.salary.gross_amount is 'Gross salary (Bijlage 3 lid 2f).';
comment on column dossier.salary.allowances is 'Vergoedingen en andere geldsommen (Bijlage 3 lid 2f).';
comment on column dossier.salary.benefits_in_kind is 'Beloningen in natura, valued (Bijlage 3 lid 2f).';
call privacy.register_detail('salary', 'salary',
    'Salaries, allowances and benefits in kind (Bijlage 3 lid 2f)');

create table dossier.tax_record (
    like dossier.detail_base including all,
    year              integer not null,
    tax_table         text,
    wage_tax_credit   boolean not null default false,
    premium_amount    numeric(12, 2),
    tax_amount        numeric(12, 2),
    constraint tax_record_year_range check (year between 1900 and 2100),
    constraint tax_record_table_code check (tax_table in ('white', 'green'))
);
comment on column dossier.tax_record.year is 'Fiscal year (Bijlage 3 lid 2g; Bijlage 4 lid 2f).';
comment on column dossier.tax_record.tax_table is 'Loonbelastingtabel (Bijlage 3 lid 2g).';
comment on column dossier.tax_record.wage_tax_credit is 'Loonheffingskorting applied (Bijlage 3 lid 2g).';
comment on column dossier.tax_record.premium_amount is 'Premies (Bijlage 3 lid 2g; Bijlage 4 lid 2f).';
comment on column dossier.tax_record.tax_amount is 'Belasting (Bijlage 3 lid 2g; Bijlage 4 lid 2f).';
call privacy.register_detail('tax_record', 'tax',
    'Tax and premiums (Bijlage 3 lid 2g; Bijlage 4 lid 2f)');

create table dossier.identity_document (
    like dossier.detail_base including all,
    document_type  text not null,
    expires_on     dossier.record_date,
    copy           bytea not null,
    constraint identity_document_type_code check (document_type in ('passport', 'id_card', 'residence_permit')),
    constraint identity_document_copy_size check (octet_length(copy) <= 5242880)
);
comment on column dossier.identity_document.document_type is 'Kind of identity document (Bijlage 3 lid 2d).';
comment on column dossier.identity_document.expires_on is 'Expiry date of the document (Bijlage 3 lid 2d).';
comment on column dossier.identity_document.copy is 'Kopie van het identiteitsbewijs (Bijlage 3 lid 2d).';
call privacy.register_detail('identity_document', 'id_copy',
    'Copy of the identity document (Bijlage 3 lid 2d)');
