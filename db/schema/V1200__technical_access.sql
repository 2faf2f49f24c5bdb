-- What the technical roles may touch (contract §3: "what their job needs, nothing more"). They
-- are not scoped by a grant to units: the importer writes an organisation's feed, the retention
-- job deletes what expired anywhere. Rows live in db/policies/1000_access_matrix.sql;
-- privacy.apply_access() turns each into column privileges and, on tables with row security, a
-- policy limited to the annexes named here.

create table privacy.technical_access (
    role        name not null references privacy.app_role (role),
    object_name name not null,
    privilege   text not null,
    columns     text[],
    annexes     text[],
    note        text not null,
    primary key (role, object_name, privilege),
    constraint technical_access_privilege_known
        check (privilege in ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'USAGE')),
    constraint technical_access_columns_for_column_privileges
        check (columns is null or privilege in ('SELECT', 'INSERT', 'UPDATE'))
);
comment on table privacy.technical_access is
    'Privileges of the technical roles (importer, retention) on dossier tables and sequences; '
    'policies derived from it allow every row of the listed annexes.';
comment on column privacy.technical_access.columns is 'Column privilege on these columns; null: the whole table (or a sequence).';
comment on column privacy.technical_access.annexes is 'Row policy limited to these annexes; null: every row.';
