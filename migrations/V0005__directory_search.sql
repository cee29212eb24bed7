-- Directory search that stays fast at a million institutions (measured in bench/registry).
--
-- Region filters are equality / IN on the region and its sub-regions, so an index that starts with region_code
-- also gives the sort order: (region_code, name) and (region_code, capacity). A kind with a capacity range is
-- answered from (kind, capacity).
CREATE INDEX idx_institutions_region_name ON institutions (region_code, name);
CREATE INDEX idx_institutions_region_capacity ON institutions (region_code, capacity);
CREATE INDEX idx_institutions_kind_capacity ON institutions (kind, capacity);

-- Name substring search (q=): no B-tree helps LIKE '%…%', so every name is also kept as its character bigrams
-- (two consecutive code points, same collation as the name). A search looks up the rarest bigram of the query and
-- confirms each candidate with LIKE, so the answer is exactly what LIKE gives, at the cost of the candidates only.
-- The repository rewrites an institution's bigrams whenever its name is written.
CREATE TABLE institution_name_grams (
  gram           VARCHAR(2) NOT NULL,
  institution_id BIGINT     NOT NULL,
  PRIMARY KEY (gram, institution_id),
  KEY idx_name_grams_institution (institution_id),
  CONSTRAINT fk_name_grams_institution FOREIGN KEY (institution_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Bigrams of the institutions already registered. IGNORE folds bigrams that the collation treats as equal
-- ('Ab' and 'ab') into one row, as the repository does.
INSERT IGNORE INTO institution_name_grams (gram, institution_id)
WITH RECURSIVE pos (p) AS (SELECT 1 UNION ALL SELECT p + 1 FROM pos WHERE p < 127)
SELECT SUBSTRING(i.name, pos.p, 2), i.id FROM institutions i JOIN pos ON pos.p < CHAR_LENGTH(i.name);
