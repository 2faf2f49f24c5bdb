-- The request registers written only through functions (issue 19.2, 14.6; 004 art. 13, 16), and
-- what they were missing (issue 16.2, 16.8). privacy.subject_request, privacy.request_suspension,
-- privacy.restriction and privacy.complaint are written by the SECURITY DEFINER functions of
-- db/functions/1415_request_writes.sql only: they check the state transition, the officer's
-- organisation (the grants register) and take who and when from the session. The privacy
-- officer keeps SELECT and loses INSERT/UPDATE (db/functions/1410_requests.sql).

-- When a request was closed, as the session says (closed_on is the day of it).
alter table privacy.subject_request add column closed_at timestamptz;
comment on column privacy.subject_request.closed_at is 'When the decision was recorded (now() of the closing session).';

-- Rectification (art. 13.4, 13.5; AVG art. 16, 19): the correction carried out and to whom it was passed on.
alter table privacy.subject_request add column correction text;
alter table privacy.subject_request add column passed_on_to text[];
alter table privacy.subject_request add constraint subject_request_correction_only_rectification
    check ((correction is null and passed_on_to is null) or kind = 'rectification');
alter table privacy.subject_request add constraint subject_request_rectification_carried_out
    check (kind <> 'rectification' or decision is null or decision = 'refused'
           or (coalesce(length(btrim(correction)), 0) > 0 and passed_on_to is not null));
comment on column privacy.subject_request.correction is
    'Rectification granted: the correction carried out (art. 13.5 "zo spoedig mogelijk uitgevoerd"); no special categories.';
comment on column privacy.subject_request.passed_on_to is
    'Rectification granted: the recipients the correction was passed on to (AVG art. 19); empty: none received the data.';

-- Suspensions (art. 13.2): who placed and ended them, when.
alter table privacy.request_suspension add column placed_by name not null default session_user;
alter table privacy.request_suspension add column placed_at timestamptz not null default now();
alter table privacy.request_suspension add column lifted_by name;
alter table privacy.request_suspension add column lifted_at timestamptz;
comment on column privacy.request_suspension.placed_by is 'Who opened the request whose identity is unverified (session_user).';
comment on column privacy.request_suspension.lifted_by is 'Who recorded the proof of identity, or closed the request (session_user).';

-- Erasure (art. 13.5; AVG art. 17; issue 16.2): "uiterlijk tien jaren" is a maximum, not a duty
-- to keep. What a legal duty or the running contract requires to keep, per annex (and category:
-- null = every category of the annex); the deciding officer erases the rest.
create table privacy.erasure_duty (
    annex           text not null references privacy.processing_activity (code),
    category        text references privacy.data_category (code),
    ground_nl       text not null,
    ground_en       text not null,
    legal_reference text not null,
    kept_while      text not null,
    period          interval,
    constraint erasure_duty_kept_while check (kept_while in ('running', 'fiscal_term')),
    constraint erasure_duty_period check ((kept_while = 'fiscal_term') = (period is not null)),
    constraint erasure_duty_unique unique nulls not distinct (annex, category)
);
comment on table privacy.erasure_duty is
    'What a legal duty or the running contract requires to keep when erasure is asked (AVG art. 17 lid 3b; '
    '004 art. 14a "tenzij … wettelijke bewaarplicht"). running: while the record''s clock has not started '
    '(employment, benefit, pension matter still running); fiscal_term: also until period after it. '
    'A legal hold (privacy.legal_hold) keeps everything it covers.';
insert into privacy.erasure_duty (annex, category, ground_nl, ground_en, legal_reference, kept_while, period) values
    ('A2', null, 'de lopende arbeidsovereenkomst', 'the running contract of employment',
     'AVG art. 6 lid 1b, art. 17 lid 1a', 'running', null),
    ('A3', null, 'fiscale bewaarplicht van de loonadministratie (zeven jaar)', 'fiscal retention of the payroll (seven years)',
     'AWR art. 52 lid 4; 004 art. 14a "wettelijke bewaarplicht"', 'fiscal_term', interval '7 years'),
    ('A4', null, 'de lopende uitkering en de fiscale bewaarplicht (zeven jaar)', 'the running benefit and fiscal retention (seven years)',
     'AWR art. 52 lid 4; 004 art. 14a', 'fiscal_term', interval '7 years'),
    ('A5', null, 'het lopende pensioenvraagstuk', 'the running pension matter',
     '004 art. 14a "nodig voor pensioneringsvraagstukken"', 'running', null),
    ('A6', null, 'fiscale bewaarplicht van de financiële administratie (zeven jaar)',
     'fiscal retention of the financial administration (seven years)',
     'AWR art. 52 lid 4; 004 art. 14c', 'fiscal_term', interval '7 years');

-- Complaints (004 art. 16): a month from the finding to complain to the controller (16.1), two
-- weeks from the controller's answer to go to the complaints committee (16.2).
create table privacy.complaint (
    id             bigint generated always as identity primary key,
    subject_id     bigint not null references dossier.subject (id),
    found_on       date not null,
    received_on    date not null,
    summary        text not null,
    opened_by      name not null default session_user,
    opened_at      timestamptz not null default now(),
    answered_on    date,
    answer         text,
    answered_by    name,
    answered_at    timestamptz,
    committee_on   date,
    constraint complaint_summary_present check (length(btrim(summary)) > 0),
    constraint complaint_dates_ordered check (found_on <= received_on and answered_on >= received_on
                                              and committee_on >= answered_on),
    constraint complaint_answer_complete check ((answered_on is null) = (answer is null)
                                                and (answered_on is null) = (answered_by is null)
                                                and (answered_on is null) = (answered_at is null))
);
comment on table privacy.complaint is
    'Complaints about the handling of personal data (004 art. 16), with their terms; written through '
    'privacy.open_complaint / answer_complaint / refer_complaint only. Never deleted.';
comment on column privacy.complaint.found_on is 'When the subject found the fact complained of (art. 16.1: complain within a month).';
comment on column privacy.complaint.received_on is 'When the controller received the complaint.';
comment on column privacy.complaint.summary is 'What the complaint is about (no special categories of data).';
comment on column privacy.complaint.answered_on is 'The controller''s answer (art. 16.1); the two weeks of 16.2 run from it.';
comment on column privacy.complaint.committee_on is 'The subject went to the complaints committee (art. 16.2).';
