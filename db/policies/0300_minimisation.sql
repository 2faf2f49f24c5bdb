-- Apply the minimisation constraints derived from privacy.annex_category
-- (db/functions/0300_minimisation.sql) and document the partitions (0310_comments.sql).
-- Re-runs after every schema change.
select count(*) from privacy.enforce_minimisation();
select privacy.copy_partition_comments();
