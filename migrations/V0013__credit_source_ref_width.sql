-- A record's source reference is "<department>:<document_no>" (16 + 1 + 64 characters) or "court:<document_no>"
-- (6 + 64); VARCHAR(64) refused the longest document numbers with "data too long" (a 500 found by sqlmap).
ALTER TABLE credit_records MODIFY source_ref VARCHAR(96) NOT NULL;
ALTER TABLE credit_list_entries MODIFY source_ref VARCHAR(96) NULL;
