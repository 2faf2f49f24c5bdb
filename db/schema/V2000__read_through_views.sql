-- dossier:run-as superuser
-- Every table with row security is read through a view (issue 13, the UNION ALL leg).
--
-- PostgreSQL pulls a table that is a plain leg of a UNION ALL up into an append relation, and
-- there it places the caller's conditions before the table's row policies at the same security
-- level (apply_child_basequals); among tests that cost nothing the caller's then run first, on
-- rows the policies would hide. No policy can win that: nothing costs less than zero. A view is
-- different: a security_barrier view is never pulled up, and what the planner pushes into it comes
-- after its own row policies. So the tables move to schema dossier_store, and dossier.<table> is
-- a view over its table:
--
--     create view dossier.absence with (security_barrier, security_invoker) as
--         select * from dossier_store.absence;
--
--   * security_invoker: the caller's own privileges and the table's row policies apply, exactly
--     as on the table before; the view's column privileges are the access matrix's.
--   * The table itself is out of reach by name: nobody but its owner (and the importer, which
--     merges into it) has USAGE on dossier_store. Privileges on the table are the view's,
--     table-wide (privacy.expected_privilege), because a view over `select *` names every column.
--   * Writes go through the view (a simple view is updatable; RETURNING works); the policies,
--     triggers, constraints, indexes and sequences are the table's and moved with it.
-- person_record's partitions stay in schema dossier (nobody holds a privilege on them).
create schema dossier_store authorization dossier_owner;
revoke all on schema dossier_store from public;
comment on schema dossier_store is
    'The tables behind the views of schema dossier (issue 13). Nobody reads them by name: use dossier.<table>.';
-- The move itself is privacy.hide_table (db/functions/0200_store.sql), for every table of the
-- catalogue, so that a table a later migration adds is moved too.
