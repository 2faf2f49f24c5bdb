-- The read audit kept as facts (issue 15.4 "the facts the read audit needs extracted first";
-- issue 18 item 8, issue 17 item 8). pgaudit writes each read of a personal-data table to the
-- server's csv log, with the statement and its parameters; that log is removed after
-- server_log_retention_days (V1601). audit.collect_reads() (db/functions/1100_audit.sql; pg_cron
-- every five minutes, and before the log retention job) copies from it what the read audit
-- needs — who, when, which relation and annex, about which subjects — and no values: string
-- literals in the statement are masked, parameters are not kept.
create table audit.read (
    id              bigint generated always as identity primary key,
    at              timestamptz not null,
    login           name not null,
    database_name   name not null,
    relation        text not null,
    annex           text,
    subject_ids     bigint[],
    statement       text not null,
    application_name text,
    maintenance     boolean not null,
    session_id      text not null,
    session_line    bigint not null,
    constraint read_line_unique unique (session_id, session_line)
);
create index read_at on audit.read (at);
create index read_subjects on audit.read using gin (subject_ids);
comment on table audit.read is
    'Reads of personal data (004 art. 10), one row per pgaudit line, extracted from the server log before it is removed.';
comment on column audit.read.annex is
    'The annex read: the partition''s, or the one the statement filters on; null: any the login''s grants allow.';
comment on column audit.read.subject_ids is
    'The subjects the statement named exactly (literals or bound parameters); null: any subject in the login''s scope.';
comment on column audit.read.statement is 'The statement with its string literals masked (no personal data kept).';
comment on column audit.read.maintenance is
    'The product''s own work (pg_cron jobs, the dossier command as a superuser): left out of `audit reads` by default.';

-- Log files already read to their end (no longer written): not read again.
create table audit.read_file (
    name         text primary key,
    collected_at timestamptz not null default now()
);
comment on table audit.read_file is 'Server log files whose reads are all in audit.read.';
