-- Benchmark hazards @LO@ .. @HI@ of 1,000,000 (bench/hazards/run.sh substitutes @LO@, @HI@ and @TOTAL@ and runs
-- one chunk per client session). Deterministic per row number n: reference YB + n in 10 digits (real references
-- are YH + 10 random characters, so the two never collide), institution n mod the number of institutions, the
-- competent department of its sector (elderly care: MZ, childcare: WJ, as a self-check report would get), the
-- region of the institution, a catalogue entry that applies to the sector (8 % major), reported_at spread over
-- the last two years in id order, deadline = report day + the entry's rectification days, and a state that
-- depends on age: of the last 60 days 90 % open, older rows 96 % verified (the open rest overdue and escalated).
-- Reporter: the department's first inspector; verifier: its first officer (four eyes).
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;
SET SESSION foreign_key_checks = 0, unique_checks = 0;
SET @now = IFNULL(@now, UTC_TIMESTAMP(6));
SET @today = DATE(@now + INTERVAL 8 HOUR);  -- Asia/Shanghai calendar day
CREATE TEMPORARY TABLE bench_inst (PRIMARY KEY (k)) AS
  SELECT CAST(ROW_NUMBER() OVER (ORDER BY i.id) - 1 AS INT) AS k, i.id, i.region_code, d.code AS department_code,
         (SELECT MIN(u.id) FROM users u WHERE u.role = 'inspector' AND u.department_code = d.code) AS reporter,
         (SELECT MIN(u.id) FROM users u WHERE u.role = 'officer' AND u.department_code = d.code) AS verifier,
         d.sector
  FROM institutions i
  JOIN departments d ON d.sector = IF(i.kind IN ('childcare_institution', 'community_childcare_point',
                                                 'kindergarten_nursery_class', 'family_childcare_point'),
                                      'childcare', 'elderly');
SET @ninst = (SELECT COUNT(*) FROM bench_inst);
CREATE TEMPORARY TABLE bench_cat (PRIMARY KEY (sector, severity, k)) AS
  SELECT s.sector, c.severity,
         CAST(ROW_NUMBER() OVER (PARTITION BY s.sector, c.severity ORDER BY c.code) - 1 AS INT) AS k,
         c.code, c.category, c.name, c.rectification_days, c.fire_safety
  FROM hazard_catalogue c JOIN (SELECT 'elderly' AS sector UNION ALL SELECT 'childcare') s
    ON c.applies_to IN ('both', s.sector)
  WHERE c.active = 1;
CREATE TEMPORARY TABLE bench_cat_n (PRIMARY KEY (sector, severity)) AS SELECT sector, severity, COUNT(*) AS n FROM bench_cat GROUP BY sector, severity;

INSERT INTO hazards (reference, institution_id, region_code, department_code, catalogue_code, category, severity,
                     fire_safety, title, description, location, source, state, reported_by, reported_at, deadline,
                     original_deadline, round, acknowledged_at, submitted_at, verified_at, verified_by,
                     closed_on_time, escalated_at, escalated_deadline, updated_at)
SELECT CONCAT('YB', LPAD(x.n, 10, '0')), x.institution_id, x.region_code, x.department_code, x.code, x.category,
       x.severity, x.fire_safety AND x.severity = 'major', x.name, CONCAT('基准测试数据 #', x.n), '', 'inspection',
       x.state, x.reporter, x.rep, x.deadline, x.deadline, 1,
       IF(x.state IN ('rectifying', 'submitted', 'verified'), LEAST(x.rep + INTERVAL 2 HOUR, @now), NULL),
       x.sub,
       x.ver,
       IF(x.state = 'verified', x.verifier, NULL),
       IF(x.state = 'verified', DATE(x.sub + INTERVAL 8 HOUR) <= x.deadline, NULL),
       IF((x.state = 'verified' AND DATE(x.sub + INTERVAL 8 HOUR) > x.deadline)
          OR (x.state <> 'verified' AND x.deadline < @today
              AND NOT (x.state = 'submitted' AND DATE(x.sub + INTERVAL 8 HOUR) <= x.deadline)),
          TIMESTAMP(x.deadline, '16:00:00'), NULL),
       IF(x.deadline < @today AND (x.state <> 'verified' OR DATE(x.sub + INTERVAL 8 HOUR) > x.deadline),
          x.deadline, NULL),
       COALESCE(x.ver, x.sub, x.rep)
FROM (
  SELECT y.*,
         IF(y.state IN ('submitted', 'verified'),
            GREATEST(y.rep, LEAST(y.rep + INTERVAL ROUND(y.rectification_days * (y.vr + 1) / 16) DAY, @now)
                            - INTERVAL IF(y.state = 'verified', 1, 0) DAY),
            NULL) AS sub,
         IF(y.state = 'verified',
            LEAST(y.rep + INTERVAL ROUND(y.rectification_days * (y.vr + 1) / 16) DAY, @now), NULL) AS ver
  FROM (
    SELECT r.n, r.rep, r.vr, i.id AS institution_id, i.region_code, i.department_code, i.reporter, i.verifier,
           c.code, c.category, c.name, c.severity, c.fire_safety, c.rectification_days,
           DATE(r.rep + INTERVAL 8 HOUR) + INTERVAL c.rectification_days DAY AS deadline,
           CASE WHEN DATEDIFF(@today, DATE(r.rep + INTERVAL 8 HOUR)) < 60 THEN
                  CASE WHEN r.tr < 5 THEN 'reported' WHEN r.tr < 30 THEN 'notified' WHEN r.tr < 70 THEN 'rectifying'
                       WHEN r.tr < 90 THEN 'submitted' ELSE 'verified' END
                ELSE
                  CASE WHEN r.tr < 1 THEN 'notified' WHEN r.tr < 3 THEN 'rectifying' WHEN r.tr < 4 THEN 'submitted'
                       ELSE 'verified' END
           END AS state
    FROM (
      SELECT seq AS n, seq % @ninst AS ik,
             IF(CRC32(CONCAT('s', seq)) % 100 < 8, 'major', 'general') AS sev,
             CRC32(CONCAT('c', seq)) AS cr,
             CRC32(CONCAT('t', seq)) % 100 AS tr,
             CRC32(CONCAT('v', seq)) % 20 AS vr,
             @now - INTERVAL ((@TOTAL@ - seq) * 63) SECOND AS rep
      FROM seq_@LO@_to_@HI@
    ) r
    STRAIGHT_JOIN bench_inst i ON i.k = r.ik
    STRAIGHT_JOIN bench_cat_n cn ON cn.sector = i.sector AND cn.severity = r.sev
    STRAIGHT_JOIN bench_cat c ON c.sector = i.sector AND c.severity = r.sev AND c.k = r.cr % cn.n
  ) y
) x;
