-- Bijlage 1 (sollicitanten): the application and the applicant's current and previous jobs.

create table dossier.application (
    like dossier.detail_base including all,
    vacancy_code        text not null,
    position_applied    text not null,
    applied_on          dossier.record_date not null,
    procedure_ended_on  dossier.record_date,
    outcome             text not null default 'pending',
    constraint application_outcome_code check (outcome in ('pending', 'hired', 'rejected', 'withdrawn')),
    constraint application_dates_ordered check (procedure_ended_on >= applied_on)
);
comment on column dossier.application.vacancy_code is 'The vacancy (Bijlage 1 lid 2g).';
comment on column dossier.application.position_applied is 'Functie waarnaar gesolliciteerd is (Bijlage 1 lid 2g).';
comment on column dossier.application.applied_on is 'Date of application (Bijlage 1 lid 2g).';
comment on column dossier.application.procedure_ended_on is 'End of the procedure: starts the 4-week clock (Bijlage 1 lid 3, art. 14b).';
comment on column dossier.application.outcome is 'pending, hired, rejected or withdrawn (Bijlage 1 lid 2g).';
call privacy.register_detail('application', 'application',
    'Applications: the position applied for and the procedure (Bijlage 1 lid 2g, lid 3)');

create table dossier.previous_employment (
    like dossier.detail_base including all,
    employer     text not null,
    position     text not null,
    started_on   dossier.record_date,
    ended_on_job dossier.record_date,
    end_reason   text,
    constraint previous_employment_dates_ordered check (ended_on_job >= started_on),
    constraint previous_employment_end_reason_short check (length(end_reason) <= 200)
);
comment on column dossier.previous_employment.employer is 'Employer of the current or a previous job (Bijlage 1 lid 2h, 2i).';
comment on column dossier.previous_employment.position is 'Aard en inhoud van de dienstbetrekking (Bijlage 1 lid 2h, 2i).';
comment on column dossier.previous_employment.started_on is 'Start of that job (Bijlage 1 lid 2h, 2i).';
comment on column dossier.previous_employment.ended_on_job is 'End of that job (Bijlage 1 lid 2h, 2i).';
comment on column dossier.previous_employment.end_reason is 'Beëindiging (Bijlage 1 lid 2h, 2i), short.';
call privacy.register_detail('previous_employment', 'employment',
    'Current and previous jobs of an applicant (Bijlage 1 lid 2h, 2i)');
