-- Bijlage 2 (personeelsadministratie) and the categories it shares with other annexes:
-- employment, absence and leave, working conditions, appraisal, qualifications, education,
-- guardians of minors, family members.

create table dossier.employment (
    like dossier.detail_base including all,
    position       text not null,
    fte            numeric(4, 3),
    contract_type  text,
    started_on     dossier.record_date not null,
    ended_on_job   dossier.record_date,
    end_reason     text,
    constraint employment_dates_ordered check (ended_on_job >= started_on),
    constraint employment_fte_range check (fte > 0 and fte <= 1.2),
    constraint employment_contract_type_code check (contract_type in ('permanent', 'temporary', 'on_call', 'internship', 'secondment')),
    constraint employment_end_reason_code check (end_reason in ('resignation', 'end_of_contract', 'dismissal', 'retirement', 'death', 'transfer', 'other')),
    -- Bijlage 4 lid 2a and art. 15.3b allow only the position and the period, not the terms.
    constraint a4_fs_position_and_period_only check (
        annex not in ('A4', 'FS') or (fte is null and contract_type is null and end_reason is null)),
    -- 000 M895: datum in/uit dienst, functie; no terms of employment.
    constraint tp_m895_position_and_dates_only check (
        annex <> 'TP' or (fte is null and contract_type is null and end_reason is null))
);
comment on column dossier.employment.position is 'Functie (Bijlage 2 lid 2f; Bijlage 4 lid 2a; art. 15.3b; 000).';
comment on column dossier.employment.fte is 'Omvang (Bijlage 2 lid 2f: aard van het dienstverband).';
comment on column dossier.employment.contract_type is 'Aard van het dienstverband (Bijlage 2 lid 2f).';
comment on column dossier.employment.started_on is 'Datum in dienst (Bijlage 2 lid 2f; 000).';
comment on column dossier.employment.ended_on_job is 'Datum uit dienst (Bijlage 2 lid 2f; 000).';
comment on column dossier.employment.end_reason is 'Beëindiging, as a code (Bijlage 2 lid 2f).';
call privacy.register_detail('employment', 'employment',
    'Position, nature, content and end of employment (Bijlage 2 lid 2f)');

-- Bijlage 2 lid 2g: absence "met uitzondering van gegevens over de aard van de ziekte":
-- a reason code, never free text; there is no column for the nature of an illness.
create table dossier.absence (
    like dossier.detail_base including all,
    first_day    dossier.record_date not null,
    last_day     dossier.record_date,
    percentage   numeric(5, 2) not null default 100,
    reason_code  text not null,
    constraint a2_2g_reason_code_only check (reason_code in ('sickness', 'leave', 'working_time_reduction', 'maternity')),
    constraint absence_percentage_range check (percentage > 0 and percentage <= 100),
    constraint absence_days_ordered check (last_day >= first_day)
);
comment on column dossier.absence.first_day is 'Eerste verzuimdag (Bijlage 2 lid 2g; Bijlage 7).';
comment on column dossier.absence.last_day is 'Hersteldatum / last day absent (Bijlage 2 lid 2g).';
comment on column dossier.absence.percentage is '% verzuim (Bijlage 7).';
comment on column dossier.absence.reason_code is 'Reden van verzuim as a code: sickness, leave, working_time_reduction, maternity (Bijlage 2 lid 2g). Never the nature of an illness.';
call privacy.register_detail('absence', 'absence',
    'Absence: first day, percentage, reason code (Bijlage 2 lid 2g; Bijlage 7 verzuimregistratie)');

