// The whole draw against the database, as an officer runs it: lock (load the pool from MySQL, grades, recusal,
// freeze and store the three files) and draw (cw-draw-v1, then write entities, assignments and result rows); and,
// on the same table and scope, the naive `ORDER BY RAND() LIMIT n` for comparison. Prints one JSON line per phase.
// Runs against the schema named by CW_DB_NAME (bench/draws/run.sh uses the registry benchmark's 1M schema).
//   cw_draw_full_bench [inspectors=10000] [basis_points=500] [required_departments=1] [per_entity=2]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cw/server/app.hpp"

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cw;
  auto arg = [&](int i, long fallback) { return argc > i ? std::atol(argv[i]) : fallback; };
  long inspectorCount = arg(1, 10000);
  long basisPoints = arg(2, 500);
  long requiredDepartments = arg(3, 1);
  int perEntity = static_cast<int>(arg(4, 2));
  auto config = server::loadConfig("");
  if (!config) {
    std::cerr << config.error().message << '\n';
    return 2;
  }
  server::App app(*config, nullptr);
  auto migrator = app.migrator();
  if (!migrator || !migrator->migrate()) {
    std::cerr << "migrations failed\n";
    return 1;
  }
  const char* departments[] = {"MZ", "WJ", "SJ", "XF"};
  const char* districts[] = {"360402", "360403", "360404", "360423", "360424", "360425", "360426",
                             "360428", "360429", "360430", "360481", "360482", "360483"};
  auto lease = app.pool().acquire();
  db::Connection& c = *lease;
  long existing = c.query("SELECT COUNT(*) AS n FROM inspectors WHERE code LIKE 'B%'")[0].i64("n");
  for (long n = existing; n < inspectorCount;) {
    std::string sql = "INSERT INTO inspectors (code, name, department_code, region_code, certificate_no, member_kind,"
                      " status, expertise, created_at, updated_at) VALUES ";
    long end = std::min(inspectorCount, n + 1000);
    for (long k = n; k < end; ++k) {
      char code[32];
      std::snprintf(code, sizeof code, "B%06ld", k);
      sql += std::string(k == n ? "" : ", ") + "('" + code + "', '基准检查员', '" + departments[k % 4] + "', '" +
             districts[k % 13] + "', '" + code + "', 'enforcement', 'active', '', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
    }
    c.executeScript(sql);
    n = end;
  }
  c.executeScript("INSERT IGNORE INTO inspection_items (code, name, department_code, legal_basis, kinds, check_methods,"
                  " active, created_at, updated_at) VALUES ('MZ-YL-01', '养老机构备案及登记事项符合情况', 'MZ',"
                  " '《养老机构管理办法》第九条', 'elderly_institution', 'site', 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
  http::Principal officer;
  officer.userId = c.query("SELECT id FROM users WHERE username = 'mz.wangli'")[0].i64("id");
  officer.role = "officer";
  officer.departmentCode = "MZ";
  audit::Actor actor = audit::Actor::system("bench", "bench");
  auto plans = app.draws().plans();
  std::int64_t planId = plans.empty() ? 0 : plans.front().id;
  if (!planId) {
    auto plan = app.draws().createPlan(actor, officer, 2026, "基准测试计划");
    if (!plan) return std::cerr << plan.error().message << '\n', 1;
    planId = plan->id;
  }
  draws::TaskInput t;
  t.planId = planId;
  t.title = "百万机构抽查基准";
  t.regionCode = "360400";
  t.kinds = {"elderly_institution", "community_elderly_facility", "rural_elderly_home", "childcare_institution",
             "community_childcare_point", "family_childcare_point", "kindergarten_nursery_class"};
  t.strataBy = {"region", "kind", "grade"};
  t.gradeRatios = {{"A", basisPoints}, {"B", basisPoints}, {"C", basisPoints}, {"D", basisPoints}};
  t.windowStart = "2026-11-01";
  t.windowEnd = "2026-12-31";
  t.itemCodes = {"MZ-YL-01"};
  for (long d = 0; d < requiredDepartments; ++d) t.departments.push_back({departments[d], perEntity, "open"});
  t.joint = requiredDepartments > 1;
  auto task = app.draws().createTask(actor, officer, t);
  if (!task) return std::cerr << task.error().message << '\n', 1;

  auto t0 = std::chrono::steady_clock::now();
  auto locked = app.draws().lock(actor, officer, task->id);
  double lockSeconds = secondsSince(t0);
  if (!locked) return std::cerr << locked.error().message << '\n', 1;
  auto record = app.draws().record(task->id);
  std::int64_t population = 0, count = 0;
  for (const auto& s : record->strata) {
    population += s.population;
    count += s.count;
  }
  std::printf("{\"phase\":\"lock\",\"seconds\":%.3f,\"candidates\":%lld,\"to_select\":%lld,\"inspectors\":%ld}\n",
              lockSeconds, static_cast<long long>(population), static_cast<long long>(count), inspectorCount);
  std::fflush(stdout);
  auto t1 = std::chrono::steady_clock::now();
  auto drawn = app.draws().draw(actor, officer, task->id, "");
  double drawSeconds = secondsSince(t1);
  if (!drawn) return std::cerr << drawn.error().message << '\n', 1;
  std::printf("{\"phase\":\"draw\",\"seconds\":%.3f,\"selected\":%lld,\"required_departments\":%ld,\"per_entity\":%d}\n",
              drawSeconds, static_cast<long long>(drawn->selectedCount), requiredDepartments, perEntity);
  std::printf("{\"phase\":\"lock+draw\",\"seconds\":%.3f}\n", lockSeconds + drawSeconds);
  std::fflush(stdout);

  // The naive draw of today's platforms on the same scope: no seed, no record, nothing anyone can re-run.
  auto t2 = std::chrono::steady_clock::now();
  auto naive = c.query("SELECT id FROM institutions WHERE region_code IN ('360402', '360403', '360404', '360423',"
                       " '360424', '360425', '360426', '360428', '360429', '360430', '360481', '360482', '360483',"
                       " '360400') AND filing_state = 'filed' ORDER BY RAND() LIMIT ?",
                       count);
  double naiveSeconds = secondsSince(t2);
  std::printf("{\"phase\":\"order_by_rand\",\"seconds\":%.3f,\"rows\":%zu,\"ratio_lock_draw_to_naive\":%.2f}\n",
              naiveSeconds, naive.size(), (lockSeconds + drawSeconds) / naiveSeconds);
  return 0;
}
