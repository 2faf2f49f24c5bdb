-- Audit of every change to personal data (004 art. 10: measures against unlawful processing).
-- audit.change is append-only for every role, partitioned by month; each entry holds a hash of
-- its payload, and a hash chain per committed transaction (audit.chain) runs over those hashes.
-- Erasure (retention or request) nulls a payload but keeps its hash, so the chain still verifies.
-- Functions: db/functions/1100_audit.sql. Read auditing (pgaudit) is configured by the cluster.

create table audit.change (
    id              bigint generated always as identity,
    at              timestamptz not null default clock_timestamp(),
    txid            bigint not null default txid_current(),
    session_user_name name not null default session_user,
    current_user_name name not null,
    application_name text,
    client_addr     inet default inet_client_addr(),
    table_name      name not null,
    operation       text not null,
    annex           text,
    subject_id      bigint,
    record_id       bigint,
    row_id          bigint,
    payload         jsonb,
    payload_hash    bytea not null,
    redacted_at     timestamptz,
    constraint change_pk primary key (id, at),
    constraint change_operation_known check (operation in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
    constraint change_redaction_consistent check ((payload is null) = (redacted_at is not null)
                                                  or operation = 'TRUNCATE')
) partition by range (at);
create index change_subject on audit.change (subject_id, at);
create index change_txid on audit.change (txid);
comment on table audit.change is
    'One row per changed row of a personal-data table (004 art. 10). Append-only; partitioned by month.';
comment on column audit.change.txid is 'Transaction id (64-bit, txid_current()).';
comment on column audit.change.session_user_name is 'The login.';
comment on column audit.change.current_user_name is 'The role in effect (SET ROLE), else the login.';
comment on column audit.change.payload is
    'INSERT/DELETE: the row; UPDATE: only the changed columns as {column: [old, new]}. '
    'Personal data: nulled on erasure (redacted_at), its hash kept.';
comment on column audit.change.payload_hash is 'sha256 of the payload as text (kept after redaction).';

create table audit.change_default partition of audit.change default;

-- The chain: one link per committed transaction that wrote audit entries, in commit order.
create table audit.chain (
    seq         bigint generated always as identity primary key,
    txid        bigint not null unique,
    n_entries   integer not null,
    first_id    bigint not null,
    last_id     bigint not null,
    entries_hash bytea not null,
    prev_hash   bytea not null,
    chain_hash  bytea not null,
    sealed_at   timestamptz not null default clock_timestamp(),
    -- two links can never follow the same link: a fork (e.g. a REPEATABLE READ transaction that
    -- did not see the latest link) fails at commit instead of branching the chain
    constraint chain_prev_unique unique (prev_hash)
);
comment on table audit.chain is
    'Hash chain over audit.change, one link per transaction: chain_hash = sha256(prev_hash || '
    'entries_hash), entries_hash = sha256 of the entries'' payload hashes in id order.';

-- Transactions with entries not yet chained (one row each; the deferred trigger chains them).
create table audit.pending (
    txid bigint primary key
);
comment on table audit.pending is 'Transactions whose audit entries are chained at commit.';

-- Partitions dropped past the audit retention period, with the chain position they ended at,
-- so `dossier audit verify` starts from there.
create table audit.dropped_partition (
    partition_name name primary key,
    upto           timestamptz not null,
    last_seq       bigint,
    last_chain_hash bytea,
    dropped_by     name not null default session_user,
    dropped_at     timestamptz not null default now()
);
comment on table audit.dropped_partition is 'Audit partitions dropped by the retention role, and where the chain resumes.';

insert into privacy.setting (key, value, note) values
    ('audit_retention_months', '84', 'Months audit partitions are kept before the retention role may drop them (7 years)');
