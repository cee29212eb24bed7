-- Check calls (GET /credit/check) are logged in batches: identical checks (same user, subject, action) within one
-- batch become one row with the number of calls and the time of the first.
ALTER TABLE credit_views ADD COLUMN hits INT UNSIGNED NOT NULL DEFAULT 1 AFTER detail;
