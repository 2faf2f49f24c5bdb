-- 000 M895 Opleidingspaspoort: learning activities, planning, enrolments, attendance, exams,
-- evaluations, cost allocation between departments, provider invoices (its seven purposes).
-- Activities, sessions, providers and invoices hold no personal data; the rows about a
-- participant are detail rows of the participant's TP record.

create table dossier.training_provider (
    id      bigint generated always as identity primary key,
    org_id  bigint not null references dossier.org_unit (id),
    name    text not null,
    constraint training_provider_name_unique unique (org_id, name)
);
comment on table dossier.training_provider is 'Opleiders (M895 doel 7). No personal data.';

create table dossier.training_activity (
    id           bigint generated always as identity primary key,
    org_id       bigint not null references dossier.org_unit (id),
    code         text not null,
    title        text not null,
    provider_id  bigint references dossier.training_provider (id),
    kind         text not null default 'course',
    cost         numeric(12, 2) not null default 0,
    has_exam     boolean not null default false,
    constraint training_activity_code_unique unique (org_id, code),
    constraint training_activity_kind_code check (kind in ('course', 'e_learning', 'workshop', 'programme')),
    constraint training_activity_cost_positive check (cost >= 0)
);
comment on table dossier.training_activity is 'Leeractiviteiten (M895 doel 1). No personal data.';

create table dossier.training_session (
    id           bigint generated always as identity primary key,
    activity_id  bigint not null references dossier.training_activity (id) on delete cascade,
    starts_at    timestamptz not null,
    location     text
);
create index training_session_activity on dossier.training_session (activity_id);
comment on table dossier.training_session is 'Planning of an activity (M895 doel 1). No personal data.';

create table dossier.provider_invoice (
    id           bigint generated always as identity primary key,
    provider_id  bigint not null references dossier.training_provider (id),
    number       text not null,
    invoice_date date not null,
    amount       numeric(12, 2) not null,
    constraint provider_invoice_number_unique unique (provider_id, number)
);
comment on table dossier.provider_invoice is 'Facturen van opleiders (M895 doel 7). No personal data.';

create table dossier.enrolment (
    like dossier.detail_base including all,
    activity_id   bigint not null references dossier.training_activity (id),
    enrolled_on   dossier.record_date not null,
    status        text not null default 'enrolled',
    completed_on  dossier.record_date,
    constraint enrolment_status_code check (status in ('enrolled', 'completed', 'cancelled', 'no_show')),
    constraint enrolment_completion_consistent check ((status = 'completed') = (completed_on is not null)),
    constraint enrolment_unique unique (record_id, activity_id),
    constraint enrolment_id_record unique (id, record_id)
);
create index enrolment_activity on dossier.enrolment (activity_id);
comment on column dossier.enrolment.activity_id is 'The learning activity (M895 doel 1).';
comment on column dossier.enrolment.enrolled_on is 'Date of enrolment (M895 doel 1).';
comment on column dossier.enrolment.status is 'Voortgang: enrolled, completed, cancelled, no_show (M895 doel 2).';
comment on column dossier.enrolment.completed_on is 'Completion date (M895 doel 2).';
call privacy.register_detail('enrolment', 'training', 'Enrolments in learning activities (M895 doel 1, 2)');

create table dossier.attendance (
    like dossier.detail_base including all,
    enrolment_id  bigint not null references dossier.enrolment (id) on delete cascade,
    session_id    bigint not null references dossier.training_session (id),
    present       boolean not null,
    constraint attendance_unique unique (enrolment_id, session_id)
);
comment on column dossier.attendance.enrolment_id is 'The enrolment attended (M895 doel 2).';
comment on column dossier.attendance.session_id is 'The planned session (M895 doel 1, 2).';
comment on column dossier.attendance.present is 'Aanwezigheidsregistratie (M895 doel 2).';
alter table dossier.attendance add constraint attendance_same_participant
    foreign key (enrolment_id, record_id) references dossier.enrolment (id, record_id) on delete cascade;
