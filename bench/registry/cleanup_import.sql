-- Removes what an earlier import benchmark added to a kept schema (credit codes with "MU" at positions 9-10, see
-- make_import_xlsx.cpp), so every run imports into a schema holding the seeded institutions only.
DELETE r FROM institution_relations r JOIN institutions i ON i.id = r.institution_id
 WHERE SUBSTRING(i.credit_code, 9, 2) = 'MU';
DELETE l FROM licences l JOIN institutions i ON i.id = l.institution_id WHERE SUBSTRING(i.credit_code, 9, 2) = 'MU';
DELETE v FROM institution_versions v JOIN institutions i ON i.id = v.institution_id
 WHERE SUBSTRING(i.credit_code, 9, 2) = 'MU';
DELETE g FROM institution_name_grams g JOIN institutions i ON i.id = g.institution_id
 WHERE SUBSTRING(i.credit_code, 9, 2) = 'MU';
DELETE FROM institutions WHERE SUBSTRING(credit_code, 9, 2) = 'MU';
