-- Foundation: reference data tables, accounts, sessions, login throttling, the audit chain and job locks.
-- Portable between MySQL 8.0+ and MariaDB 10.6+: InnoDB, utf8mb4, DATETIME(6) in UTC, no JSON type
-- (MariaDB's JSON is LONGTEXT), CHECK constraints only where both enforce them.

CREATE TABLE departments (
  code        VARCHAR(16)  NOT NULL PRIMARY KEY,
  name        VARCHAR(64)  NOT NULL,
  name_en     VARCHAR(128) NOT NULL,
  -- 民政 civil affairs supervises elderly care, 卫健 health supervises childcare; others co-supervise
  sector      VARCHAR(16)  NOT NULL DEFAULT 'general',
  sort_order  INT          NOT NULL DEFAULT 0,
  CONSTRAINT chk_departments_sector CHECK (sector IN ('elderly', 'childcare', 'general'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- GB/T 2260 administrative divisions (six digits; nine with the street level).
CREATE TABLE regions (
  code        VARCHAR(12)  NOT NULL PRIMARY KEY,
  name        VARCHAR(64)  NOT NULL,
  parent_code VARCHAR(12)  NULL,
  level       VARCHAR(16)  NOT NULL,
  CONSTRAINT fk_regions_parent FOREIGN KEY (parent_code) REFERENCES regions (code),
  CONSTRAINT chk_regions_level CHECK (level IN ('province', 'city', 'county', 'street'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The registry (登记备案) extends this table; accounts of the institution role point at a row here.
CREATE TABLE institutions (
  id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  credit_code CHAR(18)     NOT NULL,
  name        VARCHAR(128) NOT NULL,
  kind        VARCHAR(32)  NOT NULL,
  region_code VARCHAR(12)  NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(6)  NOT NULL,
  UNIQUE KEY uk_institutions_credit_code (credit_code),
  CONSTRAINT fk_institutions_region FOREIGN KEY (region_code) REFERENCES regions (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id                  BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username            VARCHAR(32)  NOT NULL,
  display_name        VARCHAR(64)  NOT NULL,
  role                VARCHAR(16)  NOT NULL,
  department_code     VARCHAR(16)  NULL,
  region_code         VARCHAR(12)  NULL,
  certificate_no      VARCHAR(32)  NULL,
  institution_id      BIGINT       NULL,
  password_hash       VARCHAR(255) NOT NULL,
  status              VARCHAR(16)  NOT NULL DEFAULT 'active',
  password_changed_at DATETIME(6)  NOT NULL,
  last_login_at       DATETIME(6)  NULL,
  created_at          DATETIME(6)  NOT NULL,
  updated_at          DATETIME(6)  NOT NULL,
  UNIQUE KEY uk_users_username (username),
  KEY idx_users_role (role),
  CONSTRAINT fk_users_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT fk_users_region FOREIGN KEY (region_code) REFERENCES regions (code),
  CONSTRAINT fk_users_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT chk_users_role CHECK (role IN ('admin', 'officer', 'inspector', 'institution', 'bureau')),
  CONSTRAINT chk_users_status CHECK (status IN ('active', 'disabled'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed sign-ins are counted per submitted username, whether or not it exists, so the lockout answer cannot
-- be used to find out which usernames exist.
CREATE TABLE login_throttle (
  username        VARCHAR(64) NOT NULL PRIMARY KEY,
  failures        INT         NOT NULL,
  last_failure_at DATETIME(6) NOT NULL,
  locked_until    DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Only the SHA-256 of a session token is stored; the token itself exists only in the client.
CREATE TABLE sessions (
  id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  token_hash   CHAR(64)     NOT NULL,
  user_id      BIGINT       NOT NULL,
  csrf_token   VARCHAR(64)  NOT NULL,
  created_at   DATETIME(6)  NOT NULL,
  last_seen_at DATETIME(6)  NOT NULL,
  expires_at   DATETIME(6)  NOT NULL,
  revoked_at   DATETIME(6)  NULL,
  client_ip    VARCHAR(45)  NOT NULL,
  user_agent   VARCHAR(255) NOT NULL,
  UNIQUE KEY uk_sessions_token_hash (token_hash),
  KEY idx_sessions_user (user_id),
  KEY idx_sessions_expires (expires_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The audit chain: hash = SHA-256(canonical record || prev_hash). seq is assigned under the lock of the single
-- audit_head row, in the same transaction as the change it records, so concurrent writers cannot fork it.
CREATE TABLE audit_log (
  seq         BIGINT       NOT NULL PRIMARY KEY,
  occurred_at DATETIME(6)  NOT NULL,
  actor_id    BIGINT       NULL,
  actor_name  VARCHAR(64)  NOT NULL,
  actor_role  VARCHAR(16)  NOT NULL,
  action      VARCHAR(64)  NOT NULL,
  object_type VARCHAR(32)  NOT NULL,
  object_id   VARCHAR(64)  NOT NULL,
  summary     MEDIUMTEXT   NOT NULL,
  client_ip   VARCHAR(45)  NOT NULL,
  request_id  VARCHAR(64)  NOT NULL,
  prev_hash   CHAR(64)     NOT NULL,
  hash        CHAR(64)     NOT NULL,
  KEY idx_audit_occurred (occurred_at),
  KEY idx_audit_actor (actor_name, seq),
  KEY idx_audit_action (action, seq),
  KEY idx_audit_object (object_type, object_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_head (
  id        TINYINT  NOT NULL PRIMARY KEY,
  last_seq  BIGINT   NOT NULL,
  last_hash CHAR(64) NOT NULL,
  CONSTRAINT chk_audit_head_single CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Scheduled jobs: one row per job; a process runs a job only while it holds the database lock named after it.
CREATE TABLE job_runs (
  name             VARCHAR(64)  NOT NULL PRIMARY KEY,
  last_started_at  DATETIME(6)  NULL,
  last_finished_at DATETIME(6)  NULL,
  last_status      VARCHAR(16)  NULL,
  last_detail      VARCHAR(255) NULL,
  last_owner       VARCHAR(128) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
