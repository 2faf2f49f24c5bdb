-- dossier:run-as superuser
-- Objection read as written (issue 16.3; 004 art. 13.6). It concerns only processing on the
-- grounds of public task or legitimate interest (art. 7 e, f): a restriction placed by an
-- objection covers only the records resting on those grounds (contract and legal-obligation
-- records, payroll's among them, stay in view). A granted objection ends that processing
-- ("dient de verwerking … onmiddellijk te worden beëindigd"): the rows carry processing_ended,
-- no role may update them or add to them, and the importer skips them (privacy.sync_restricted()
-- and privacy.refuse_ended_processing(), db/functions/1420_restricted.sql). Restriction (AVG
-- art. 18) keeps its meaning: every record of the subject (or of one annex), hidden but kept.
-- Superuser: the flag is added to every personal-data table past the row policies, like V1450.

alter table privacy.restriction add column kind text not null default 'restriction';
alter table privacy.restriction add constraint restriction_kind check (kind in ('restriction', 'objection'));
update privacy.restriction r set kind = q.kind
  from privacy.subject_request q where q.id = r.request_id and q.kind = 'objection';
alter table privacy.restriction add column processing_ended_at timestamptz;
alter table privacy.restriction add column processing_ended_by name;
alter table privacy.restriction add constraint restriction_ended_by_objection
    check ((processing_ended_at is null) = (processing_ended_by is null)
           and (processing_ended_at is null or kind = 'objection'));
comment on column privacy.restriction.kind is
    'objection (art. 13.6: only records on public task or legitimate interest, art. 7 e/f) or restriction (AVG art. 18: every record).';
comment on column privacy.restriction.processing_ended_at is
    'The objection was granted: the processing ended (art. 13.6 "onmiddellijk beëindigd"); no role writes the rows.';
comment on column privacy.restriction.processing_ended_by is 'Who granted the objection (session_user).';

-- The legal grounds an objection may concern (art. 13.6 a, b).
alter table privacy.legal_basis add column objectionable boolean not null default false;
update privacy.legal_basis set objectionable = code in ('public_task', 'legitimate_interest');
comment on column privacy.legal_basis.objectionable is
    'An objection may concern processing on this ground (004 art. 13.6: publiekrechtelijke taak, gerechtvaardigd belang).';

do $add$
declare
    t record;
begin
    for t in select p.table_name from privacy.personal_table p order by 1 loop
        execute format('alter table dossier.%I add column processing_ended boolean not null default false', t.table_name);
        execute format('comment on column dossier.%I.processing_ended is %L', t.table_name,
                       'A granted objection ended the processing of this row (art. 13.6): nobody writes it. Kept by privacy.sync_restricted().');
    end loop;
end
$add$;
alter table dossier.detail_base add column processing_ended boolean not null default false;
comment on column dossier.detail_base.processing_ended is 'Processing ended by a granted objection (art. 13.6); see privacy.sync_restricted().';

insert into privacy.technical_column (column_name, reason) values
    ('processing_ended', 'processing ended by a granted objection (art. 13.6), kept from privacy.restriction by privacy.sync_restricted() only');
