-- Derive the live grants and row policies from the access matrix (1000_access_matrix.sql).
-- Re-runs after every schema change, so a new table gets its grants and policies.
call privacy.apply_access();

-- Helpers the policies no longer call (replaced by the scope views, 1000_access_helpers.sql),
-- dropped once the policies that called them are gone.
drop function if exists privacy.restricted_subjects();
-- the multirange tests the row guard replaced (issue 13, V1990)
drop function if exists privacy.scope_ranges(name, text);
drop function if exists privacy.scope_ranges_now(name, text);
drop function if exists privacy.my_units(name);
drop function if exists privacy.my_orgs(name);
drop function if exists privacy.my_subjects();
-- The restriction lookups the policies called before the rows carried a flag (V1450).
drop view if exists privacy.my_restricted;
drop function if exists privacy.is_restricted(text, bigint);
