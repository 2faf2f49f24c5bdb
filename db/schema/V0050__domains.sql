-- Domains for the identifying numbers and contact data the annexes allow (design: "Domains
-- validate what they can"). Each accepts the usual human spellings (spaces, lower case); the
-- BEFORE triggers of the tables store the canonical form (dossier.canonical_* below).
--
-- The check functions live here rather than in db/functions/ because the domains depend on them
-- at creation time; they are immutable and pure.

create function dossier.iban_is_valid(value text) returns boolean
    language sql immutable strict parallel safe security invoker
    set search_path = pg_catalog, pg_temp
as $$
    -- ISO 13616: move the first four characters to the end, letters become 10..35, mod 97 = 1.
    with c as (select upper(regexp_replace(value, '\s', '', 'g')) as v)
    select case when c.v ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$' then (
               select string_agg(case when ch ~ '[0-9]' then ch else (ascii(ch) - 55)::text end,
                                 '' order by n)::numeric % 97 = 1
                 from regexp_split_to_table(substr(c.v, 5) || substr(c.v, 1, 4), '')
                      with ordinality as t(ch, n))
           else false end
      from c
$$;
comment on function dossier.iban_is_valid(text) is
    'IBAN check (ISO 13616, mod 97 = 1); spaces and lower case allowed.';

create function dossier.canonical_iban(value text) returns text
    language sql immutable strict parallel safe security invoker
    set search_path = pg_catalog, pg_temp
as $$ select upper(regexp_replace(value, '\s', '', 'g')) $$;

create function dossier.bsn_is_valid(value text) returns boolean
    language sql immutable strict parallel safe security invoker
    set search_path = pg_catalog, pg_temp
as $$
    -- Burgerservicenummer: 9 digits (8 when a leading zero was dropped), elfproef:
    -- 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11 and not 0.
    with c as (select lpad(regexp_replace(value, '[\s.]', '', 'g'), 9, '0') as v)
    select c.v ~ '^[0-9]{9}$'
       and (select sum(substr(c.v, i, 1)::int * case when i = 9 then -1 else 10 - i end)
              from generate_series(1, 9) i) % 11 = 0
       and c.v <> '000000000'
      from c
$$;
comment on function dossier.bsn_is_valid(text) is
    'Burgerservicenummer check: 9 digits (or 8 with the leading zero dropped), elfproef.';

create function dossier.canonical_bsn(value text) returns text
    language sql immutable strict parallel safe security invoker
    set search_path = pg_catalog, pg_temp
as $$ select lpad(regexp_replace(value, '[\s.]', '', 'g'), 9, '0') $$;

create function dossier.canonical_postcode(value text) returns text
    language sql immutable strict parallel safe security invoker
    set search_path = pg_catalog, pg_temp
as $$
    select substr(v, 1, 4) || ' ' || substr(v, 5, 2)
      from (select upper(regexp_replace(value, '\s', '', 'g')) as v) c
$$;

create domain dossier.iban as text
    constraint iban_iso13616_mod97 check (dossier.iban_is_valid(value));
comment on domain dossier.iban is 'Rekeningnummer (IBAN), ISO 13616 mod 97; stored without spaces.';

create domain dossier.bsn as text
    constraint bsn_elfproef check (dossier.bsn_is_valid(value));
comment on domain dossier.bsn is 'Burgerservicenummer, elfproef; stored as 9 digits.';

-- Dutch postcode: four digits, the first not 0, then two letters (not SA, SD or SS).
create domain dossier.postcode as text
    constraint postcode_dutch check (
        upper(regexp_replace(value, '\s', '', 'g')) ~ '^[1-9][0-9]{3}[A-Z]{2}$'
        and upper(regexp_replace(value, '\s', '', 'g')) !~ 'S[ADS]$');
comment on domain dossier.postcode is 'Dutch postcode, stored as "1234 AB".';

create domain dossier.email as text
    constraint email_address check (value ~ '^[^@\s<>(),;:"]+@[^@\s<>(),;:"]+\.[A-Za-z]{2,}$'
                                    and length(value) <= 254);
comment on domain dossier.email is 'E-mail address (a pragmatic subset of RFC 5322).';

create domain dossier.phone as text
    constraint phone_number check (value ~ '^\+?[0-9][0-9 ()-]{5,19}$');
comment on domain dossier.phone is 'Telephone number: digits, spaces, dashes, brackets, optional +.';

-- Dates a personnel record can hold: nothing before 1900 or past 2100 (typos like 0202-01-01).
create domain dossier.record_date as date
    constraint record_date_range check (value between date '1900-01-01' and date '2100-12-31');
comment on domain dossier.record_date is 'A date between 1900-01-01 and 2100-12-31.';
