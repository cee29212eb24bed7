-- Long-running work (bulk imports) reports progress here, so any carewatch process can answer
-- GET /api/v1/jobs/{id} and a job survives the request that started it. Ids are random, not sequential.
CREATE TABLE jobs (
  id          CHAR(24)     NOT NULL PRIMARY KEY,
  kind        VARCHAR(32)  NOT NULL,
  state       VARCHAR(16)  NOT NULL,
  total       INT          NOT NULL DEFAULT 0,
  done        INT          NOT NULL DEFAULT 0,
  created_by  BIGINT       NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(6)  NOT NULL,
  finished_at DATETIME(6)  NULL,
  result      MEDIUMTEXT   NULL,
  KEY idx_jobs_creator (created_by, created_at),
  CONSTRAINT fk_jobs_creator FOREIGN KEY (created_by) REFERENCES users (id),
  CONSTRAINT chk_jobs_state CHECK (state IN ('queued', 'running', 'done', 'failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
