-- Periodic seals instead of a link per transaction (issue 5, "a chain (or periodic seals)").
-- A link per transaction was made at commit, under one lock: every writing transaction waited
-- for the one before it (single-row UPDATEs at 0.37x of the unaudited rate, bench/bench_audit.py).
-- Now audit.seal() (pg_cron, every minute; `dossier audit verify` first) links every entry of the
-- transactions that finished since the last seal: a link covers the transaction ids
-- [from_txid, upto_txid), upto_txid being the oldest transaction still running when it was made,
-- so no entry can join a range once it is sealed. Links made per transaction before this
-- migration cover [txid, txid + 1); their hashes are computed the same way, so they still verify.
alter table audit.chain disable trigger user;
alter table audit.chain add column from_txid bigint, add column upto_txid bigint;
update audit.chain set from_txid = txid, upto_txid = txid + 1;
alter table audit.chain enable trigger user;
alter table audit.chain
    alter column from_txid set not null,
    alter column upto_txid set not null,
    drop column txid,
    add constraint chain_range check (upto_txid > from_txid),
    add constraint chain_from_unique unique (from_txid);
comment on table audit.chain is
    'Hash chain over audit.change, one link per seal: chain_hash = sha256(prev_hash || entries_hash), '
    'entries_hash = sha256 of the payload hashes, in id order, of the entries whose txid is in '
    '[from_txid, upto_txid).';
comment on column audit.chain.upto_txid is
    'The oldest transaction running when the seal was made: every entry below it was committed (or never will be).';

drop table audit.pending cascade;
