#!/usr/bin/env bash
# pgspot over db/: fails on any error, and on PS003/PS004/PS005/PS018 (a function without a pinned
# search_path), which pgspot itself reports only as warnings.
# Ignored, with the reason: they concern extension scripts installed into schemas someone else
# controls, while dossier's schemas are created by its first migration and owned by dossier_owner:
#   PS001 unqualified operator            PS002 CREATE OR REPLACE of a function someone could own
#   PS010 unqualified CREATE SCHEMA        PS012 unqualified object in a SECURITY DEFINER body
#   PS015 CREATE OR REPLACE VIEW           PS016 unqualified function call
#   PS017 unqualified object reference
# Allowed without a search_path: procedures that COMMIT (PostgreSQL refuses transaction control
# in a procedure with a SET clause); their bodies qualify every name and call pinned functions.
# And privacy.scope() and the row guard's row_map() and org_map(), which the planner must inline (a SET clause prevents that; its one name is
# qualified): see db/functions/1000_access_helpers.sql.
set -uo pipefail
bin=${1:-.venv/bin}
files=$(ls db/schema/*.sql db/functions/*.sql db/policies/*.sql 2>/dev/null)
out=$("$bin/pgspot" --ignore PS001 --ignore PS002 --ignore PS010 --ignore PS012 --ignore PS015 \
      --ignore PS016 --ignore PS017 \
      --proc-without-search-path 'privacy.run_retention(p_as_of date,p_batch integer)' \
      --proc-without-search-path 'privacy.scope(p_role name,p_kind text)' \
      --proc-without-search-path 'privacy.row_map(p_table name,p_restricted boolean)' \
      --proc-without-search-path 'privacy.org_map(p_table name)' $files)
rc=$?
echo "$out" | grep -E '^PS[0-9]+' || true
if echo "$out" | grep -qE '^PS0(03|04|05|18)'; then
  echo "pgspot: a function without a pinned search_path (set search_path = pg_catalog, pg_temp)" >&2
  exit 1
fi
((rc == 0)) || { echo "pgspot: errors above" >&2; exit 1; }
echo "pgspot: $(echo "$files" | wc -w) files, no findings"
