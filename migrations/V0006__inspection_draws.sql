-- "Double random, one public" (双随机、一公开): the item list and the inspector directory (一单两库, the entity
-- directory is the registry), plans -> tasks -> per-department subtasks, the frozen draw (cw-draw-v1, see
-- docs/draw-algorithm.md), assignments with audited swaps, and inspection results with their review.

-- A draw's pool is every institution of a scope: this covering index makes loading a million of them one index
-- range scan instead of a million row lookups (32 s -> 1 s on the benchmark machine).
CREATE INDEX idx_institutions_draw_pool ON institutions (region_code, kind, filing_state, credit_code);

-- 抽查事项清单: what may be checked, by which department, on what legal basis.
CREATE TABLE inspection_items (
  code            VARCHAR(32)  NOT NULL PRIMARY KEY,
  name            VARCHAR(128) NOT NULL,
  department_code VARCHAR(16)  NOT NULL,
  legal_basis     VARCHAR(512) NOT NULL,
  -- comma-separated institution kinds the item applies to
  kinds           VARCHAR(255) NOT NULL,
  -- comma-separated check methods (site, document, adopt, testing, online, entrusted)
  check_methods   VARCHAR(128) NOT NULL,
  active          TINYINT      NOT NULL DEFAULT 1,
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  CONSTRAINT fk_items_department FOREIGN KEY (department_code) REFERENCES departments (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 执法检查人员名录库. `code` is the public inspector id of draw records; names stay out of public pages.
CREATE TABLE inspectors (
  id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code            VARCHAR(16)  NOT NULL,
  user_id         BIGINT       NULL,
  name            VARCHAR(64)  NOT NULL,
  department_code VARCHAR(16)  NOT NULL,
  -- jurisdiction: the region the inspector normally enforces in
  region_code     VARCHAR(12)  NOT NULL,
  certificate_no  VARCHAR(32)  NULL,
  -- enforcement officers are drawn; experts join as non-enforcement members and are never drawn
  member_kind     VARCHAR(16)  NOT NULL DEFAULT 'enforcement',
  status          VARCHAR(16)  NOT NULL DEFAULT 'active',
  expertise       VARCHAR(255) NOT NULL DEFAULT '',
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  UNIQUE KEY uk_inspectors_code (code),
  UNIQUE KEY uk_inspectors_user (user_id),
  KEY idx_inspectors_department (department_code, status),
  CONSTRAINT fk_inspectors_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT fk_inspectors_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT fk_inspectors_region FOREIGN KEY (region_code) REFERENCES regions (code),
  CONSTRAINT chk_inspectors_kind CHECK (member_kind IN ('enforcement', 'expert')),
  CONSTRAINT chk_inspectors_status CHECK (status IN ('active', 'on_leave', 'retired'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Conflicts an inspector declares (relative, former employer, shares): excluded for the institution while valid.
CREATE TABLE inspector_conflicts (
  id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  inspector_id   BIGINT       NOT NULL,
  institution_id BIGINT       NOT NULL,
  reason         VARCHAR(255) NOT NULL,
  valid_from     DATE         NOT NULL,
  valid_to       DATE         NULL,
  declared_by    BIGINT       NOT NULL,
  declared_at    DATETIME(6)  NOT NULL,
  KEY idx_conflicts_inspector (inspector_id),
  KEY idx_conflicts_institution (institution_id),
  CONSTRAINT fk_conflicts_inspector FOREIGN KEY (inspector_id) REFERENCES inspectors (id),
  CONSTRAINT fk_conflicts_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_conflicts_user FOREIGN KEY (declared_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Special lists of the entity directory: key supervision (重点监管) and complaint-driven (投诉举报) lists.
CREATE TABLE special_lists (
  code       VARCHAR(32)  NOT NULL PRIMARY KEY,
  name       VARCHAR(128) NOT NULL,
  list_kind  VARCHAR(16)  NOT NULL,
  created_at DATETIME(6)  NOT NULL,
  CONSTRAINT chk_special_lists_kind CHECK (list_kind IN ('key_supervision', 'complaint'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE special_list_members (
  list_code      VARCHAR(32)  NOT NULL,
  institution_id BIGINT       NOT NULL,
  reason         VARCHAR(255) NOT NULL,
  added_at       DATETIME(6)  NOT NULL,
  PRIMARY KEY (list_code, institution_id),
  CONSTRAINT fk_list_members_list FOREIGN KEY (list_code) REFERENCES special_lists (code),
  CONSTRAINT fk_list_members_institution FOREIGN KEY (institution_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE inspection_plans (
  id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  plan_year       INT          NOT NULL,
  title           VARCHAR(128) NOT NULL,
  department_code VARCHAR(16)  NOT NULL,
  created_by      BIGINT       NOT NULL,
  created_at      DATETIME(6)  NOT NULL,
  KEY idx_plans_year (plan_year),
  CONSTRAINT fk_plans_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT fk_plans_user FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A task: scope, stratification, ratios, window and the departments that go. Ratios are basis points (1/10000)
-- per grade, e.g. "A=100,B=200,C=1000,D=3000"; stratum_counts, when set, fixes counts per stratum key instead.
CREATE TABLE inspection_tasks (
  id                 BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  plan_id            BIGINT        NOT NULL,
  title              VARCHAR(128)  NOT NULL,
  department_code    VARCHAR(16)   NOT NULL,
  region_code        VARCHAR(12)   NOT NULL,
  kinds              VARCHAR(255)  NOT NULL,
  filing_states      VARCHAR(64)   NOT NULL,
  special_list_code  VARCHAR(32)   NULL,
  strata_by          VARCHAR(32)   NOT NULL,
  grade_ratios       VARCHAR(128)  NOT NULL,
  stratum_counts     TEXT          NULL,
  window_start       DATE          NOT NULL,
  window_end         DATE          NOT NULL,
  joint              TINYINT       NOT NULL DEFAULT 0,
  cross_jurisdiction TINYINT       NOT NULL DEFAULT 0,
  cap_slack          INT           NOT NULL DEFAULT 1,
  beacon_source      VARCHAR(255)  NOT NULL DEFAULT '',
  previous_task_id   BIGINT        NULL,
  state              VARCHAR(16)   NOT NULL DEFAULT 'draft',
  created_by         BIGINT        NOT NULL,
  created_at         DATETIME(6)   NOT NULL,
  updated_at         DATETIME(6)   NOT NULL,
  KEY idx_tasks_plan (plan_id),
  KEY idx_tasks_state (state, id),
  CONSTRAINT fk_tasks_plan FOREIGN KEY (plan_id) REFERENCES inspection_plans (id),
  CONSTRAINT fk_tasks_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT fk_tasks_region FOREIGN KEY (region_code) REFERENCES regions (code),
  CONSTRAINT fk_tasks_list FOREIGN KEY (special_list_code) REFERENCES special_lists (code),
  CONSTRAINT fk_tasks_previous FOREIGN KEY (previous_task_id) REFERENCES inspection_tasks (id),
  CONSTRAINT fk_tasks_user FOREIGN KEY (created_by) REFERENCES users (id),
  CONSTRAINT chk_tasks_state CHECK (state IN ('draft', 'locked', 'drawn', 'in_progress', 'closed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE task_items (
  task_id   BIGINT      NOT NULL,
  item_code VARCHAR(32) NOT NULL,
  PRIMARY KEY (task_id, item_code),
  CONSTRAINT fk_task_items_task FOREIGN KEY (task_id) REFERENCES inspection_tasks (id),
  CONSTRAINT fk_task_items_item FOREIGN KEY (item_code) REFERENCES inspection_items (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-department subtasks: how many inspectors of the department each drawn entity gets.
CREATE TABLE task_departments (
  task_id         BIGINT      NOT NULL,
  department_code VARCHAR(16) NOT NULL,
  per_entity      INT         NOT NULL,
  state           VARCHAR(16) NOT NULL DEFAULT 'open',
  PRIMARY KEY (task_id, department_code),
  CONSTRAINT fk_task_departments_task FOREIGN KEY (task_id) REFERENCES inspection_tasks (id),
  CONSTRAINT fk_task_departments_department FOREIGN KEY (department_code) REFERENCES departments (code),
  CONSTRAINT chk_task_departments_state CHECK (state IN ('open', 'closed')),
  CONSTRAINT chk_task_departments_per CHECK (per_entity >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The frozen draw. The three files are kept byte for byte in the content-addressed file store under their
-- digests (a city's pool is megabytes; a province's, tens). The secret is never served before drawn_at is set.
CREATE TABLE draws (
  task_id          BIGINT       NOT NULL PRIMARY KEY,
  algorithm        VARCHAR(16)  NOT NULL,
  pool_digest      CHAR(64)     NOT NULL,
  inspector_digest CHAR(64)     NOT NULL,
  exclusion_digest CHAR(64)     NOT NULL,
  secret_hex       CHAR(64)     NOT NULL,
  commitment       CHAR(64)     NOT NULL,
  beacon_source    VARCHAR(255) NOT NULL,
  beacon_value     VARCHAR(512) NULL,
  seed_hex         CHAR(64)     NULL,
  cap_slack        INT          NOT NULL,
  -- one line per stratum: key TAB population TAB count
  strata           MEDIUMTEXT   NOT NULL,
  locked_by        BIGINT       NOT NULL,
  locked_at        DATETIME(6)  NOT NULL,
  drawn_by         BIGINT       NULL,
  drawn_at         DATETIME(6)  NULL,
  CONSTRAINT fk_draws_task FOREIGN KEY (task_id) REFERENCES inspection_tasks (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE draw_entities (
  task_id        BIGINT       NOT NULL,
  position       INT          NOT NULL,
  institution_id BIGINT       NOT NULL,
  stratum        VARCHAR(96)  NOT NULL,
  score          CHAR(64)     NOT NULL,
  PRIMARY KEY (task_id, position),
  UNIQUE KEY uk_draw_entities_institution (task_id, institution_id),
  KEY idx_draw_entities_institution (institution_id),
  CONSTRAINT fk_draw_entities_task FOREIGN KEY (task_id) REFERENCES inspection_tasks (id),
  CONSTRAINT fk_draw_entities_institution FOREIGN KEY (institution_id) REFERENCES institutions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Assignments. drawn = 1: made by the draw (slot = its place in the record); active = 0: swapped out since.
CREATE TABLE draw_assignments (
  task_id         BIGINT      NOT NULL,
  institution_id  BIGINT      NOT NULL,
  inspector_id    BIGINT      NOT NULL,
  department_code VARCHAR(16) NOT NULL,
  slot            INT         NOT NULL,
  drawn           TINYINT     NOT NULL,
  active          TINYINT     NOT NULL DEFAULT 1,
  PRIMARY KEY (task_id, institution_id, inspector_id),
  KEY idx_assignments_inspector (inspector_id, active),
  CONSTRAINT fk_assignments_task FOREIGN KEY (task_id) REFERENCES inspection_tasks (id),
  CONSTRAINT fk_assignments_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_assignments_inspector FOREIGN KEY (inspector_id) REFERENCES inspectors (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE draw_swaps (
  id                   BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  task_id              BIGINT       NOT NULL,
  institution_id       BIGINT       NOT NULL,
  department_code      VARCHAR(16)  NOT NULL,
  removed_inspector_id BIGINT       NOT NULL,
  added_inspector_id   BIGINT       NOT NULL,
  reason               VARCHAR(255) NOT NULL,
  swapped_by           BIGINT       NOT NULL,
  swapped_at           DATETIME(6)  NOT NULL,
  KEY idx_swaps_task (task_id),
  CONSTRAINT fk_swaps_task FOREIGN KEY (task_id) REFERENCES inspection_tasks (id),
  CONSTRAINT fk_swaps_removed FOREIGN KEY (removed_inspector_id) REFERENCES inspectors (id),
  CONSTRAINT fk_swaps_added FOREIGN KEY (added_inspector_id) REFERENCES inspectors (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One result per drawn entity and department. state: pending 未录入, submitted 待审核, returned 退回,
-- rejected 不通过, published 已公示. Result codes are the provincial platform's (docs/draws.md).
CREATE TABLE inspection_results (
  id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  task_id         BIGINT        NOT NULL,
  institution_id  BIGINT        NOT NULL,
  department_code VARCHAR(16)   NOT NULL,
  state           VARCHAR(16)   NOT NULL DEFAULT 'pending',
  result_code     VARCHAR(4)    NULL,
  problem_reasons VARCHAR(64)   NULL,
  inspected_on    DATE          NULL,
  findings        TEXT          NULL,
  followup        VARCHAR(32)   NULL,
  recorded_by     BIGINT        NULL,
  submitted_at    DATETIME(6)   NULL,
  reviewed_by     BIGINT        NULL,
  reviewed_at     DATETIME(6)   NULL,
  review_comment  VARCHAR(512)  NULL,
  publish_due     DATE          NULL,
  published_at    DATETIME(6)   NULL,
  UNIQUE KEY uk_results_entity (task_id, institution_id, department_code),
  KEY idx_results_institution (institution_id, state),
  KEY idx_results_state (state, publish_due),
  CONSTRAINT fk_results_task FOREIGN KEY (task_id) REFERENCES inspection_tasks (id),
  CONSTRAINT fk_results_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT chk_results_state CHECK (state IN ('pending', 'submitted', 'returned', 'rejected', 'published'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per item: result code and check method used.
CREATE TABLE inspection_result_items (
  result_id    BIGINT       NOT NULL,
  item_code    VARCHAR(32)  NOT NULL,
  result_code  VARCHAR(4)   NOT NULL,
  check_method VARCHAR(16)  NOT NULL,
  note         VARCHAR(512) NOT NULL DEFAULT '',
  PRIMARY KEY (result_id, item_code),
  CONSTRAINT fk_result_items_result FOREIGN KEY (result_id) REFERENCES inspection_results (id),
  CONSTRAINT fk_result_items_item FOREIGN KEY (item_code) REFERENCES inspection_items (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Evidence the inspector attaches to a result (photos, scanned records): files in the content-addressed store,
-- described once in `documents` (V0004).
CREATE TABLE inspection_result_evidence (
  result_id   BIGINT       NOT NULL,
  sha256      CHAR(64)     NOT NULL,
  name        VARCHAR(255) NOT NULL,
  uploaded_by BIGINT       NOT NULL,
  uploaded_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (result_id, sha256),
  CONSTRAINT fk_evidence_result FOREIGN KEY (result_id) REFERENCES inspection_results (id),
  CONSTRAINT fk_evidence_document FOREIGN KEY (sha256) REFERENCES documents (sha256),
  CONSTRAINT fk_evidence_user FOREIGN KEY (uploaded_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Follow-up records (后续处置). "order correction" (责令整改) rows are handed to the hazards module when it exists.
CREATE TABLE inspection_followups (
  id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  result_id      BIGINT        NOT NULL,
  institution_id BIGINT        NOT NULL,
  followup_kind  VARCHAR(32)   NOT NULL,
  description    VARCHAR(1024) NOT NULL,
  state          VARCHAR(16)   NOT NULL DEFAULT 'open',
  created_at     DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_followups_result (result_id),
  KEY idx_followups_institution (institution_id),
  CONSTRAINT fk_followups_result FOREIGN KEY (result_id) REFERENCES inspection_results (id),
  CONSTRAINT fk_followups_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT chk_followups_state CHECK (state IN ('open', 'closed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
