-- The units each grant reaches (004 art. 9, 10.2; Bijlage 7), kept ready for the row policies.
-- Derived from privacy.role_grant and the unit tree by privacy.refresh_grant_unit() (triggers on
-- both, db/functions/1000_access_helpers.sql); read through the view privacy.my_unit, an index
-- lookup per statement instead of walking the unit tree in every policy.
create table privacy.grant_unit (
    login       name not null,
    role        name not null,
    unit_id     bigint not null,
    grant_id    bigint not null,
    valid_from  date not null,
    valid_until date,
    constraint grant_unit_pk primary key (login, role, unit_id, grant_id)
);
comment on table privacy.grant_unit is
    'Every unit in the subtree of every grant not revoked (derived from role_grant and org_unit; rebuilt on change).';
