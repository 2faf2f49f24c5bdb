-- Bijlage 6 (uitbetalingen, onkostendeclaraties) and art. 15 (oud-personeel).

create table dossier.payout (
    like dossier.detail_base including all,
    paid_on    dossier.record_date not null,
    kind       text not null,
    amount     numeric(12, 2) not null,
    reference  text,
    constraint payout_kind_code check (kind in ('salary', 'salary_advance', 'expense_claim', 'allowance')),
    constraint payout_reference_plain check (reference ~ '^[A-Za-z0-9 /_.-]{1,40}$')
);
comment on column dossier.payout.paid_on is 'Date of payment (Bijlage 6 lid 1a).';
comment on column dossier.payout.kind is '(Voorschot op) salaris, onkostendeclaratie or andere vergoeding (Bijlage 6 lid 1a).';
comment on column dossier.payout.amount is 'Amount paid (Bijlage 6 lid 1a).';
comment on column dossier.payout.reference is 'Booking reference in the financial administration (Bijlage 6 lid 1a).';
call privacy.register_detail('payout', 'payout',
    'Payouts of (advances on) salary, expense claims and allowances (Bijlage 6 lid 1a)');

create table dossier.contribution (
    like dossier.detail_base including all,
    year          integer not null,
    kind          text not null,
    amount        numeric(12, 2) not null,
    collected_on  dossier.record_date,
    constraint contribution_kind_code check (kind in ('contribution', 'gift')),
    constraint contribution_year_range check (year between 1900 and 2100),
    constraint contribution_amount_positive check (amount >= 0)
);
comment on column dossier.contribution.year is 'Year of the contribution (art. 15.3c).';
comment on column dossier.contribution.kind is 'Bijdrage or gift (art. 15.3c).';
comment on column dossier.contribution.amount is 'Amount (art. 15.3c).';
comment on column dossier.contribution.collected_on is 'Date collected (art. 15.2c, 15.3c).';
call privacy.register_detail('contribution', 'contribution',
    'Contributions and gifts of former staff (art. 15.3c)');