create table dossier.leave (
    like dossier.detail_base including all,
    leave_type  text not null,
    starts_on   dossier.record_date not null,
    ends_on     dossier.record_date,
    hours       numeric(6, 2),
    constraint leave_type_code check (leave_type in ('statutory', 'extra', 'parental', 'special', 'unpaid', 'working_time_reduction')),
    constraint leave_dates_ordered check (ends_on >= starts_on),
    constraint leave_hours_range check (hours >= 0)
);
comment on column dossier.leave.leave_type is 'Verlof / arbeidsduurverkorting as a code (Bijlage 2 lid 2g).';
comment on column dossier.leave.starts_on is 'First day of leave (Bijlage 2 lid 2g).';
comment on column dossier.leave.ends_on is 'Last day of leave (Bijlage 2 lid 2g).';
comment on column dossier.leave.hours is 'Hours of leave (Bijlage 2 lid 2g).';
call privacy.register_detail('leave', 'absence', 'Leave taken (Bijlage 2 lid 2g)');

create table dossier.working_condition (
    like dossier.detail_base including all,
    measure_code  text not null,
    starts_on     dossier.record_date not null,
    ends_on       dossier.record_date,
    constraint working_condition_measure_code check (measure_code in ('workplace_adjustment', 'ergonomic_equipment', 'reduced_hours', 'home_office', 'travel_arrangement')),
    constraint working_condition_dates_ordered check (ends_on >= starts_on)
);
comment on column dossier.working_condition.measure_code is 'Measure taken in the interest of the employee''s working conditions, as a code (Bijlage 2 lid 2h); no health details.';
comment on column dossier.working_condition.starts_on is 'Start of the measure (Bijlage 2 lid 2h).';
comment on column dossier.working_condition.ends_on is 'End of the measure (Bijlage 2 lid 2h).';
call privacy.register_detail('working_condition', 'working_conditions',
    'Working-conditions measures (Bijlage 2 lid 2h)');

create table dossier.appraisal (
    like dossier.detail_base including all,
    held_on           dossier.record_date not null,
    kind              text not null,
    outcome_code      text,
    summary           text,
    known_to_subject  boolean not null,
    constraint appraisal_kind_code check (kind in ('appraisal', 'development', 'career_guidance')),
    constraint appraisal_outcome_code check (outcome_code in ('insufficient', 'sufficient', 'good', 'excellent')),
    constraint appraisal_summary_short check (length(summary) <= 2000),
    -- Bijlage 2 lid 2j: "voor zover die gegevens bij de betrokkenen bekend zijn".
    constraint a2_2j_known_to_subject check (known_to_subject)
);
comment on column dossier.appraisal.held_on is 'Date of the conversation (Bijlage 2 lid 2j, 2k).';
comment on column dossier.appraisal.kind is 'appraisal, development or career_guidance (Bijlage 2 lid 2j, 2k).';
comment on column dossier.appraisal.outcome_code is 'Outcome as a code (Bijlage 2 lid 2j).';
comment on column dossier.appraisal.summary is 'Report as agreed with the employee (Bijlage 2 lid 2j, 2k).';
comment on column dossier.appraisal.known_to_subject is 'Must be true: only data known to the employee (Bijlage 2 lid 2j).';
call privacy.register_detail('appraisal', 'appraisal',
    'Appraisal, career guidance, development (Bijlage 2 lid 2j, 2k)');

create table dossier.qualification (
    like dossier.detail_base including all,
    kind         text not null,
    description  text not null,
    obtained_on  dossier.record_date,
    institution  text,
    constraint qualification_kind_code check (kind in ('subject', 'teaching_qualification', 'degree'))
);
comment on column dossier.qualification.kind is 'Vak, bevoegdheid or graad (Bijlage 2 lid 2k).';
comment on column dossier.qualification.description is 'Which subject, qualification or degree (Bijlage 2 lid 2k).';
comment on column dossier.qualification.obtained_on is 'Date obtained (Bijlage 2 lid 2k).';
comment on column dossier.qualification.institution is 'Awarding institution (Bijlage 2 lid 2k).';
call privacy.register_detail('qualification', 'qualification',
    'Subjects, teaching qualifications and degrees (Bijlage 2 lid 2k)');

