-- Domains (db/schema/V0050__domains.sql) with real edge cases; canonical forms stored.
begin;
select plan(33);

-- IBAN: ISO 13616 mod 97, spaces and lower case accepted
select ok(dossier.iban_is_valid('NL91ABNA0417164300'), 'IBAN NL91ABNA0417164300 is valid');
select ok(dossier.iban_is_valid('nl91 abna 0417 1643 00'), 'IBAN with spaces and lower case is valid');
select ok(dossier.iban_is_valid('GB82 WEST 1234 5698 7654 32'), 'a British IBAN is valid');
select ok(dossier.iban_is_valid('DE89370400440532013000'), 'a German IBAN is valid');
select ok(not dossier.iban_is_valid('NL91ABNA0417164301'), 'IBAN with a wrong digit fails mod 97');
select ok(not dossier.iban_is_valid('NL91ABNA041716430'), 'IBAN one character short fails');
select ok(not dossier.iban_is_valid('hello world'), 'text is not an IBAN');
select ok(not dossier.iban_is_valid(''), 'empty is not an IBAN');
select throws_ok($$select 'NL00ABNA0417164300'::dossier.iban$$, '23514',
                 'value for domain dossier.iban violates check constraint "iban_iso13616_mod97"',
                 'a bad IBAN is refused naming the field');
select is(dossier.canonical_iban('nl91 abna 0417 1643 00'), 'NL91ABNA0417164300', 'IBAN canonical form');

-- BSN: elfproef, leading zero kept (and restored when dropped)
select ok(dossier.bsn_is_valid('111222333'), 'BSN 111222333 passes the elfproef');
select ok(dossier.bsn_is_valid('123456782'), 'BSN 123456782 passes the elfproef');
select ok(dossier.bsn_is_valid('012345672'), 'BSN with a leading zero passes');
select ok(dossier.bsn_is_valid('12345672'), 'the same BSN with the leading zero dropped passes');
select is(dossier.canonical_bsn('12345672'), '012345672', 'the leading zero is restored');
select ok(not dossier.bsn_is_valid('123456789'), 'BSN 123456789 fails the elfproef');
select ok(not dossier.bsn_is_valid('000000000'), 'all zeros is not a BSN');
select ok(not dossier.bsn_is_valid('12345678a'), 'letters are not a BSN');
select throws_ok($$select '123456789'::dossier.bsn$$, '23514',
                 'value for domain dossier.bsn violates check constraint "bsn_elfproef"',
                 'a bad BSN is refused naming the field');

-- Postcode: with and without space, lower case; no leading zero; no SA/SD/SS
select lives_ok($$select '1234 AB'::dossier.postcode$$, 'postcode with a space');
select lives_ok($$select '1234ab'::dossier.postcode$$, 'postcode without a space, lower case');
select is(dossier.canonical_postcode('1234ab'), '1234 AB', 'postcode canonical form');
select throws_ok($$select '0123 AB'::dossier.postcode$$, '23514', null, 'postcode cannot start with 0');
select throws_ok($$select '1234 SS'::dossier.postcode$$, '23514', null, 'postcode letters SS are not issued');
select throws_ok($$select '12345'::dossier.postcode$$, '23514', null, 'five digits is no postcode');

-- E-mail, phone, dates
select lives_ok($$select 'j.de.vries@example.org'::dossier.email$$, 'e-mail address');
select throws_ok($$select 'j.de.vries@example'::dossier.email$$, '23514', null, 'e-mail without a domain');
select lives_ok($$select '+31 (0)6-12345678'::dossier.phone$$, 'phone with +, brackets and dash');
select throws_ok($$select 'bel me'::dossier.phone$$, '23514', null, 'text is not a phone number');
select throws_ok($$select '1899-12-31'::dossier.record_date$$, '23514',
                 'value for domain dossier.record_date violates check constraint "record_date_range"',
                 'dates before 1900 are typos');

-- Canonical forms are what a record stores
insert into dossier.org_unit (code, name, kind) values ('T-ORG', 'Test', 'organisation');
insert into dossier.subject (org_id) select id from dossier.org_unit where code = 'T-ORG';
insert into dossier.person_record (annex, subject_id, org_id, unit_id, legal_basis, source, surname,
                                   iban, bsn, postcode)
select 'A3', s.id, o.id, o.id, 'contract', 'test', 'Test', 'nl91 abna 0417 1643 00', '12345672', '1234ab'
  from dossier.org_unit o, dossier.subject s where o.code = 'T-ORG';
select is((select iban from dossier.person_record), 'NL91ABNA0417164300', 'IBAN stored canonical');
select is((select bsn from dossier.person_record), '012345672', 'BSN stored with its leading zero');
select is((select postcode from dossier.person_record), '1234 AB', 'postcode stored canonical');

select * from finish();
rollback;
