-- What would fix the slow directory queries: tried by hand on a kept benchmark schema
--   CW_BENCH_KEEP=1 scripts/bench registry
--   scripts/db client cw_test_bench_registry < bench/registry/index_experiments.sql   (adds indexes: throwaway only)
-- Timings measured 2026-11-22 on 1,100,010 institutions (the seeded million plus one import benchmark's 100,000),
-- InnoDB buffer pool 256 MiB (as scripts/db configures it), each
-- a single statement run alone; the page statements select the repository's full column list, shortened here to
-- i.* for reading. None of this is in the registry module yet; see bench/README.md for the recommendations.

-- 1. District page by name. Today: LIKE '360424%' makes a range, the optimiser walks idx_institutions_name and
--    reads rows until 20 match (names start with the district, so 269,491 rows for 修水县): 20.5 s.
--    Equality alone does not help (same plan, 19.6 s). Equality plus (region_code, name): 0.1 s.
CREATE INDEX bench_region_name ON institutions (region_code, name);
SELECT i.* FROM institutions i WHERE i.region_code = '360424' ORDER BY i.name, i.id LIMIT 20 OFFSET 0;
--    With LIKE '360424%' and this index the optimiser still picks idx_institutions_name: 20.6 s.
--    A deep page (OFFSET 19980) with equality, through a deferred join (below): 0.1 s.

-- 2. Name substring (q=). No B-tree helps '%word%'. Today the page statement reads a row per name-index entry
--    until 20 match: a word in no name reads all 1,000,010 rows, 64 s (503 after 30 s through the API).
--    Deferred join: find the 20 ids from the covering name index (name + primary key), then read 20 rows.
SELECT i.* FROM institutions i
  JOIN (SELECT id FROM institutions WHERE name LIKE '%麒麟阁%' ORDER BY name, id LIMIT 20 OFFSET 0) k ON k.id = i.id
 ORDER BY i.name, i.id;
--    0.68 s (no match), 0.15 s for 鹤鸣 (53 matches). Still a scan of 1M index entries per search: an n-gram
--    (bigram) side table is what makes it independent of the table size.

-- 3. kind + capacity range. Today COUNT(*) reads the whole table (type ALL): 2.5 s. With (kind, capacity): 0.1 s.
CREATE INDEX bench_kind_capacity ON institutions (kind, capacity);
SELECT COUNT(*) FROM institutions i WHERE i.kind = 'elderly_institution' AND i.capacity >= '40' AND i.capacity <= '50';

-- 4. District by capacity, deep page (OFFSET 19980): today 8.7 s; equality + (region_code, capacity) + deferred
--    join: 0.1 s.
CREATE INDEX bench_region_capacity ON institutions (region_code, capacity);
SELECT i.* FROM institutions i
  JOIN (SELECT id FROM institutions WHERE region_code = '360402' ORDER BY capacity, id LIMIT 20 OFFSET 19980) k
    ON k.id = i.id
 ORDER BY i.capacity, i.id;

-- 5. The total. Every request counts every match; for the whole city that is 0.5 s of each page. Counting up to a
--    cap (and showing "10,000+") costs 0.1 s.
SELECT COUNT(*) FROM (SELECT 1 FROM institutions i WHERE i.region_code LIKE '3604%' LIMIT 10001) capped;

DROP INDEX bench_region_name ON institutions;
DROP INDEX bench_kind_capacity ON institutions;
DROP INDEX bench_region_capacity ON institutions;
