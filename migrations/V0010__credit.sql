-- Credit (信用) and joint reward / punishment (联合奖惩).
-- Records come from the other modules' outbox (domain_events, consumer "credit") and from departments; scores are
-- computed by a versioned scorecard; lists (blacklist / watch list / red list) follow their procedures; memoranda
-- bind lists to measures of implementing departments, whose feedback tasks close the loop 发起 -> 响应 -> 反馈.
-- The in-memory graph of every carewatch process follows credit_changes (a change log written in the same
-- transaction as the change).

-- Anything that can have a credit record: institutions of the registry, operator companies, court-listed
-- entities. Row lock target for every credit change of one entity.
CREATE TABLE credit_entities (
  code           VARCHAR(18)  NOT NULL PRIMARY KEY,
  institution_id BIGINT       NULL,
  name           VARCHAR(128) NOT NULL,
  kind           VARCHAR(16)  NOT NULL,
  region_code    VARCHAR(12)  NULL,
  created_at     DATETIME(6)  NOT NULL,
  UNIQUE KEY uk_credit_entities_institution (institution_id),
  KEY idx_credit_entities_name (name),
  CONSTRAINT fk_credit_entities_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT chk_credit_entities_kind CHECK (kind IN ('institution', 'company'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A credit record with its publication window (信用修复管理办法): minor <= 3 months, general 3..12 months, serious
-- 12..36 months; min_until is the earliest day publication may end on repair, publish_until the automatic end.
CREATE TABLE credit_records (
  id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entity_code     VARCHAR(18)   NOT NULL,
  department_code VARCHAR(16)   NOT NULL,
  kind            VARCHAR(32)   NOT NULL,
  polarity        VARCHAR(8)    NOT NULL,
  severity        VARCHAR(8)    NOT NULL,
  severe_penalty  TINYINT       NOT NULL DEFAULT 0,
  title           VARCHAR(128)  NOT NULL,
  legal_basis     VARCHAR(255)  NOT NULL,
  document_no     VARCHAR(64)   NULL,
  facts           TEXT          NOT NULL,
  decided_on      DATE          NOT NULL,
  min_until       DATE          NOT NULL,
  publish_until   DATE          NOT NULL,
  state           VARCHAR(16)   NOT NULL DEFAULT 'active',
  ended_on        DATE          NULL,
  end_reason      VARCHAR(16)   NULL,
  source          VARCHAR(16)   NOT NULL,
  source_ref      VARCHAR(64)   NOT NULL,
  created_by      BIGINT        NULL,
  created_at      DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_credit_records_source (source, source_ref),
  KEY idx_credit_records_entity (entity_code, state, decided_on),
  KEY idx_credit_records_window (state, publish_until),
  KEY idx_credit_records_department (department_code, decided_on),
  CONSTRAINT fk_credit_records_entity FOREIGN KEY (entity_code) REFERENCES credit_entities (code),
  CONSTRAINT fk_credit_records_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT chk_credit_records_polarity CHECK (polarity IN ('negative', 'positive')),
  CONSTRAINT chk_credit_records_severity CHECK (severity IN ('minor', 'general', 'serious')),
  CONSTRAINT chk_credit_records_state CHECK (state IN ('active', 'expired', 'repaired', 'revoked')),
  CONSTRAINT chk_credit_records_source CHECK (source IN ('event', 'department', 'import'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Scorecard versions (config/credit-scorecard.json), kept whole; a version once used never changes.
CREATE TABLE credit_scorecards (
  id         VARCHAR(32)  NOT NULL,
  version    VARCHAR(16)  NOT NULL,
  body       MEDIUMTEXT   NOT NULL,
  sha256     CHAR(64)     NOT NULL,
  active     TINYINT      NOT NULL DEFAULT 0,
  loaded_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The current score and grade of each entity (recomputed when a record arrives, ends or decays).
CREATE TABLE credit_scores (
  entity_code       VARCHAR(18)  NOT NULL PRIMARY KEY,
  institution_id    BIGINT       NULL,
  score             INT          NOT NULL,
  grade             VARCHAR(8)   NOT NULL,
  draw_tier         CHAR(1)      NOT NULL,
  scorecard_id      VARCHAR(32)  NOT NULL,
  scorecard_version VARCHAR(16)  NOT NULL,
  computed_on       DATE         NOT NULL,
  computed_at       DATETIME(6)  NOT NULL,
  KEY idx_credit_scores_institution (institution_id),
  KEY idx_credit_scores_grade (grade),
  CONSTRAINT fk_credit_scores_entity FOREIGN KEY (entity_code) REFERENCES credit_entities (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE credit_grade_history (
  id                BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entity_code       VARCHAR(18)  NOT NULL,
  grade             VARCHAR(8)   NOT NULL,
  previous_grade    VARCHAR(8)   NULL,
  score             INT          NOT NULL,
  reason            VARCHAR(255) NOT NULL,
  scorecard_version VARCHAR(16)  NOT NULL,
  changed_at        DATETIME(6)  NOT NULL,
  KEY idx_credit_grade_history_entity (entity_code, id),
  CONSTRAINT fk_credit_grade_history_entity FOREIGN KEY (entity_code) REFERENCES credit_entities (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- List entries: 失信联合惩戒对象名单 (blacklist, nine grounds of 民发〔2019〕103号), 重点关注名单 (watchlist),
-- 守信激励名单 (redlist). Blacklist: proposed (notice served, objection window) -> listed | dismissed ->
-- removed | expired. One open entry per entity and list (open_key is NULL once closed).
CREATE TABLE credit_list_entries (
  id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  list_kind        VARCHAR(16)   NOT NULL,
  department_code  VARCHAR(16)   NOT NULL,
  entity_code      VARCHAR(18)   NOT NULL,
  ground           VARCHAR(32)   NOT NULL,
  basis            VARCHAR(255)  NOT NULL,
  facts            TEXT          NOT NULL,
  record_id        BIGINT        NULL,
  state            VARCHAR(16)   NOT NULL,
  open_key         VARCHAR(64)   NULL,
  notice_no        VARCHAR(32)   NULL,
  noticed_at       DATETIME(6)   NULL,
  objection_until  DATE          NULL,
  objection        TEXT          NULL,
  objection_at     DATETIME(6)   NULL,
  objection_by     BIGINT        NULL,
  decision         VARCHAR(16)   NULL,
  decision_reason  TEXT          NULL,
  decided_by       BIGINT        NULL,
  decided_at       DATETIME(6)   NULL,
  listed_on        DATE          NULL,
  removable_from   DATE          NULL,
  ends_on          DATE          NULL,
  removed_at       DATETIME(6)   NULL,
  removal_reason   VARCHAR(32)   NULL,
  removal_note     TEXT          NULL,
  removed_by       BIGINT        NULL,
  proposed_by      BIGINT        NULL,
  source           VARCHAR(16)   NOT NULL,
  source_ref       VARCHAR(64)   NULL,
  created_at       DATETIME(6)   NOT NULL,
  updated_at       DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_credit_entries_open (open_key),
  UNIQUE KEY uk_credit_entries_source (source, source_ref),
  KEY idx_credit_entries_entity (entity_code, state),
  KEY idx_credit_entries_list (list_kind, state, department_code, listed_on),
  KEY idx_credit_entries_ends (state, ends_on),
  CONSTRAINT fk_credit_entries_entity FOREIGN KEY (entity_code) REFERENCES credit_entities (code),
  CONSTRAINT fk_credit_entries_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT fk_credit_entries_record FOREIGN KEY (record_id) REFERENCES credit_records (id),
  CONSTRAINT chk_credit_entries_list CHECK (list_kind IN ('blacklist', 'watchlist', 'redlist')),
  CONSTRAINT chk_credit_entries_state CHECK (state IN ('proposed', 'listed', 'dismissed', 'removed', 'expired')),
  CONSTRAINT chk_credit_entries_source CHECK (source IN ('department', 'rule', 'event', 'import'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 联合奖惩备忘录: an initiating department's lists bound to measures of implementing departments.
CREATE TABLE credit_memoranda (
  id                   BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  number               VARCHAR(64)   NOT NULL,
  title                VARCHAR(255)  NOT NULL,
  initiator_department VARCHAR(16)   NOT NULL,
  basis                VARCHAR(255)  NOT NULL,
  signed_on            DATE          NOT NULL,
  active               TINYINT       NOT NULL DEFAULT 1,
  created_by           BIGINT        NULL,
  created_at           DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_credit_memoranda_number (number),
  CONSTRAINT fk_credit_memoranda_initiator FOREIGN KEY (initiator_department) REFERENCES departments (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE credit_memorandum_lists (
  memorandum_id   BIGINT       NOT NULL,
  list_kind       VARCHAR(16)  NOT NULL,
  department_code VARCHAR(16)  NOT NULL,
  PRIMARY KEY (memorandum_id, list_kind, department_code),
  CONSTRAINT fk_credit_memo_lists_memo FOREIGN KEY (memorandum_id) REFERENCES credit_memoranda (id),
  CONSTRAINT fk_credit_memo_lists_department FOREIGN KEY (department_code) REFERENCES departments (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE credit_measures (
  memorandum_id   BIGINT        NOT NULL,
  code            VARCHAR(32)   NOT NULL,
  name            VARCHAR(128)  NOT NULL,
  action          VARCHAR(32)   NOT NULL,
  effect          VARCHAR(8)    NOT NULL,
  department_code VARCHAR(16)   NOT NULL,
  subject         VARCHAR(32)   NOT NULL,
  basis           VARCHAR(255)  NOT NULL,
  sort_order      INT           NOT NULL,
  PRIMARY KEY (memorandum_id, code),
  CONSTRAINT fk_credit_measures_memo FOREIGN KEY (memorandum_id) REFERENCES credit_memoranda (id),
  CONSTRAINT fk_credit_measures_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT chk_credit_measures_effect CHECK (effect IN ('restrict', 'reward')),
  CONSTRAINT chk_credit_measures_subject
    CHECK (subject IN ('entity', 'legal_representative', 'operator', 'parent', 'branch'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 发起 -> 响应 -> 反馈: one task per implementing department and list entry, to apply the measures when listed and
-- to lift them when the entry ends.
CREATE TABLE credit_tasks (
  id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  list_entry_id   BIGINT        NOT NULL,
  department_code VARCHAR(16)   NOT NULL,
  kind            VARCHAR(8)    NOT NULL,
  measures        TEXT          NOT NULL,
  state           VARCHAR(16)   NOT NULL DEFAULT 'pending',
  due_on          DATE          NOT NULL,
  response_reason TEXT          NULL,
  responded_by    BIGINT        NULL,
  responded_at    DATETIME(6)   NULL,
  feedback        TEXT          NULL,
  fed_back_by     BIGINT        NULL,
  fed_back_at     DATETIME(6)   NULL,
  created_at      DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_credit_tasks (list_entry_id, department_code, kind),
  KEY idx_credit_tasks_department (department_code, state, due_on),
  CONSTRAINT fk_credit_tasks_entry FOREIGN KEY (list_entry_id) REFERENCES credit_list_entries (id),
  CONSTRAINT fk_credit_tasks_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT chk_credit_tasks_kind CHECK (kind IN ('apply', 'lift')),
  CONSTRAINT chk_credit_tasks_state CHECK (state IN ('pending', 'accepted', 'not_applicable', 'done'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 信用修复: a record's publication ends early, or a list entry is removed, after review.
CREATE TABLE credit_repairs (
  id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entity_code     VARCHAR(18)   NOT NULL,
  record_id       BIGINT        NULL,
  list_entry_id   BIGINT        NULL,
  rectification   TEXT          NOT NULL,
  pledge          TEXT          NOT NULL,
  evidence        TEXT          NULL,
  state           VARCHAR(16)   NOT NULL DEFAULT 'submitted',
  open_key        VARCHAR(64)   NULL,
  applied_by      BIGINT        NOT NULL,
  applied_at      DATETIME(6)   NOT NULL,
  decided_by      BIGINT        NULL,
  decided_at      DATETIME(6)   NULL,
  decision_reason TEXT          NULL,
  UNIQUE KEY uk_credit_repairs_open (open_key),
  KEY idx_credit_repairs_entity (entity_code, applied_at),
  KEY idx_credit_repairs_state (state, applied_at),
  CONSTRAINT fk_credit_repairs_entity FOREIGN KEY (entity_code) REFERENCES credit_entities (code),
  CONSTRAINT fk_credit_repairs_record FOREIGN KEY (record_id) REFERENCES credit_records (id),
  CONSTRAINT fk_credit_repairs_entry FOREIGN KEY (list_entry_id) REFERENCES credit_list_entries (id),
  CONSTRAINT chk_credit_repairs_state CHECK (state IN ('submitted', 'approved', 'rejected'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What changed, for the graphs of all carewatch processes: kind entity (memberships), relations, memorandum.
CREATE TABLE credit_changes (
  id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind       VARCHAR(16)  NOT NULL,
  ref        VARCHAR(64)  NOT NULL,
  created_at DATETIME(6)  NOT NULL,
  KEY idx_credit_changes_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who looked at whose credit, when (bureau query, explanation, report, graph, check API).
CREATE TABLE credit_views (
  id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id     BIGINT       NULL,
  username    VARCHAR(64)  NOT NULL,
  role        VARCHAR(16)  NOT NULL,
  department_code VARCHAR(16) NULL,
  entity_code VARCHAR(64)  NOT NULL,
  view        VARCHAR(16)  NOT NULL,
  detail      VARCHAR(64)  NULL,
  viewed_at   DATETIME(6)  NOT NULL,
  KEY idx_credit_views_entity (entity_code, viewed_at),
  KEY idx_credit_views_user (user_id, viewed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Generated reports: number (not guessable), the SHA-256 of the bytes served, verifiable on the public portal.
CREATE TABLE credit_reports (
  number       VARCHAR(32)  NOT NULL PRIMARY KEY,
  entity_code  VARCHAR(18)  NOT NULL,
  entity_name  VARCHAR(128) NOT NULL,
  grade        VARCHAR(8)   NOT NULL,
  score        INT          NOT NULL,
  sha256       CHAR(64)     NOT NULL,
  size_bytes   BIGINT       NOT NULL,
  generated_by BIGINT       NOT NULL,
  generated_at DATETIME(6)  NOT NULL,
  KEY idx_credit_reports_entity (entity_code, generated_at),
  CONSTRAINT fk_credit_reports_entity FOREIGN KEY (entity_code) REFERENCES credit_entities (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