call privacy.register_detail('attendance', 'training', 'Attendance per session (M895 doel 2)');

create table dossier.exam (
    like dossier.detail_base including all,
    activity_id  bigint not null references dossier.training_activity (id),
    exam_date    dossier.record_date not null,
    grade        numeric(4, 1),
    passed       boolean,
    constraint exam_grade_range check (grade between 1 and 10),
    constraint exam_result_consistent check (passed is null or grade is not null)
);
comment on column dossier.exam.activity_id is 'The activity examined (M895 doel 3).';
comment on column dossier.exam.exam_date is 'Inschrijving voor het examen: date (M895 doel 3).';
comment on column dossier.exam.grade is 'Examenresultaat (M895 doel 3).';
comment on column dossier.exam.passed is 'Passed (M895 doel 3).';
call privacy.register_detail('exam', 'training', 'Exam enrolments and results (M895 doel 3)');

create table dossier.evaluation (
    like dossier.detail_base including all,
    activity_id  bigint not null references dossier.training_activity (id),
    score        integer not null,
    submitted_on dossier.record_date not null,
    constraint evaluation_score_range check (score between 1 and 10)
);
comment on column dossier.evaluation.activity_id is 'The activity evaluated (M895 doel 5).';
comment on column dossier.evaluation.score is 'Evaluation score 1-10; no free text (M895 doel 5).';
comment on column dossier.evaluation.submitted_on is 'Date of the evaluation (M895 doel 5).';
call privacy.register_detail('evaluation', 'training', 'Evaluations of training (M895 doel 5)');

create table dossier.cost_allocation (
    like dossier.detail_base including all,
    enrolment_id     bigint not null references dossier.enrolment (id) on delete cascade,
    charged_unit_id  bigint not null references dossier.org_unit (id),
    amount           numeric(12, 2) not null,
    constraint cost_allocation_amount_positive check (amount >= 0)
);
comment on column dossier.cost_allocation.enrolment_id is 'The enrolment whose cost is charged (M895 doel 6).';
comment on column dossier.cost_allocation.charged_unit_id is 'Department charged (M895 doel 6).';
comment on column dossier.cost_allocation.amount is 'Amount charged for this participant (M895 doel 6).';
alter table dossier.cost_allocation add constraint cost_allocation_same_participant
    foreign key (enrolment_id, record_id) references dossier.enrolment (id, record_id) on delete cascade;
call privacy.register_detail('cost_allocation', 'training',
    'Training costs charged between departments per participant (M895 doel 6)');

create table dossier.invoice_line (
    like dossier.detail_base including all,
    invoice_id    bigint not null references dossier.provider_invoice (id) on delete cascade,
    enrolment_id  bigint not null references dossier.enrolment (id) on delete cascade,
    amount        numeric(12, 2) not null,
    validated     boolean not null default false
);
comment on column dossier.invoice_line.invoice_id is 'The provider invoice (M895 doel 7).';
comment on column dossier.invoice_line.enrolment_id is 'The enrolment invoiced (M895 doel 7).';
comment on column dossier.invoice_line.amount is 'Amount invoiced for this participant (M895 doel 7).';
comment on column dossier.invoice_line.validated is 'Checked against attendance (M895 doel 7: facturen valideren).';
alter table dossier.invoice_line add constraint invoice_line_same_participant
    foreign key (enrolment_id, record_id) references dossier.enrolment (id, record_id) on delete cascade;
call privacy.register_detail('invoice_line', 'training',
    'Provider invoice lines per participant, for validation (M895 doel 7)');

insert into privacy.non_personal_table (table_name, reason) values
    ('training_provider', 'training providers are organisations'),
    ('training_activity', 'the course catalogue'),
    ('training_session', 'the planning of activities'),
    ('provider_invoice', 'invoices of providers; per-participant lines are dossier.invoice_line');
