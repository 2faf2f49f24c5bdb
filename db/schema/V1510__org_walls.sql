-- Organisations as hard walls for the data that is not about a person (issue 14 item 1;
-- 004 art. 2 "verantwoordelijke": each organisation is its own controller).
--
-- The training catalogue (000 M895: providers, activities, sessions, invoices) had no row
-- security and no organisation on sessions and invoices: a training administrator of one
-- organisation changed another's activities, and deleting an invoice cascaded, as the owner, to
-- invoice lines it could not even see. Now every catalogue row carries its organisation, a row
-- refers only to rows of its own organisation (composite keys), and no reference from a
-- personal-data row to the catalogue cascades: deleting what is still referenced is refused, so a
-- delete never removes rows the acting login could not remove itself.

alter table dossier.training_session add column org_id bigint;
update dossier.training_session s set org_id = a.org_id from dossier.training_activity a where a.id = s.activity_id;
alter table dossier.training_session alter column org_id set not null;
comment on column dossier.training_session.org_id is 'The organisation (controller) the session belongs to: that of its activity.';

alter table dossier.provider_invoice add column org_id bigint;
update dossier.provider_invoice i set org_id = p.org_id from dossier.training_provider p where p.id = i.provider_id;
alter table dossier.provider_invoice alter column org_id set not null;
comment on column dossier.provider_invoice.org_id is 'The organisation (controller) the invoice was sent to: that of its provider.';

alter table dossier.training_provider add constraint training_provider_id_org unique (id, org_id);
alter table dossier.training_activity add constraint training_activity_id_org unique (id, org_id);
alter table dossier.training_session add constraint training_session_id_org unique (id, org_id);
alter table dossier.provider_invoice add constraint provider_invoice_id_org unique (id, org_id);

-- Every single-column reference to the catalogue (or a charged unit) becomes (key, org_id), so a
-- row can point only into its own organisation, and the error for a key of another organisation is
-- the one for a key that does not exist. References from personal-data rows never cascade.
do $fk$
declare
    r record;
    v_cascade boolean;
begin
    for r in
        select c.conname, c.conrelid::regclass as tbl, src.relname as tbl_name, a.attname as col,
               c.confrelid::regclass as ref, c.confdeltype
          from pg_catalog.pg_constraint c
          join pg_catalog.pg_class src on src.oid = c.conrelid
          join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
         where c.contype = 'f' and cardinality(c.conkey) = 1
           and src.relnamespace = 'dossier'::regnamespace and src.relkind = 'r'
           and exists (select from pg_catalog.pg_attribute o
                        where o.attrelid = c.conrelid and o.attname = 'org_id' and not o.attisdropped)
           and (c.confrelid in ('dossier.training_provider'::regclass, 'dossier.training_activity'::regclass,
                                'dossier.training_session'::regclass, 'dossier.provider_invoice'::regclass)
                or (c.confrelid = 'dossier.org_unit'::regclass and a.attname = 'charged_unit_id'))
         order by 1
    loop
        -- a catalogue row may follow its parent (session of an activity); personal rows never
        v_cascade := r.confdeltype = 'c'
                     and r.tbl_name not in (select table_name from privacy.personal_table);
        execute format('alter table %s drop constraint %I', r.tbl, r.conname);
        execute format('alter table %s add constraint %I foreign key (%I, org_id) references %s (id, org_id)%s',
                       r.tbl, r.conname, r.col, r.ref, case when v_cascade then ' on delete cascade' else '' end);
    end loop;
end
$fk$;

create index training_session_org on dossier.training_session (org_id);
create index provider_invoice_org on dossier.provider_invoice (org_id);

-- Organisation data under row security: the tables privacy.apply_access() gives row policies
-- with organisation scope (db/functions/1010_access_model.sql).
create table privacy.org_table (
    table_name  name primary key,
    note        text not null
);
comment on table privacy.org_table is
    'Tables of organisation data that is not about a person: row security with organisation scope for every role (issue 14).';
insert into privacy.org_table (table_name, note) values
    ('org_unit', 'the organisation tree (contract §4)'),
    ('training_provider', 'M895 doel 7: providers'),
    ('training_activity', 'M895 doel 1: the catalogue'),
    ('training_session', 'M895 doel 1: the planning'),
    ('provider_invoice', 'M895 doel 7: invoices of providers');
