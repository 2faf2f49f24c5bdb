-- Retention clocks from the data they describe (issue 16.1; 004 art. 14, Bijlage 1 lid 3; 000
-- Bewaartermijn). person_record.ended_on is no longer set by hand: privacy.sync_clocks()
-- (db/functions/1405_clocks.sql) derives it from the facts after every statement that changes
-- them. What each annex's clock follows:
--   A1      the end of the application procedure(s)      application.procedure_ended_on
--   A2, TP  the end of the employment(s) of the record   employment.ended_on_job
--   FS      the period of work (art. 15.3b)              employment.ended_on_job (the rule is death/request)
--   A3      the end of the employment(s) it pays: the subject's A2 records; without any, the end
--           of the last salary month                     person_record(A2).ended_on, salary.period
--   A4      the end of the benefit(s)                    severance_benefit.ends_on
--   A5      the end of the pension matter(s)             pension_entitlement.settled_on (new)
--   A6      each payout's date; the record goes with its last payout (a record without any, 7
--           years after collection)                      payout.paid_on
-- One open fact (a job, a procedure, a benefit or pension matter without an end) stops the clock.

-- Bijlage 5 had no end of the pension matter to start its clock from.
alter table dossier.pension_entitlement add column settled_on dossier.record_date;
comment on column dossier.pension_entitlement.settled_on is
    'The pension matter ended (last payment made, value transferred or bought out): starts the A5 '
    'retention clock (004 art. 14a "pensioneringsvraagstukken", Bijlage 5 lid 2f).';
insert into privacy.column_category (table_name, column_name, category)
values ('pension_entitlement', 'settled_on', 'pension');

comment on column dossier.person_record.ended_on is
    'Start of the retention clock, derived from the facts by privacy.sync_clocks() (never set by '
    'hand): end of the procedure (A1), of the employment(s) (A2, A3, TP, FS), of the benefit (A4) '
    'or pension matter (A5), the last payout (A6). 004 art. 14; 000 Bewaartermijn.';

-- A6: each payout is deleted seven years after its date (art. 14c), also from a record that stays.
alter table privacy.retention_log drop constraint retention_log_action;
alter table privacy.retention_log add constraint retention_log_action
    check (action in ('deleted', 'kept_hold', 'kept_pension', 'deleted_details', 'kept_hold_details'));
comment on table privacy.retention_log is
    'Counts per run, annex and rule: records deleted, or kept by a hold or a pension matter; '
    'detail rows (A6 payouts) deleted past their own term or kept by a hold. Never names or ids.';
