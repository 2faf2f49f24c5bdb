-- Retention (004 art. 14 bewaartermijnen, 15.5 oud-personeel; 000 M895 Bewaartermijn): the rules
-- as data, one per annex; legal holds that stop the clock; the runs and their counts (never
-- names or ids); and the statistics the training passport keeps after deletion ("niet-
-- herleidbaarheid hierbij het uitgangspunt"). The job: db/functions/1400_retention.sql.

create table privacy.retention_rule (
    annex              text primary key references privacy.processing_activity (code),
    rule               text not null unique,
    period             interval,
    consent_period     interval,
    on_request         boolean not null,
    on_death           boolean not null,
    pension_exception  boolean not null,
    keeps_statistics   boolean not null,
    clock_nl           text not null,
    reading_nl         text not null,
    reading_en         text not null,
    legal_reference    text not null
);
comment on table privacy.retention_rule is
    'When a record of each annex is deleted (004 art. 14, 15.5; 000 Bewaartermijn). The clock is '
    'person_record.ended_on (deceased_on for on_death).';
comment on column privacy.retention_rule.period is 'Kept this long after the clock starts; null: no time limit.';
comment on column privacy.retention_rule.consent_period is 'With retention_consent instead of period (A1, art. 14b).';
comment on column privacy.retention_rule.on_request is 'An erasure request deletes it (no legal duty keeps it).';
comment on column privacy.retention_rule.on_death is 'Deleted at death (art. 15.5).';
comment on column privacy.retention_rule.pension_exception is
    'Kept while the person has a running pension matter (an A5 record not yet due), art. 14a.';
comment on column privacy.retention_rule.keeps_statistics is
    'Non-traceable statistics are kept in mis.training_history before deletion (000).';

insert into privacy.retention_rule values
    ('A1', 'a1_after_procedure', interval '4 weeks', interval '1 year', true, false, false, false,
     'einde sollicitatieprocedure',
     'Uiterlijk vier weken na het einde van de sollicitatieprocedure; met toestemming van de sollicitant een jaar; eerder op verzoek.',
     'At the latest 4 weeks after the application procedure ends; 1 year with the applicant''s consent; earlier on request.',
     '004 art. 14b; Bijlage 1 lid 3'),
    ('A2', 'a2_ten_years', interval '10 years', null, false, false, true, false,
     'einde dienstverband',
     'Uiterlijk tien jaar na het einde van het dienstverband, tenzij een wettelijke bewaarplicht (legal hold) of een pensioenvraagstuk (lopend A5-dossier) het vereist.',
     'At most 10 years after employment ends, unless a legal duty (legal hold) or a pension matter (a running A5 record) requires otherwise.',
     '004 art. 14a'),
    ('A3', 'a3_ten_years', interval '10 years', null, false, false, true, false,
     'einde dienstverband',
     'Als A2: uiterlijk tien jaar na het einde van het dienstverband, tenzij bewaarplicht of pensioenvraagstuk.',
     'As A2: at most 10 years after employment ends, unless a legal duty or a pension matter.',
     '004 art. 14a'),
    ('A4', 'a4_ten_years', interval '10 years', null, false, false, false, false,
     'laatste uitkering',
     'Lezing: de uitkering bij ontslag valt onder "administratie personeel/salaris" (art. 14a): tien jaar na de laatste uitkering, tenzij bewaarplicht.',
     'Reading: severance benefits are "personnel/payroll administration" (art. 14a): 10 years after the last payment, unless a legal duty.',
     '004 art. 14a; Bijlage 4'),
    ('A5', 'a5_ten_years', interval '10 years', null, false, false, false, false,
     'einde pensioenvraagstuk',
     'Lezing: zolang het pensioenvraagstuk loopt (ended_on leeg) en daarna tien jaar (art. 14a).',
     'Reading: while the pension matter runs (no ended_on) and 10 years after (art. 14a).',
     '004 art. 14a; Bijlage 5'),
    ('A6', 'a6_fiscal_seven_years', interval '7 years', null, false, false, false, false,
     'datum van betaling',
     'De bewaartermijn van de financiële administratie: zeven jaar (fiscale bewaarplicht).',
     'The financial administration''s retention period: 7 years (fiscal duty).',
     '004 art. 14c; Bijlage 6'),
    ('FS', 'fs_request_or_death', null, null, true, true, false, false,
     'overlijden',
     'Verwijderd op verzoek van de betrokkene of bij diens overlijden.',
     'Deleted on the data subject''s request or on their death.',
     '004 art. 15.5'),
    ('TP', 'tp_five_years', interval '5 years', null, true, false, false, true,
     'uitdiensttreding',
     'Vijf jaar na uitdiensttreding verwijderd; niet-herleidbare statistiek blijft (mis.training_history). Op verzoek eerder (grondslag toestemming).',
     'Deleted 5 years after leaving; non-traceable statistics stay (mis.training_history). Earlier on request (consent).',
     '000 M895 Bewaartermijn');

-- Legal holds (a legal duty, a dispute, an investigation) stop the clock for a subject.
create table privacy.legal_hold (
    id          bigint generated always as identity primary key,
    subject_id  bigint not null references dossier.subject (id),
    annex       text references privacy.processing_activity (code),
    reason      text not null,
    placed_by   name not null default session_user,
    placed_at   timestamptz not null default now(),
    lifted_by   name,
    lifted_at   timestamptz,
    lift_reason text,
    constraint legal_hold_reason_present check (length(btrim(reason)) > 0),
    constraint legal_hold_lift_complete check ((lifted_at is null) = (lifted_by is null)
                                               and (lifted_at is null) = (lift_reason is null))
);
create index legal_hold_subject on privacy.legal_hold (subject_id) where lifted_at is null;
comment on table privacy.legal_hold is
    'A legal duty keeps a subject''s records past their retention (art. 14a "wettelijke bewaarplicht"); '
    'annex null: every annex. Lifted, never deleted.';

create table privacy.retention_run (
    id           bigint generated always as identity primary key,
    as_of        date not null,
    started_at   timestamptz not null default clock_timestamp(),
    finished_at  timestamptz,
    status       text not null default 'running',
    run_by       name not null default session_user,
    constraint retention_run_status check (status in ('running', 'completed'))
);
comment on table privacy.retention_run is
    'Retention runs; one left "running" was interrupted (its committed batches stay done).';

create table privacy.retention_log (
    run_id          bigint not null references privacy.retention_run (id),
    annex           text not null,
    rule            text not null,
    action          text not null,
    records         integer not null,
    audit_redacted  integer not null default 0,
    logged_at       timestamptz not null default clock_timestamp(),
    primary key (run_id, annex, action),
    constraint retention_log_action check (action in ('deleted', 'kept_hold', 'kept_pension'))
);
comment on table privacy.retention_log is
    'Counts per run, annex and rule: deleted, or kept by a hold or a pension matter. Never names or ids.';

-- The statistics exception of the training passport (000): counts without anything traceable.
create table mis.training_history (
    org_id       bigint not null,
    year_left    integer not null,
    age_band     text not null,
    gender       text not null,
    persons      integer not null,
    enrolments   integer not null,
    completed    integer not null,
    primary key (org_id, year_left, age_band, gender)
);
comment on table mis.training_history is
    'Training-passport statistics kept when records are deleted after 5 years (000 M895: '
    'niet-herleidbaar). Read through mis.training_history_view (small cells suppressed).';
