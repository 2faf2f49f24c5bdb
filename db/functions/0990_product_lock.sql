-- The product's locks (issue 14.3, 18.3): a row of privacy.product_lock (db/schema/V1800), locked
-- FOR UPDATE (exclusive) or FOR SHARE (shared) until the end of the transaction. Advisory-lock
-- keys are open to every login (`select pg_advisory_lock(…)`); these rows are not: no
-- application role holds a privilege on the table. Every wait is bounded by lock_timeout (the
-- function's own setting) and ends in an error naming the lock.
create or replace function privacy.take_product_lock(p_name text, p_shared boolean default false)
    returns void
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    set lock_timeout = '30s'
as $$
-- SECURITY DEFINER: the callers (triggers of application writes, the seal, the grants) run as
-- roles that have, and must have, no privilege on the lock table.
begin
    begin
        if p_shared then
            perform from privacy.product_lock l where l.name = p_name for share;
        else
            perform from privacy.product_lock l where l.name = p_name for update;
        end if;
    exception when lock_not_available then
        raise exception 'dossier lock % is busy: another transaction has held it for over 30 s; try again', p_name
            using errcode = 'lock_not_available';
    end;
    if not found then
        raise exception 'no dossier lock named %', quote_literal(p_name) using errcode = 'undefined_object';
    end if;
end
$$;
comment on function privacy.take_product_lock(text, boolean) is
    'Take the product lock named (privacy.product_lock) until the end of the transaction, waiting 30 s at most.';

-- privacy.sync_restricted() runs as dossier_retention (db/functions/1420_restricted.sql)
delete from privacy.object_audience where defined_in = '0990_product_lock';
insert into privacy.object_audience (schema_name, object_name, role, privilege, defined_in)
values ('privacy', 'take_product_lock(text, boolean)', 'dossier_retention', 'EXECUTE', '0990_product_lock');
