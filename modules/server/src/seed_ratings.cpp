// Demo ratings: enough for every console page and the public portal to show something real, written through the
// service (self-assessment, drawn panel, three score sheets, confirmation, approval), then moved back in time so
// the ages and validity differ.

#include <functional>

#include "cw/core/time.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"

namespace cw::server {

namespace {

struct Planned {
  const char* institution;
  const char* account;     // the institution's sign-in (created when missing)
  const char* officer;     // who draws the panel and approves
  int percent;             // the panel's score as a share of each item's maximum, give or take a little
  const char* failedVeto;  // a basic item every evaluator fails, or nullptr
  const char* stage;       // applied | draft | published
  int daysAgo;             // how long ago the rating was published
};

constexpr Planned kPlanned[] = {
    {"九江市濂溪区夕阳红颐养院", "inst.xiyanghong", "mz.wangli", 90, nullptr, "published", 420},
    {"修水县颐康养老服务中心", "inst.yikang", "mz.wangli", 72, nullptr, "published", 610},
    {"瑞昌市湓城街道综合养老服务中心", "inst.pencheng", "mz.wangli", 56, nullptr, "published", 180},
    {"九江市浔阳区甘棠社区日间照料中心", "inst.gantang", "mz.wangli", 66, nullptr, "published", 1040},
    {"九江市濂溪区康乐养老院", "inst.kangle", "mz.wangli", 81, nullptr, "draft", 0},
    {"九江市濂溪区贝贝乐托育园", "inst.beibeile", "wj.chenjing", 80, nullptr, "published", 300},
    {"九江市浔阳区白鹿社区托育点", "inst.bailu", "wj.chenjing", 88, "V05", "published", 90},
    {"九江市浔阳区小星星托育中心", "inst.xiaoxingxing", "wj.chenjing", 0, nullptr, "applied", 0},
};

// Points for one item: `percent` of its maximum shifted by a small, repeatable amount per evaluator, in half points.
ratings::Tenths demoPoints(const ratings::Leaf& leaf, int percent, int evaluator) {
  int shift = static_cast<int>(std::hash<std::string>{}(leaf.code + "#" + std::to_string(evaluator)) % 13) - 6;
  int p = std::clamp(percent + shift, 0, 100);
  long halves = std::lround(leaf.maxPoints * 2.0 * p / 100.0);
  return static_cast<ratings::Tenths>(halves * 5);
}

ratings::SheetInput demoSheet(const ratings::Scheme& s, int percent, int evaluator, const char* failedVeto,
                              const std::string& note) {
  ratings::SheetInput in;
  in.submit = true;
  for (const auto& l : s.leaves) {
    ratings::SheetLine line{l.code, demoPoints(l, percent, evaluator), std::nullopt, "", ""};
    if (line.points < static_cast<ratings::Tenths>(l.maxPoints) * 10 && !note.empty()) line.note = note;
    in.lines.push_back(line);
  }
  for (const auto& v : s.vetoes) {
    bool failed = failedVeto && v.code == failedVeto;
    in.lines.push_back({v.code, std::nullopt, !failed, failed ? "现场核查不符合要求" : "", ""});
  }
  return in;
}

core::Result<http::Principal> institutionAccount(App& app, db::Connection& c, const Planned& plan,
                                                 std::int64_t institutionId) {
  if (auto p = demoPrincipal(c, plan.account)) return *p;
  auth::NewUser u;
  u.username = plan.account;
  u.displayName = plan.institution;
  u.role = "institution";
  u.password = kDemoPassword;
  u.institutionId = institutionId;
  auto created = app.users().create(audit::Actor::system("seed-demo", "seed-demo"), u);
  if (!created) return created.error();
  return *demoPrincipal(c, plan.account);
}

core::Status rate(App& app, db::Connection& c, const Planned& plan) {
  auto inst = c.query("SELECT id FROM institutions WHERE name = ?", plan.institution);
  auto officer = demoPrincipal(c, plan.officer);
  if (inst.empty() || !officer) return core::Ok{};
  auto who = institutionAccount(app, c, plan, inst[0].i64("id"));
  if (!who) return who.error();
  auto& ratings = app.ratings();
  auto opened = ratings.open(demoActor(*who), *who, std::nullopt, std::nullopt);
  if (!opened) return opened.error();
  std::int64_t id = opened->id;
  if (std::string(plan.stage) == "applied") return core::Ok{};
  auto scheme = ratings.scheme(opened->schemeId);
  if (!scheme) return scheme.error();
  const ratings::Scheme& s = *scheme->scheme;
  // Institutions rate themselves a little higher than the panel does.
  auto self = ratings.saveSelfAssessment(demoActor(*who), *who, id, demoSheet(s, std::min(plan.percent + 6, 100), 9, nullptr, ""));
  if (!self) return self.error();
  auto panel = ratings.assignPanel(demoActor(*officer), *officer, id, {}, 3);
  if (!panel) return panel.error();
  int n = 0;
  for (const auto& m : panel->panel) {
    auto user = c.query("SELECT u.username FROM inspectors i JOIN users u ON u.id = i.user_id WHERE i.id = ?", m.inspectorId);
    auto evaluator = demoPrincipal(c, user[0].str("username"));
    auto scored = ratings.saveScores(demoActor(*evaluator), *evaluator, id,
                                     demoSheet(s, plan.percent, n++, plan.failedVeto, "现场查看与台账抽查，部分记录不完整"));
    if (!scored) return scored.error();
  }
  if (std::string(plan.stage) == "draft") return core::Ok{};
  if (auto ok = ratings.confirmDraft(demoActor(*who), *who, id); !ok) return ok.error();
  if (auto ok = ratings.approve(demoActor(*officer), *officer, id, "评审组意见一致，同意公布"); !ok) return ok.error();
  // Back in time: the whole rating happened `daysAgo` days earlier.
  int d = plan.daysAgo;
  c.execute("UPDATE ratings SET opened_at = DATE_SUB(opened_at, INTERVAL ? DAY), self_submitted_at ="
            " DATE_SUB(self_submitted_at, INTERVAL ? DAY), panel_assigned_at = DATE_SUB(panel_assigned_at, INTERVAL ? DAY),"
            " draft_at = DATE_SUB(draft_at, INTERVAL ? DAY), challenge_deadline = DATE_SUB(challenge_deadline, INTERVAL ? DAY),"
            " confirmed_at = DATE_SUB(confirmed_at, INTERVAL ? DAY), published_at = DATE_SUB(published_at, INTERVAL ? DAY),"
            " valid_until = DATE_SUB(valid_until, INTERVAL ? DAY), created_at = DATE_SUB(created_at, INTERVAL ? DAY),"
            " updated_at = DATE_SUB(updated_at, INTERVAL ? DAY) WHERE id = ?",
            d, d, d, d, d, d, d, d, d, d, id);
  c.execute("UPDATE rating_events SET created_at = DATE_SUB(created_at, INTERVAL ? DAY) WHERE rating_id = ?", d, id);
  c.execute("UPDATE rating_events e JOIN ratings g ON g.id = e.rating_id SET e.note = CONCAT('评审结果草案；异议期至 ',"
            " g.challenge_deadline) WHERE e.rating_id = ? AND e.action = 'draft'",
            id);
  c.execute("UPDATE rating_sheets SET updated_at = DATE_SUB(updated_at, INTERVAL ? DAY),"
            " submitted_at = DATE_SUB(submitted_at, INTERVAL ? DAY) WHERE rating_id = ?",
            d, d, id);
  return core::Ok{};
}

}  // namespace

core::Status seedRatingsDemo(App& app) {
  if (auto ok = app.loadRatingSchemes(); !ok) return ok.error();
  auto lease = app.pool().acquire();
  db::Connection& c = *lease;
  if (c.query("SELECT COUNT(*) AS n FROM ratings")[0].i64("n") > 0) return core::Ok{};
  for (const auto& plan : kPlanned) {
    if (auto ok = rate(app, c, plan); !ok) return ok;
  }
  return core::Ok{};
}

}  // namespace cw::server
