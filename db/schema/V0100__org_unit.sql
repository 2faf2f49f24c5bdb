-- The organisation tree (contract §4): organisation → school/location or directie →
-- afdeling → team (the HR importer's kolom › directie › afdeling › team, 000 "organisatiegegevens").
-- Grants are scoped to unit subtrees; `path` makes a subtree one indexed prefix scan.

create table dossier.org_unit (
    id          bigint generated always as identity primary key,
    code        text not null,
    name        text not null,
    kind        text not null,
    parent_id   bigint references dossier.org_unit (id),
    org_id      bigint not null,
    path        text not null,
    created_at  timestamptz not null default now(),
    constraint org_unit_code_unique unique (code),
    constraint org_unit_code_format check (code ~ '^[A-Z0-9][A-Z0-9_.-]{0,62}$'),
    constraint org_unit_name_present check (length(btrim(name)) > 0),
    constraint org_unit_kind_known check (kind in (
        'organisation', 'kolom', 'school', 'location', 'directie', 'afdeling', 'team')),
    constraint org_unit_root_is_organisation check ((parent_id is null) = (kind = 'organisation'))
);
create index org_unit_path_prefix on dossier.org_unit (path text_pattern_ops);
create index org_unit_parent on dossier.org_unit (parent_id);
create index org_unit_org on dossier.org_unit (org_id);
comment on table dossier.org_unit is
    'Organisation tree; grants (art. 9.2, Bijlage 7) are scoped to a unit and its subtree.';
comment on column dossier.org_unit.code is 'Stable code used by `dossier grant --unit` and imports.';
comment on column dossier.org_unit.kind is
    'organisation, kolom, school/location, directie, afdeling or team.';
comment on column dossier.org_unit.org_id is 'The root organisation (the controller, art. 2 "verantwoordelijke").';
comment on column dossier.org_unit.path is 'Materialised path of ids, "/1/4/9/": a subtree is a prefix.';

create function dossier.org_unit_place() returns trigger
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
declare
    parent dossier.org_unit;
begin
    if new.parent_id is null then
        new.org_id := new.id;
        new.path := '/' || new.id || '/';
    else
        select * into parent from dossier.org_unit where id = new.parent_id;
        if parent.path like '%/' || new.id || '/%' then
            raise exception 'org_unit %: moving it under % would make a cycle', new.code, parent.code
                using errcode = 'check_violation';
        end if;
        new.org_id := parent.org_id;
        new.path := parent.path || new.id || '/';
    end if;
    return new;
end
$$;

create trigger org_unit_place before insert or update of parent_id on dossier.org_unit
    for each row execute function dossier.org_unit_place();

-- A move re-roots the whole subtree below the unit.
create function dossier.org_unit_move_subtree() returns trigger
    language plpgsql security invoker
    set search_path = pg_catalog, pg_temp
as $$
begin
    update dossier.org_unit
       set path = new.path || substr(path, length(old.path) + 1), org_id = new.org_id
     where path like old.path || '_%';
    return null;
end
$$;

create trigger org_unit_move_subtree after update of parent_id on dossier.org_unit
    for each row when (old.path is distinct from new.path)
    execute function dossier.org_unit_move_subtree();
