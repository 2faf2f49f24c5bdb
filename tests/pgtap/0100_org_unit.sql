-- The organisation tree (db/schema/V0100__org_unit.sql): subtrees, moves, cycles.
begin;
select plan(8);

insert into dossier.org_unit (code, name, kind) values ('O', 'Org', 'organisation');
insert into dossier.org_unit (code, name, kind, parent_id)
select v.code, v.code, v.kind, (select id from dossier.org_unit where code = v.parent)
  from (values ('S1', 'school', 'O'), ('S2', 'school', 'O')) v(code, kind, parent);
insert into dossier.org_unit (code, name, kind, parent_id)
select v.code, v.code, 'team', (select id from dossier.org_unit where code = v.parent)
  from (values ('T1', 'S1'), ('T2', 'S1'), ('T3', 'S2')) v(code, parent);

create function pg_temp.subtree(c text) returns text[] language sql as $$
    select array_agg(u.code order by u.code) from dossier.org_unit u
     where u.path like (select path from dossier.org_unit where code = c) || '%'
$$;

select is(pg_temp.subtree('S1'), array['S1', 'T1', 'T2'], 'subtree of S1');
select is(pg_temp.subtree('O'), array['O', 'S1', 'S2', 'T1', 'T2', 'T3'], 'subtree of the organisation');
select is((select count(distinct org_id)::int from dossier.org_unit), 1, 'every unit knows its organisation');

update dossier.org_unit set parent_id = (select id from dossier.org_unit where code = 'S2')
 where code = 'S1';
select is(pg_temp.subtree('S2'), array['S1', 'S2', 'T1', 'T2', 'T3'], 'moving S1 under S2 moves its teams');

select throws_ok($$update dossier.org_unit set parent_id = (select id from dossier.org_unit where code = 'T1')
                   where code = 'S2'$$, '23514', null, 'a move that makes a cycle is refused');
select throws_ok($$insert into dossier.org_unit (code, name, kind) values ('bad code', 'x', 'organisation')$$,
                 '23514', null, 'unit codes are upper-case identifiers');
select throws_ok($$insert into dossier.org_unit (code, name, kind) values ('X', 'x', 'team')$$,
                 '23514', null, 'only an organisation is a root');
select ok((select count(*) from pg_indexes where tablename = 'org_unit' and indexdef like '%text_pattern_ops%') = 1,
          'subtree prefix scans are indexed');

select * from finish();
rollback;
