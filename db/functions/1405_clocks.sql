-- dossier:run-as superuser
-- Retention clocks kept in step with their facts (db/schema/V1700__retention_clocks.sql; issue
-- 16.1; 004 art. 14). After every statement that writes a record or one of the facts a clock
-- follows (a procedure, an employment, a salary month, a benefit, a pension matter, a payout),
-- privacy.sync_clocks() sets person_record.ended_on of the subjects concerned to what
-- privacy.record_clock() derives. An update of records concerns the subjects of the records whose
-- clock inputs it changed (keys, collection date, ended_on); an address, a name or a flag is no
-- input to any clock, so an update of those derives nothing. A value written into ended_on by
-- hand does not outlive its statement, except on a record inserted without facts yet (the
-- importer writes the record, then its employment): that value stands until its facts arrive;
-- privacy.clock_drift() lists any record out of step.
--
-- Who writes the clock: privacy.sync_clocks(), as dossier_retention (SECURITY DEFINER, owned by
-- it), the technical role that already reads every record's clock for the retention job; its
-- privileges for this are in the access matrix (db/policies/1000_access_matrix.sql: read the
-- facts, update ended_on). The writer of a fact may not see the other records of the subject (an
-- A2 employment moves the A3 clock; a restricted record is hidden from most roles), so the
-- invoker could not. Superuser file: it hands the function to dossier_retention (like
-- 1420_restricted.sql).

-- SECURITY DEFINER: writes the clock of records the writing role may not see (see above).
create or replace function privacy.sync_clocks() returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
as $$
declare
    v_subjects bigint[];
begin
    if tg_op = 'INSERT' then
        select array_agg(distinct n.subject_id) into v_subjects from new_rows n;
    elsif tg_op = 'UPDATE' and tg_table_name = 'person_record' then
        -- the rows whose clock inputs changed (what privacy.record_clock reads of a record, and the
        -- clock itself: a hand-written value is put back), before and after
        select array_agg(distinct x.subject_id) into v_subjects
          from ((select n.id, n.annex, n.subject_id, n.org_id, n.collected_on, n.ended_on from new_rows n
                 except
                 select o.id, o.annex, o.subject_id, o.org_id, o.collected_on, o.ended_on from old_rows o)
                union all
                (select o.id, o.annex, o.subject_id, o.org_id, o.collected_on, o.ended_on from old_rows o
                 except
                 select n.id, n.annex, n.subject_id, n.org_id, n.collected_on, n.ended_on from new_rows n)) x;
    elsif tg_op = 'UPDATE' then
        select array_agg(distinct s) into v_subjects
          from (select n.subject_id from new_rows n union select o.subject_id from old_rows o) x(s);
    else
        select array_agg(distinct o.subject_id) into v_subjects from old_rows o;
    end if;
    if v_subjects is null then
        return null;
    end if;
    -- A record just inserted has no facts yet (its details follow, in later statements): what
    -- it was given stands until a fact says otherwise; privacy.clock_drift() reports a record
    -- left without facts and with a clock.
    update dossier.person_record p set ended_on = c.ended_on
      from privacy.record_clock(v_subjects) c
     where p.id = c.record_id and p.annex = c.annex and p.ended_on is distinct from c.ended_on
       and not (tg_table_name = 'person_record' and tg_op = 'INSERT' and c.ended_on is null);
    return null;
end
$$;
comment on function privacy.sync_clocks() is
    'Set person_record.ended_on of the subjects a statement touched to the clock their facts give (004 art. 14).';

do $owner$
declare
    t name;
begin
    alter function privacy.sync_clocks() owner to dossier_retention;
    revoke all on function privacy.sync_clocks() from public;
    -- the record itself (a hand-written ended_on is put back) and each table holding a fact
    for t in select unnest(array['person_record', 'application', 'employment', 'salary', 'severance_benefit',
                                 'pension_entitlement', 'payout']) loop
        execute format('create or replace trigger %I after insert on %s '
                       'referencing new table as new_rows for each statement '
                       'execute function privacy.sync_clocks()', t || '_clock_insert', privacy.stored(t));
        execute format('create or replace trigger %I after update on %s '
                       'referencing old table as old_rows new table as new_rows for each statement '
                       'execute function privacy.sync_clocks()', t || '_clock_update', privacy.stored(t));
        if t <> 'person_record' then
            execute format('create or replace trigger %I after delete on %s '
                           'referencing old table as old_rows for each statement '
                           'execute function privacy.sync_clocks()', t || '_clock_delete', privacy.stored(t));
        end if;
    end loop;
end
$owner$;
