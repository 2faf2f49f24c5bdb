-- This month's and the next three months' audit partitions. The change audit's triggers on every
-- personal-data table are attached by privacy.wire_table (db/policies/1016_wire_tables.sql).
select audit.ensure_partitions(3);
