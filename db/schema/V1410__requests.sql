-- Data-subject requests (004 art. 13; AVG art. 15-18, 21): access, rectification, objection,
-- erasure and restriction, each with its legal deadline — four weeks after receipt (13.3, 13.4,
-- 13.6), suspended while the requester's identity is being verified (13.2) — and the
-- restrictions an objection or a restriction request places on the subject's records.
-- Functions: db/functions/1410_requests.sql.

create table privacy.subject_request (
    id               bigint generated always as identity primary key,
    subject_id       bigint not null references dossier.subject (id),
    kind             text not null,
    annex            text references privacy.processing_activity (code),
    received_on      date not null default current_date,
    details          text,
    opened_by        name not null default session_user,
    opened_at        timestamptz not null default now(),
    decision         text,
    decision_reason  text,
    closed_on        date,
    closed_by        name,
    outcome          jsonb,
    constraint subject_request_kind check (kind in ('access', 'rectification', 'objection', 'erasure', 'restriction')),
    constraint subject_request_decision check (decision in ('granted', 'partly_granted', 'refused')),
    constraint subject_request_closed_complete check ((decision is null) = (closed_on is null)
                                                      and (decision is null) = (closed_by is null)),
    constraint subject_request_reason_present check (decision is null or length(btrim(decision_reason)) > 0),
    constraint subject_request_closed_after_received check (closed_on >= received_on)
);
create index subject_request_open on privacy.subject_request (received_on) where closed_on is null;
comment on table privacy.subject_request is
    'Requests of data subjects (004 art. 13) with their decision (a besluit, art. 13.7). Never deleted.';
comment on column privacy.subject_request.annex is
    'Objection, restriction or erasure for one processing activity only; null: all of them.';
comment on column privacy.subject_request.outcome is 'Erasure: per annex what was deleted and what was kept, and why.';

-- Art. 13.2: the term is suspended from the request for proof of identity until it is given.
create table privacy.request_suspension (
    id          bigint generated always as identity primary key,
    request_id  bigint not null references privacy.subject_request (id),
    from_date   date not null,
    until_date  date,
    reason      text not null,
    constraint request_suspension_period check (until_date >= from_date)
);
create unique index request_suspension_one_open on privacy.request_suspension (request_id) where until_date is null;
comment on table privacy.request_suspension is
    'Periods a request''s deadline stands still (art. 13.2: identity not yet verified).';

-- Objection (art. 13.6) and restriction (AVG art. 18): the records drop out of every role's
-- view but those handling requests, until lifted (privacy.restricted_subjects, row policies).
create table privacy.restriction (
    id          bigint generated always as identity primary key,
    subject_id  bigint not null references dossier.subject (id),
    annex       text references privacy.processing_activity (code),
    request_id  bigint references privacy.subject_request (id),
    placed_by   name not null default session_user,
    placed_at   timestamptz not null default now(),
    lifted_by   name,
    lifted_at   timestamptz,
    lift_reason text,
    constraint restriction_lift_complete check ((lifted_at is null) = (lifted_by is null)
                                                and (lifted_at is null) = (lift_reason is null))
);
create index restriction_subject on privacy.restriction (subject_id) where lifted_at is null;
comment on table privacy.restriction is
    'Restricted processing of a subject''s records (annex null: all), placed by an objection or '
    'restriction request; lifted, never deleted.';

alter table privacy.app_role add column handles_requests boolean not null default false;
comment on column privacy.app_role.handles_requests is
    'Handles data-subject requests: keeps seeing restricted records (art. 13.5, 13.6).';
