-- Safety hazards and rectification (风险隐患与整改): the catalogue, hazards with their history and evidence,
-- public complaints, and the domain event outbox the credit module consumes.

-- The hazard catalogue. config/hazard-catalogue.json is the source; the server loads it into this table at
-- start (insert or update by code; an entry missing from the file is marked inactive, never deleted, because
-- hazards refer to it).
CREATE TABLE hazard_catalogue (
  code               VARCHAR(8)    NOT NULL PRIMARY KEY,
  category           VARCHAR(32)   NOT NULL,
  name               VARCHAR(64)   NOT NULL,
  name_en            VARCHAR(128)  NOT NULL,
  applies_to         VARCHAR(16)   NOT NULL,
  severity           VARCHAR(8)    NOT NULL,
  rectification_days INT           NOT NULL,
  fire_safety        TINYINT(1)    NOT NULL DEFAULT 0,
  legal_basis        VARCHAR(255)  NOT NULL,
  description        VARCHAR(255)  NOT NULL,
  catalogue_version  VARCHAR(16)   NOT NULL,
  active             TINYINT(1)    NOT NULL DEFAULT 1,
  KEY idx_catalogue_category (category),
  CONSTRAINT chk_catalogue_severity CHECK (severity IN ('general', 'major')),
  CONSTRAINT chk_catalogue_applies CHECK (applies_to IN ('elderly', 'childcare', 'both'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Public complaints (投诉举报) from the portal. The complainant's contact is encrypted (field cipher) and never
-- shown publicly; the client address is kept only as a keyed hash, for the per-address rate limit.
CREATE TABLE complaints (
  id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tracking_code   CHAR(16)      NOT NULL,
  institution_id  BIGINT        NOT NULL,
  category        VARCHAR(32)   NOT NULL,
  description     VARCHAR(2000) NOT NULL,
  contact_cipher  VARCHAR(512)  NULL,
  client_key      CHAR(64)      NOT NULL,
  state           VARCHAR(16)   NOT NULL DEFAULT 'received',
  hazard_id       BIGINT        NULL,
  reply           VARCHAR(512)  NULL,
  handled_by      BIGINT        NULL,
  created_at      DATETIME(6)   NOT NULL,
  handled_at      DATETIME(6)   NULL,
  UNIQUE KEY uk_complaints_tracking (tracking_code),
  KEY idx_complaints_client (client_key, created_at),
  KEY idx_complaints_state (state, created_at),
  CONSTRAINT fk_complaints_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_complaints_user FOREIGN KEY (handled_by) REFERENCES users (id),
  CONSTRAINT chk_complaints_state CHECK (state IN ('received', 'accepted', 'dismissed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The catalogue entry an inspector chose when ordering correction (optional; the hazard gets the generic
-- "other" entry without it).
ALTER TABLE inspection_followups ADD COLUMN hazard_code VARCHAR(8) NULL;

CREATE TABLE hazards (
  id                   BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- Public reference (YH + 10 random characters): ids are not guessable from one another.
  reference            CHAR(12)      NOT NULL,
  institution_id       BIGINT        NOT NULL,
  region_code          VARCHAR(12)   NOT NULL,
  department_code      VARCHAR(16)   NOT NULL,
  catalogue_code       VARCHAR(8)    NOT NULL,
  category             VARCHAR(32)   NOT NULL,
  severity             VARCHAR(8)    NOT NULL,
  fire_safety          TINYINT(1)    NOT NULL DEFAULT 0,
  title                VARCHAR(128)  NOT NULL,
  description          VARCHAR(2000) NOT NULL,
  location             VARCHAR(255)  NOT NULL DEFAULT '',
  source               VARCHAR(16)   NOT NULL,
  followup_id          BIGINT        NULL,
  complaint_id         BIGINT        NULL,
  state                VARCHAR(16)   NOT NULL,
  reported_by          BIGINT        NOT NULL,
  reported_at          DATETIME(6)   NOT NULL,
  -- Deadlines are Asia/Shanghai calendar days: rectify by the end of that day.
  deadline             DATE          NOT NULL,
  original_deadline    DATE          NOT NULL,
  deadline_reason      VARCHAR(512)  NULL,
  extension_state      VARCHAR(16)   NOT NULL DEFAULT 'none',
  extension_days       INT           NULL,
  extension_reason     VARCHAR(512)  NULL,
  extension_note       VARCHAR(512)  NULL,
  round                INT           NOT NULL DEFAULT 1,
  acknowledged_at      DATETIME(6)   NULL,
  submitted_at         DATETIME(6)   NULL,
  verified_at          DATETIME(6)   NULL,
  verified_by          BIGINT        NULL,
  closed_on_time       TINYINT(1)    NULL,
  escalated_at         DATETIME(6)   NULL,
  escalated_deadline   DATE          NULL,
  reopen_count         INT           NOT NULL DEFAULT 0,
  last_rejection       VARCHAR(1000) NULL,
  evidence_count       INT           NOT NULL DEFAULT 0,
  evidence_bytes       BIGINT        NOT NULL DEFAULT 0,
  updated_at           DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_hazards_reference (reference),
  UNIQUE KEY uk_hazards_followup (followup_id),
  UNIQUE KEY uk_hazards_complaint (complaint_id),
  KEY idx_hazards_department (department_code, id),
  KEY idx_hazards_department_state (department_code, state, id),
  KEY idx_hazards_institution (institution_id, state),
  KEY idx_hazards_region (region_code, state),
  KEY idx_hazards_open_deadline (state, deadline),
  KEY idx_hazards_verified (verified_at),
  CONSTRAINT fk_hazards_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_hazards_catalogue FOREIGN KEY (catalogue_code) REFERENCES hazard_catalogue (code),
  CONSTRAINT fk_hazards_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT fk_hazards_followup FOREIGN KEY (followup_id) REFERENCES inspection_followups (id),
  CONSTRAINT fk_hazards_complaint FOREIGN KEY (complaint_id) REFERENCES complaints (id),
  CONSTRAINT fk_hazards_reporter FOREIGN KEY (reported_by) REFERENCES users (id),
  CONSTRAINT fk_hazards_verifier FOREIGN KEY (verified_by) REFERENCES users (id),
  CONSTRAINT chk_hazards_severity CHECK (severity IN ('general', 'major')),
  CONSTRAINT chk_hazards_source CHECK (source IN ('inspection', 'self_check', 'complaint')),
  CONSTRAINT chk_hazards_state CHECK (state IN ('reported', 'notified', 'rectifying', 'submitted', 'verified')),
  CONSTRAINT chk_hazards_extension CHECK (extension_state IN ('none', 'requested', 'granted', 'refused'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE complaints ADD CONSTRAINT fk_complaints_hazard FOREIGN KEY (hazard_id) REFERENCES hazards (id);

-- Every step of a hazard, in order: the history shown beside it (the audit log holds the same facts, chained).
CREATE TABLE hazard_events (
  id          BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hazard_id   BIGINT        NOT NULL,
  at          DATETIME(6)   NOT NULL,
  actor_id    BIGINT        NULL,
  actor_name  VARCHAR(64)   NOT NULL,
  action      VARCHAR(24)   NOT NULL,
  from_state  VARCHAR(16)   NULL,
  to_state    VARCHAR(16)   NULL,
  note        VARCHAR(2000) NOT NULL DEFAULT '',
  KEY idx_hazard_events_hazard (hazard_id, id),
  CONSTRAINT fk_hazard_events_hazard FOREIGN KEY (hazard_id) REFERENCES hazards (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Rectification evidence: files in the content-addressed store, one row per hazard and content.
CREATE TABLE hazard_evidence (
  id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hazard_id      BIGINT        NOT NULL,
  round          INT           NOT NULL,
  sha256         CHAR(64)      NOT NULL,
  size_bytes     BIGINT        NOT NULL,
  media_type     VARCHAR(32)   NOT NULL,
  original_name  VARCHAR(255)  NOT NULL,
  uploaded_by    BIGINT        NOT NULL,
  uploaded_at    DATETIME(6)   NOT NULL,
  -- From the photo's EXIF, when present: capture time as the camera recorded it (local, no zone) and position.
  taken_at       VARCHAR(19)   NULL,
  gps_lat        DECIMAL(9, 6) NULL,
  gps_lon        DECIMAL(9, 6) NULL,
  UNIQUE KEY uk_hazard_evidence (hazard_id, round, sha256),
  KEY idx_hazard_evidence_sha (sha256),
  CONSTRAINT fk_hazard_evidence_hazard FOREIGN KEY (hazard_id) REFERENCES hazards (id),
  CONSTRAINT fk_hazard_evidence_user FOREIGN KEY (uploaded_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The outbox: facts other modules act on (credit consumes hazard.overdue, hazard.verified ...). A row is written
-- in the same transaction as the change it reports; dedup_key makes every producer idempotent, so a job that
-- runs twice never doubles an event. Consumers remember the last id they processed.
CREATE TABLE domain_events (
  id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  topic          VARCHAR(64)   NOT NULL,
  aggregate_type VARCHAR(32)   NOT NULL,
  aggregate_id   BIGINT        NOT NULL,
  institution_id BIGINT        NULL,
  dedup_key      VARCHAR(128)  NOT NULL,
  payload        TEXT          NOT NULL,
  created_at     DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_domain_events_dedup (dedup_key),
  KEY idx_domain_events_topic (topic, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
