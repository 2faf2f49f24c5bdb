-- dossier:run-as superuser
-- The `restricted` flag of every personal-data row (db/schema/V1450__restricted_flag.sql; 004
-- art. 13.6, AVG art. 18) follows privacy.restriction. The row policies hide flagged rows from
-- every role but those handling requests (privacy.restriction_expr).
--
-- Who writes the flag: privacy.sync_restricted(), as dossier_retention (SECURITY DEFINER, owned by it),
-- the technical role that already carries out what requests decide (erasure). Its privileges
-- for this are in the access matrix (db/policies/1000_access_matrix.sql: read the keys and the
-- flag, update the flag, every row); dossier_owner has no row policy of its own (FORCE ROW LEVEL
-- SECURITY), so a function of its could not reach the rows. No application role may write the
-- flag. Superuser file: it hands the function to dossier_retention (privacy.apply_access()
-- manages only the routines of dossier_owner and dossier_mis, so it keeps these privileges).

-- One trigger function for both kinds of trigger: on privacy.restriction, the subjects of the
-- restrictions placed, lifted or removed; on a personal-data table, the subjects of the rows
-- inserted who are restricted (one join with the restrictions in force; usually none). Every row
-- of those subjects, in every personal-data table, gets the flag privacy.restriction gives it.
-- Rows never move to another subject or annex (subject_id is in no UPDATE privilege, the annex
-- is fixed: person_record_annex_fixed), so inserts and restriction changes are all there is.
--
-- A restriction placed while another transaction inserts rows of the same subject: the insert
-- checks under the shared product lock 'restriction', a restriction change flags under the exclusive one, so
-- one waits for the other to commit, and the later one (a new snapshot per statement, READ
-- COMMITTED) sees the other's rows (tests/test_requests.py).
create or replace function privacy.sync_restricted() returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    v_subjects bigint[];
    v_row bigint;
    t name;
begin
    if tg_table_name <> 'restriction' then
        perform privacy.take_product_lock('restriction', true);
        select array_agg(distinct n.subject_id) into v_subjects
          from new_rows n join privacy.restriction r on r.subject_id = n.subject_id
         where r.lifted_at is null;
        -- art. 13.6: nothing is added to a record whose processing a granted objection ended
        if v_subjects is not null and tg_table_name <> 'person_record' then
            select n.id into v_row from new_rows n
              join dossier.person_record p on p.id = n.record_id and p.annex = n.annex and p.processing_ended
             limit 1;
            if v_row is not null then
                raise exception '%: a row for a record whose processing ended by a granted objection (art. 13.6) is refused',
                    tg_table_name using errcode = 'object_not_in_prerequisite_state';
            end if;
        end if;
    else
        perform privacy.take_product_lock('restriction');
        if tg_op = 'INSERT' then
            select array_agg(distinct n.subject_id) into v_subjects from new_rows n;
        elsif tg_op = 'UPDATE' then
            select array_agg(distinct s) into v_subjects
              from (select n.subject_id from new_rows n union select o.subject_id from old_rows o) x(s);
        else
            select array_agg(distinct o.subject_id) into v_subjects from old_rows o;
        end if;
    end if;
    if v_subjects is null then
        return null;
    end if;
    -- a restriction covers every row of the subject (or of its annex); an objection only the rows
    -- of records on an objectionable ground (art. 13.6: public task, legitimate interest), and a
    -- granted one ends their processing
    for t in select p.table_name from privacy.personal_table p order by 1 loop
        execute format($u$
            update dossier.%1$I x set restricted = f.restricted, processing_ended = f.ended
              from (select y.id, y.annex,
                           bool_or(r.id is not null) as restricted,
                           bool_or(r.processing_ended_at is not null) as ended
                      from dossier.%1$I y
                      left join privacy.restriction r
                        on r.subject_id = y.subject_id and r.lifted_at is null
                       and (r.annex is null or r.annex = y.annex)
                       and (r.kind = 'restriction'
                            or exists (select from dossier.person_record p
                                         join privacy.legal_basis b on b.code = p.legal_basis and b.objectionable
                                        where p.id = %2$s and p.annex = y.annex))
                     where y.subject_id = any ($1)
                     group by y.id, y.annex) f
             where x.id = f.id and x.annex = f.annex
               and (x.restricted, x.processing_ended) is distinct from (f.restricted, f.ended)$u$,
            t, case when t = 'person_record' then 'y.id' else 'y.record_id' end)
        using v_subjects;
    end loop;
    return null;
end
$$;
comment on function privacy.sync_restricted() is
    'Set the restricted flag of every row of the subjects concerned from privacy.restriction (art. 13.6).';

-- Art. 13.6 "onmiddellijk beëindigd": a row whose processing a granted objection ended is
-- written by nobody but dossier_retention (its flags, its clock, erasure); the importer skips it
-- (the row is left as it is), every other role is refused. SECURITY INVOKER: current_user is the
-- writing role. Fires only for flagged rows (WHEN old.processing_ended).
create or replace function privacy.refuse_ended_processing() returns trigger
    language plpgsql volatile security invoker
    set search_path = pg_catalog, pg_temp
as $$
begin
    if current_user = 'dossier_retention' then
        return new;
    elsif current_user = 'dossier_importer' then
        return null;
    end if;
    raise exception '%: row % (subject %) is not written: its processing ended by a granted objection (art. 13.6)',
        tg_table_name, old.id, old.subject_id using errcode = 'object_not_in_prerequisite_state';
end
$$;
comment on function privacy.refuse_ended_processing() is
    'Refuse (importer: skip) writes to rows whose processing a granted objection ended (004 art. 13.6).';

-- The triggers on every personal-data table that call these two are attached by
-- privacy.wire_table (db/functions/1016_wire_table.sql), as a superuser: nobody but
-- dossier_retention may execute privacy.sync_restricted().
alter function privacy.sync_restricted() owner to dossier_retention;
revoke all on function privacy.sync_restricted() from public;

create or replace trigger restriction_placed after insert on privacy.restriction
    referencing new table as new_rows for each statement execute function privacy.sync_restricted();
create or replace trigger restriction_changed after update on privacy.restriction
    referencing old table as old_rows new table as new_rows
    for each statement execute function privacy.sync_restricted();
create or replace trigger restriction_removed after delete on privacy.restriction
    referencing old table as old_rows for each statement execute function privacy.sync_restricted();
