-- Two additions to the change audit: the rows of control tables a transaction has audited, and an
-- index for verify.
--
-- The rows of control tables already audited in a transaction (audit.capture_control(): the first
-- event of a row holds its state before the transaction; later events of the same row add
-- nothing). A table, not a setting: a login can set any custom setting, and so could have
-- marked a row as seen to keep its change off the record. Unlogged and only the owner's: rows of
-- a transaction are seen by that transaction alone; audit.seal() deletes those of finished ones.
create unlogged table audit.control_seen (
    txid    bigint not null,
    rel     oid not null,
    key     jsonb not null,
    primary key (txid, rel, key)
);
comment on table audit.control_seen is
    'Rows of control tables audited by the running transaction (audit.capture_control()); cleared by audit.seal().';

-- `audit verify` looks up every redacted entry's redaction (db/functions/1100_audit.sql).
create index change_redacted on audit.change (id) where redacted_at is not null;
