-- Graded ratings (等级评定): rating schemes as versioned data, ratings with their self-assessment, panel,
-- score sheets, factual-accuracy challenges, history and level changes, and the cursor with which the ratings
-- module follows the domain event outbox (reviews after a major hazard goes overdue).

-- A scheme version as installed from config/rating-schemes/*.json. `body` is the file's text: a rating records
-- the scheme row it used, so it can be recomputed exactly however the files move on. Once a rating uses a row,
-- the row never changes (the server refuses to start with a changed file under the same version).
CREATE TABLE rating_schemes (
  id           BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code         VARCHAR(16)   NOT NULL,
  version      VARCHAR(16)   NOT NULL,
  sector       VARCHAR(16)   NOT NULL,
  standard     VARCHAR(64)   NOT NULL,
  title        VARCHAR(128)  NOT NULL,
  body         MEDIUMTEXT    NOT NULL,
  body_sha256  CHAR(64)      NOT NULL,
  active       TINYINT(1)    NOT NULL DEFAULT 1,
  installed_at DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_rating_schemes_version (code, version),
  CONSTRAINT chk_rating_schemes_sector CHECK (sector IN ('elderly', 'childcare'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ratings (
  id                 BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- Public reference (PJ + 10 random characters).
  reference          CHAR(12)      NOT NULL,
  institution_id     BIGINT        NOT NULL,
  scheme_id          BIGINT        NOT NULL,
  department_code    VARCHAR(16)   NOT NULL,
  region_code        VARCHAR(12)   NOT NULL,
  state              VARCHAR(16)   NOT NULL,
  -- how panel scores become the rating's score: median or mean per item (configuration at opening time)
  aggregation        VARCHAR(8)    NOT NULL,
  opened_by          BIGINT        NOT NULL,
  opened_at          DATETIME(6)   NOT NULL,
  self_submitted_at  DATETIME(6)   NULL,
  panel_assigned_at  DATETIME(6)   NULL,
  draft_at           DATETIME(6)   NULL,
  -- last day (Asia/Shanghai) of the factual-accuracy challenge window
  challenge_deadline DATE          NULL,
  confirmed_at       DATETIME(6)   NULL,
  approved_by        BIGINT        NULL,
  published_at       DATETIME(6)   NULL,
  valid_until        DATE          NULL,
  -- the computed result (tenths of a point), kept current as scores and answers change; frozen at publication
  total_tenths       INT           NULL,
  level_code         VARCHAR(8)    NULL,
  -- the level in force: the published level, or a lower one after a downgrade
  current_level      VARCHAR(8)    NULL,
  review_state       VARCHAR(16)   NOT NULL DEFAULT 'none',
  review_reason      VARCHAR(512)  NULL,
  created_at         DATETIME(6)   NOT NULL,
  updated_at         DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_ratings_reference (reference),
  KEY idx_ratings_institution (institution_id, state),
  KEY idx_ratings_state (department_code, state, valid_until),
  CONSTRAINT fk_ratings_institution FOREIGN KEY (institution_id) REFERENCES institutions (id),
  CONSTRAINT fk_ratings_scheme FOREIGN KEY (scheme_id) REFERENCES rating_schemes (id),
  CONSTRAINT fk_ratings_opened_by FOREIGN KEY (opened_by) REFERENCES users (id),
  CONSTRAINT fk_ratings_approved_by FOREIGN KEY (approved_by) REFERENCES users (id),
  CONSTRAINT chk_ratings_state CHECK (state IN ('self_assessment', 'panel', 'scoring', 'draft', 'published',
                                                'superseded', 'withdrawn')),
  CONSTRAINT chk_ratings_review CHECK (review_state IN ('none', 'required')),
  CONSTRAINT chk_ratings_aggregation CHECK (aggregation IN ('median', 'mean'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One score sheet per evaluator (kind panel, from the inspector directory) plus the institution's
-- self-assessment (kind self, no inspector).
CREATE TABLE rating_sheets (
  id            BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  rating_id     BIGINT        NOT NULL,
  kind          VARCHAR(8)    NOT NULL,
  inspector_id  BIGINT        NULL,
  user_id       BIGINT        NULL,
  assigned_how  VARCHAR(8)    NULL,
  submitted_at  DATETIME(6)   NULL,
  updated_at    DATETIME(6)   NOT NULL,
  UNIQUE KEY uk_rating_sheets_member (rating_id, kind, inspector_id),
  CONSTRAINT fk_rating_sheets_rating FOREIGN KEY (rating_id) REFERENCES ratings (id),
  CONSTRAINT fk_rating_sheets_inspector FOREIGN KEY (inspector_id) REFERENCES inspectors (id),
  CONSTRAINT fk_rating_sheets_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT chk_rating_sheets_kind CHECK (kind IN ('self', 'panel')),
  CONSTRAINT chk_rating_sheets_how CHECK (assigned_how IS NULL OR assigned_how IN ('assigned', 'drawn'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A line of a sheet: points (tenths) for a scored item, or passed for a veto (basic) item.
CREATE TABLE rating_scores (
  sheet_id     BIGINT        NOT NULL,
  item_code    VARCHAR(16)   NOT NULL,
  points       INT           NULL,
  passed       TINYINT(1)    NULL,
  note         VARCHAR(1000) NOT NULL DEFAULT '',
  evidence     VARCHAR(500)  NOT NULL DEFAULT '',
  PRIMARY KEY (sheet_id, item_code),
  CONSTRAINT fk_rating_scores_sheet FOREIGN KEY (sheet_id) REFERENCES rating_sheets (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Factual-accuracy challenges (one per item), the panel's answer and, when upheld, the corrected item score
-- that replaces the aggregated one.
CREATE TABLE rating_challenges (
  id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  rating_id        BIGINT        NOT NULL,
  item_code        VARCHAR(16)   NOT NULL,
  claim            VARCHAR(2000) NOT NULL,
  evidence         VARCHAR(1000) NOT NULL,
  filed_by         BIGINT        NOT NULL,
  filed_at         DATETIME(6)   NOT NULL,
  decision         VARCHAR(12)   NULL,
  answer           VARCHAR(2000) NULL,
  corrected_points INT           NULL,
  corrected_passed TINYINT(1)    NULL,
  answered_by      BIGINT        NULL,
  answered_at      DATETIME(6)   NULL,
  UNIQUE KEY uk_rating_challenges_item (rating_id, item_code),
  CONSTRAINT fk_rating_challenges_rating FOREIGN KEY (rating_id) REFERENCES ratings (id),
  CONSTRAINT fk_rating_challenges_filed_by FOREIGN KEY (filed_by) REFERENCES users (id),
  CONSTRAINT fk_rating_challenges_answered_by FOREIGN KEY (answered_by) REFERENCES users (id),
  CONSTRAINT chk_rating_challenges_decision CHECK (decision IS NULL OR decision IN ('upheld', 'dismissed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The history of a rating, and of its level after publication (downgrades and reviews with their reasons).
-- `source_event_id` is the outbox event that triggered a review: unique per rating, so it is recorded once.
CREATE TABLE rating_events (
  id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  rating_id       BIGINT        NOT NULL,
  action          VARCHAR(32)   NOT NULL,
  actor_id        BIGINT        NULL,
  from_level      VARCHAR(8)    NULL,
  to_level        VARCHAR(8)    NULL,
  note            VARCHAR(1000) NOT NULL DEFAULT '',
  source_event_id BIGINT        NULL,
  created_at      DATETIME(6)   NOT NULL,
  KEY idx_rating_events_rating (rating_id, id),
  UNIQUE KEY uk_rating_events_source (rating_id, source_event_id),
  CONSTRAINT fk_rating_events_rating FOREIGN KEY (rating_id) REFERENCES ratings (id),
  CONSTRAINT fk_rating_events_actor FOREIGN KEY (actor_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How far each consumer of domain_events has read (the outbox id of the last event it handled).
CREATE TABLE event_consumers (
  consumer      VARCHAR(32)   NOT NULL PRIMARY KEY,
  last_event_id BIGINT        NOT NULL,
  updated_at    DATETIME(6)   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
