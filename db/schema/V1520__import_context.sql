-- The organisation of an HR import run (issue 14 item 2; 000 Bron: one controller per feed).
-- `dossier import hr --org CODE` names it through privacy.begin_import() before it takes the role
-- dossier_importer; the importer's row policies reach only that organisation
-- (privacy.import_org(), db/functions/1300_import.sql). A row is seen only by the transaction
-- that wrote it (xid), so a run never inherits another's organisation.
create table privacy.import_context (
    xid        xid8 not null default pg_catalog.pg_current_xact_id() primary key,
    org_id     bigint not null references dossier.org_unit (id),
    started_by name not null default session_user,
    started_at timestamptz not null default pg_catalog.now()
);
comment on table privacy.import_context is
    'The organisation of the HR import running in a transaction; written only by privacy.begin_import().';
