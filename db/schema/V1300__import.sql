-- The HR importer (000 Bron: "via een koppeling, de HR-importer"; contract §5): one row per
-- import that wrote, with its counts. No names and no ids of persons.

create table privacy.import_run (
    id             bigint generated always as identity primary key,
    org_id         bigint not null references dossier.org_unit (id),
    annex          text not null,
    file_name      text not null,
    full_feed      boolean not null,
    rows_read      integer not null,
    inserted       integer not null,
    updated        integer not null,
    unchanged      integer not null,
    left_count     integer not null,
    units_created  integer not null,
    run_by         name not null default session_user,
    run_at         timestamptz not null default now(),
    constraint import_run_annex check (annex in ('A2', 'TP'))
);
comment on table privacy.import_run is 'HR imports that wrote (counts only; 000 HR-importer).';
comment on column privacy.import_run.left_count is 'People recorded as left: an end date in the feed, or absent from a --full feed.';
