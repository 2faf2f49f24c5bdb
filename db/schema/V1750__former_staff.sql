-- dossier:run-as superuser
-- Former staff (issue 16.7; 004 art. 15). No role could process FS records: only a superuser
-- could write them. Art. 15.4a gives them to "degenen … die zijn belast met of leidinggeven aan de
-- in 15.2 bedoelde activiteiten" (contacts, mailings, contributions and gifts, disputes and
-- audit): the group role former_staff_administrator, FS only (its rows:
-- db/policies/1000_access_matrix.sql). Roles are cluster-wide: created only when missing.

do $role$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'former_staff_administrator') then
        create role former_staff_administrator nologin noinherit;
    end if;
end
$role$;
comment on role former_staff_administrator is
    'Those charged with the activities of art. 15.2 for former staff (004 art. 15.4a): FS records only.';

-- Art. 15.1: the processing is the controller's choice ("kan besluiten"), and the register says so.
update privacy.processing_activity
   set related_nl = 'Art. 15.1: de verantwoordelijke kan besluiten over te gaan tot het instellen van deze '
                    'verwerking; zij bestaat alleen bij dat besluit (een keuze van de verantwoordelijke, geen plicht). '
                    'Onderdeel van het privacyreglement verwerking personeelsgegevens.'
 where code = 'FS';
