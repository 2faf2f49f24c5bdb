-- dossier:run-as superuser
-- hstore (contrib) for the audit of updates (004 art. 10): `hstore(new) - hstore(old)` finds the
-- changed columns of a row in C, without a jsonb walk over every column
-- (db/functions/1100_audit.sql, bench/bench_audit.py).
create schema if not exists ext authorization dossier_owner;
comment on schema ext is 'Extensions the dossier functions use (hstore); nothing in it is granted to application roles.';
create extension if not exists hstore schema ext;
grant execute on all functions in schema ext to dossier_owner;
comment on column audit.change.payload is
    'INSERT/DELETE: the row; UPDATE: only the changed columns as {column: [old, new]}, in their text form. '
    'Personal data: nulled on erasure (redacted_at), its hash kept.';