create table dossier.education (
    like dossier.detail_base including all,
    kind         text not null,
    course       text not null,
    institution  text,
    starts_on    dossier.record_date,
    ends_on      dossier.record_date,
    completed    boolean,
    constraint education_kind_code check (kind in ('education', 'course', 'internship')),
    constraint education_dates_ordered check (ends_on >= starts_on)
);
comment on column dossier.education.kind is 'Opleiding, cursus or stage (Bijlage 1 lid 2f; Bijlage 2 lid 2e).';
comment on column dossier.education.course is 'Name of the education or course (Bijlage 1 lid 2f; Bijlage 2 lid 2e).';
comment on column dossier.education.institution is 'Where (Bijlage 1 lid 2f; Bijlage 2 lid 2e).';
comment on column dossier.education.starts_on is 'Start (gevolgde en te volgen, Bijlage 2 lid 2e).';
comment on column dossier.education.ends_on is 'End (Bijlage 2 lid 2e).';
comment on column dossier.education.completed is 'Completed (Bijlage 2 lid 2e).';
call privacy.register_detail('education', 'education',
    'Education, courses and internships, past and planned (Bijlage 1 lid 2f; Bijlage 2 lid 2e)');

create table dossier.guardian (
    like dossier.detail_base including all,
    relation      text not null,
    surname       text not null,
    initials      text,
    street        text,
    house_number  text,
    postcode      dossier.postcode,
    city          text,
    phone         dossier.phone,
    email         dossier.email,
    constraint guardian_relation_code check (relation in ('parent', 'guardian', 'carer'))
);
comment on column dossier.guardian.relation is 'Ouder, voogd or verzorger of a minor (Bijlage 1 lid 2e; Bijlage 2 lid 2d; Bijlage 3 lid 2e; Bijlage 4 lid 2d).';
comment on column dossier.guardian.surname is 'Naam (lid 2a data of the guardian).';
comment on column dossier.guardian.initials is 'Voorletters (lid 2a data of the guardian).';
comment on column dossier.guardian.street is 'Adres (lid 2a data of the guardian).';
comment on column dossier.guardian.house_number is 'Huisnummer (lid 2a data of the guardian).';
comment on column dossier.guardian.postcode is 'Postcode (lid 2a data of the guardian).';
comment on column dossier.guardian.city is 'Woonplaats (lid 2a data of the guardian).';
comment on column dossier.guardian.phone is 'Telefoonnummer (lid 2a data of the guardian).';
comment on column dossier.guardian.email is 'E-mailadres (lid 2a data of the guardian).';
call privacy.register_detail('guardian', 'guardian',
    'Parents, guardians or carers of minor applicants and staff (Bijlage 1 lid 2e; Bijlage 2 lid 2d; Bijlage 3 lid 2e; Bijlage 4 lid 2d)');

create table dossier.family_member (
    like dossier.detail_base including all,
    relation     text not null,
    surname      text not null,
    first_names  text,
    birth_date   dossier.record_date,
    purpose      text not null,
    constraint family_member_relation_code check (relation in ('partner', 'former_partner', 'child', 'other')),
    constraint family_member_purpose_code check (purpose in ('child_allowance', 'partner_pension', 'benefit_amount', 'travel_allowance', 'other_term'))
);
comment on column dossier.family_member.relation is 'Gezinslid or voormalig gezinslid (Bijlage 2 lid 2i; Bijlage 3 lid 2h; Bijlage 4 lid 2e, 2g).';
comment on column dossier.family_member.surname is 'Naam of the family member (Bijlage 2 lid 2i).';
comment on column dossier.family_member.first_names is 'Voornamen of the family member (Bijlage 2 lid 2i).';
comment on column dossier.family_member.birth_date is 'Geboortedatum, where the term of employment needs it (Bijlage 2 lid 2i).';
comment on column dossier.family_member.purpose is 'The agreed term of employment or benefit that needs it, as a code (Bijlage 2 lid 2i: "noodzakelijk met het oog op een overeengekomen arbeidsvoorwaarde").';
call privacy.register_detail('family_member', 'family',
    'Family members where a term of employment or benefit needs them (Bijlage 2 lid 2i; Bijlage 3 lid 2h; Bijlage 4 lid 2e, 2g)');
