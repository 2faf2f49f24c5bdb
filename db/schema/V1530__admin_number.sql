-- Personnel numbers of records written by hand come from the database (issue 13 item 5): a role
-- that could choose one learned from the unique-key error whether a record it may not see (a
-- restricted person's) holds it. The HR importer keeps the source system's numbers
-- (db/functions/0330_admin_number.sql).
create sequence dossier.admin_number_seq;
comment on sequence dossier.admin_number_seq is 'Personnel numbers for records written by hand (D0000001, …).';
