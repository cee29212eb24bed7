-- Institution registry and filing (登记备案).
-- The editable record lives in `institutions` (one row per institution, the current accepted version);
-- every accepted change is also kept whole in `institution_versions` as a JSON snapshot, so history and
-- field-level diffs never depend on later schema changes. The legal representative's resident ID number is
-- stored only encrypted (AES-256-GCM, key outside the database), with an HMAC blind index for exact lookup.

ALTER TABLE institutions ADD COLUMN sector VARCHAR(16) NOT NULL DEFAULT 'elderly';
-- Record fields are NULL until filed (an unfiled registration has only code, name, kind and region).
ALTER TABLE institutions ADD COLUMN ownership VARCHAR(32) NULL;
ALTER TABLE institutions ADD COLUMN registering_authority VARCHAR(64) NULL;
ALTER TABLE institutions ADD COLUMN address VARCHAR(255) NULL;
ALTER TABLE institutions ADD COLUMN longitude DECIMAL(9,6) NULL;
ALTER TABLE institutions ADD COLUMN latitude DECIMAL(8,6) NULL;
ALTER TABLE institutions ADD COLUMN contact_name VARCHAR(64) NULL;
ALTER TABLE institutions ADD COLUMN contact_phone VARCHAR(32) NULL;
ALTER TABLE institutions ADD COLUMN legal_rep_name VARCHAR(64) NULL;
ALTER TABLE institutions ADD COLUMN legal_rep_id_cipher VARCHAR(255) NULL;
ALTER TABLE institutions ADD COLUMN legal_rep_id_index CHAR(64) NULL;
ALTER TABLE institutions ADD COLUMN legal_rep_id_masked VARCHAR(32) NULL;
-- beds (elderly care) or places / 托位 (childcare), by sector
ALTER TABLE institutions ADD COLUMN capacity INT NULL;
ALTER TABLE institutions ADD COLUMN nursing_beds INT NULL;
ALTER TABLE institutions ADD COLUMN inclusive TINYINT NULL;
ALTER TABLE institutions ADD COLUMN inclusive_price DECIMAL(10,2) NULL;
ALTER TABLE institutions ADD COLUMN medical_integration VARCHAR(16) NULL;
ALTER TABLE institutions ADD COLUMN medical_partner VARCHAR(128) NULL;
ALTER TABLE institutions ADD COLUMN fire_acceptance_no VARCHAR(64) NULL;
ALTER TABLE institutions ADD COLUMN food_licence_no VARCHAR(64) NULL;
-- unfiled: known to the registry, no accepted filing yet; filed: current; cancelled: 注销, history kept
ALTER TABLE institutions ADD COLUMN filing_state VARCHAR(16) NOT NULL DEFAULT 'unfiled';
ALTER TABLE institutions ADD COLUMN filing_no VARCHAR(32) NULL;
ALTER TABLE institutions ADD COLUMN version INT NOT NULL DEFAULT 0;
ALTER TABLE institutions ADD CONSTRAINT chk_institutions_sector CHECK (sector IN ('elderly', 'childcare'));
ALTER TABLE institutions ADD CONSTRAINT chk_institutions_filing_state
  CHECK (filing_state IN ('unfiled', 'filed', 'cancelled'));
CREATE INDEX idx_institutions_region ON institutions (region_code, kind);
CREATE INDEX idx_institutions_kind ON institutions (kind, region_code);
CREATE INDEX idx_institutions_state ON institutions (filing_state, region_code);
CREATE INDEX idx_institutions_capacity ON institutions (capacity);
CREATE INDEX idx_institutions_name ON institutions (name);
CREATE INDEX idx_institutions_legal_rep ON institutions (legal_rep_id_index);

CREATE TABLE institution_versions (
  institution_id BIGINT      NOT NULL,
  version        INT         NOT NULL,
  snapshot       MEDIUMTEXT  NOT NULL,
  source         VARCHAR(16) NOT NULL,
  filing_id      BIGINT      NULL,
  created_by     BIGINT      NULL,
  created_at     DATETIME(6) NOT NULL,
  PRIMARY KEY (institution_id, version),
  CONSTRAINT fk_versions_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT chk_versions_source CHECK (source IN ('filing', 'direct', 'import', 'seed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Licences with numbers and expiry dates (fire-safety acceptance, food business, medical practice, other).
CREATE TABLE licences (
  id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  institution_id BIGINT       NOT NULL,
  kind           VARCHAR(32)  NOT NULL,
  number         VARCHAR(64)  NOT NULL,
  issuer         VARCHAR(128) NULL,
  expires_on     DATE         NULL,
  KEY idx_licences_institution (institution_id),
  KEY idx_licences_expiry (expires_on),
  CONSTRAINT fk_licences_institution FOREIGN KEY (institution_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Related parties as typed relations with dates: they feed inspector recusal and the credit graph.
CREATE TABLE institution_relations (
  id                     BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  institution_id         BIGINT       NOT NULL,
  relation               VARCHAR(32)  NOT NULL,
  party_name             VARCHAR(128) NOT NULL,
  party_credit_code      CHAR(18)     NULL,
  party_id_index         CHAR(64)     NULL,
  related_institution_id BIGINT       NULL,
  valid_from             DATE         NOT NULL,
  valid_to               DATE         NULL,
  KEY idx_relations_institution (institution_id),
  KEY idx_relations_credit_code (party_credit_code),
  KEY idx_relations_person (party_id_index),
  CONSTRAINT fk_relations_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_relations_related FOREIGN KEY (related_institution_id) REFERENCES institutions (id),
  CONSTRAINT chk_relations_kind CHECK (relation IN ('legal_representative', 'operator', 'parent', 'branch'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A filing (备案): new, change or cancellation, reviewed by the competent department.
CREATE TABLE filings (
  id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  institution_id  BIGINT       NULL,
  credit_code     CHAR(18)     NOT NULL,
  kind            VARCHAR(16)  NOT NULL,
  state           VARCHAR(16)  NOT NULL,
  payload         MEDIUMTEXT   NOT NULL,
  department_code VARCHAR(16)  NOT NULL,
  submitted_by    BIGINT       NOT NULL,
  submitted_at    DATETIME(6)  NOT NULL,
  due_on          DATE         NOT NULL,
  submissions     INT          NOT NULL DEFAULT 1,
  reviewed_by     BIGINT       NULL,
  reviewed_at     DATETIME(6)  NULL,
  return_reasons  MEDIUMTEXT   NULL,
  filing_no       VARCHAR(32)  NULL,
  KEY idx_filings_queue (department_code, state, due_on),
  KEY idx_filings_institution (institution_id, submitted_at),
  KEY idx_filings_submitter (submitted_by, submitted_at),
  CONSTRAINT fk_filings_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_filings_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT chk_filings_kind CHECK (kind IN ('new', 'change', 'cancel')),
  CONSTRAINT chk_filings_state CHECK (state IN ('submitted', 'returned', 'accepted', 'withdrawn'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Filing numbers: one counter per department and year, e.g. MZ-2026-000123.
CREATE TABLE filing_counters (
  department_code VARCHAR(16) NOT NULL,
  year            INT         NOT NULL,
  last_number     INT         NOT NULL,
  PRIMARY KEY (department_code, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Rows created before this migration used Chinese kind names; the registry keys kinds by code.
UPDATE institutions SET kind = 'elderly_institution', sector = 'elderly' WHERE kind = '养老机构';
UPDATE institutions SET kind = 'childcare_institution', sector = 'childcare' WHERE kind = '托育机构';
