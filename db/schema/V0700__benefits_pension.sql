-- Bijlage 4 (uitkering bij ontslag) and Bijlage 5 (pensioen en vervroegde uittreding).

create table dossier.severance_benefit (
    like dossier.detail_base including all,
    kind            text not null,
    starts_on       dossier.record_date not null,
    ends_on         dossier.record_date,
    monthly_amount  numeric(12, 2) not null,
    constraint severance_benefit_kind_code check (kind in ('unemployment_supplement', 'transition_payment', 'severance_pay', 'other')),
    constraint severance_benefit_dates_ordered check (ends_on >= starts_on),
    constraint severance_benefit_amount_positive check (monthly_amount >= 0)
);
comment on column dossier.severance_benefit.kind is 'Kind of benefit (Bijlage 4 lid 1a).';
comment on column dossier.severance_benefit.starts_on is 'Start of the benefit (Bijlage 4 lid 1a, 2e).';
comment on column dossier.severance_benefit.ends_on is 'End of the benefit (Bijlage 4 lid 1a, 2e).';
comment on column dossier.severance_benefit.monthly_amount is 'Hoogte van de aanspraak (Bijlage 4 lid 2e).';
call privacy.register_detail('severance_benefit', 'benefit',
    'Severance benefits and their amount (Bijlage 4 lid 1a, 2e)');

create table dossier.pension_entitlement (
    like dossier.detail_base including all,
    fund                text not null,
    registered_on       dossier.record_date not null,
    employer_reference  text not null,
    sector_reference    text,
    accrued_amount      numeric(12, 2),
    premium_amount      numeric(12, 2),
    payment_amount      numeric(12, 2),
    early_retirement    boolean not null default false
);
comment on column dossier.pension_entitlement.fund is 'Pension fund (Bijlage 5 lid 1a).';
comment on column dossier.pension_entitlement.registered_on is 'Tijdstip waarop de gegevens in de administratie zijn opgenomen (Bijlage 5 lid 2b).';
comment on column dossier.pension_entitlement.employer_reference is 'Verwijzing naar de werkgever (Bijlage 5 lid 2b).';
comment on column dossier.pension_entitlement.sector_reference is 'Verwijzing naar de bedrijfstak (Bijlage 5 lid 2b).';
comment on column dossier.pension_entitlement.accrued_amount is 'Hoogte van de aanspraak (Bijlage 5 lid 1a).';
comment on column dossier.pension_entitlement.premium_amount is 'Premies (Bijlage 5 lid 2e).';
comment on column dossier.pension_entitlement.payment_amount is 'Uitkering (Bijlage 5 lid 2f).';
comment on column dossier.pension_entitlement.early_retirement is 'Vervroegde uittreding (Bijlage 5).';
call privacy.register_detail('pension_entitlement', 'pension',
    'Pension and early-retirement entitlements, premiums and payments (Bijlage 5 lid 2b, 2e, 2f)');

create table dossier.pension_beneficiary (
    like dossier.detail_base including all,
    relation       text not null,
    surname        text not null,
    first_names    text,
    birth_date     dossier.record_date,
    share_percent  numeric(5, 2),
    constraint pension_beneficiary_relation_code check (relation in ('partner', 'former_partner', 'child', 'other')),
    constraint pension_beneficiary_share_range check (share_percent > 0 and share_percent <= 100)
);
comment on column dossier.pension_beneficiary.relation is 'Andere begunstigde (Bijlage 5 lid 2d).';
comment on column dossier.pension_beneficiary.surname is 'Naam of the beneficiary (Bijlage 5 lid 2d).';
comment on column dossier.pension_beneficiary.first_names is 'Voornamen of the beneficiary (Bijlage 5 lid 2d).';
comment on column dossier.pension_beneficiary.birth_date is 'Geboortedatum of the beneficiary, where the entitlement depends on it (Bijlage 5 lid 2d).';
comment on column dossier.pension_beneficiary.share_percent is 'Share of the entitlement (Bijlage 5 lid 2d).';
call privacy.register_detail('pension_beneficiary', 'pension',
    'Beneficiaries other than the data subject (Bijlage 5 lid 2d)');
