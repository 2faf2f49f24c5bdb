-- Derive the live grants and row policies from the access matrix (1000_access_matrix.sql).
-- Re-runs after every schema change, so a new table gets its grants and policies.
call privacy.apply_access();
