// Demo hazards: enough for every console page and the public portal to show something real, written through
// the service (so history, audit and outbox rows are the real ones).

#include <sstream>

#include "cw/core/time.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"

namespace cw::server {

std::optional<http::Principal> demoPrincipal(db::Connection& c, const std::string& username) {
  auto rows = c.query("SELECT id, display_name, role, department_code, region_code, institution_id FROM users"
                      " WHERE username = ?",
                      username);
  if (rows.empty()) return std::nullopt;
  http::Principal p;
  p.userId = rows[0].i64("id");
  p.username = username;
  p.displayName = rows[0].str("display_name");
  p.role = rows[0].str("role");
  p.departmentCode = rows[0].optStr("department_code");
  p.regionCode = rows[0].optStr("region_code");
  p.institutionId = rows[0].optI64("institution_id");
  return p;
}

audit::Actor demoActor(const http::Principal& p) {
  audit::Actor a = audit::Actor::system("seed-demo", "seed-demo");
  a.id = p.userId;
  a.name = p.displayName;
  a.role = p.role;
  return a;
}

namespace {

// A minimal valid PNG (1x1) with some bytes varied so each demo file has its own hash.
std::string demoPng(unsigned char tint) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string("\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x02\0\0\0\x90wS\xde", 25);
  png += std::string("\0\0\0\x0cIDAT\x08\xd7\x63", 11);
  png += static_cast<char>(tint);
  png += std::string("\x60\x60\0\0\0\x04\0\x01\x27\x34\x27\x0a\0\0\0\0IEND\xae\x42\x60\x82", 24);
  return png;
}

}  // namespace

core::Status seedHazardsDemo(App& app) {
  if (auto ok = app.loadHazardCatalogue(); !ok) return ok.error();
  auto lease = app.pool().acquire();
  db::Connection& c = *lease;
  if (c.query("SELECT COUNT(*) AS n FROM hazards")[0].i64("n") > 0) return core::Ok{};
  auto kangleUser = demoPrincipal(c, "inst.kangle");
  auto inspector = demoPrincipal(c, "mz.liuqiang");
  auto officer = demoPrincipal(c, "mz.wangli");
  auto second = demoPrincipal(c, "mz.zhaoli");
  if (!kangleUser || !inspector || !officer || !second || !kangleUser->institutionId) return core::Ok{};
  auto& hazards = app.hazards();
  std::int64_t kangle = *kangleUser->institutionId;

  // 1. Found at an inspection and closed: evidence uploaded, submitted, verified by another person.
  hazards::ReportInput in;
  in.institutionId = kangle;
  in.catalogueCode = "FI-01";
  in.title = "二楼走廊灭火器压力不足";
  in.description = "二楼东侧走廊 3 具干粉灭火器压力表指针位于红区，未按期检查维护。";
  in.location = "二楼东侧走廊";
  auto closed = hazards.report(demoActor(*inspector), *inspector, in);
  if (!closed) return closed.error();
  if (auto ok = hazards.acknowledge(demoActor(*kangleUser), *kangleUser, closed->id); !ok) return ok.error();
  {
    std::string png = demoPng(0x63);
    std::string body = "--seedboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"灭火器更换.png\"\r\n"
                       "Content-Type: image/png\r\n\r\n" +
                       png + "\r\n--seedboundary--\r\n";
    std::istringstream stream(body);
    auto uploaded = hazards.uploadEvidence(demoActor(*kangleUser), *kangleUser, closed->id,
                                           "multipart/form-data; boundary=seedboundary", body.size(), stream);
    if (!uploaded) return uploaded.error();
  }
  if (auto ok = hazards.submit(demoActor(*kangleUser), *kangleUser, closed->id, "已更换 3 具灭火器并建立月度检查记录。"); !ok) {
    return ok.error();
  }
  if (auto ok = hazards.verify(demoActor(*officer), *officer, closed->id, "现场复核：灭火器已更换，压力正常。"); !ok) {
    return ok.error();
  }

  // 2. A self-check in progress.
  hazards::ReportInput self;
  self.institutionId = kangle;
  self.catalogueCode = "SS-06";
  self.title = "卫生间未设置扶手与防滑垫";
  self.description = "自查发现 3 楼 2 间卫生间未设置扶手，地面无防滑措施，存在老年人跌倒风险。";
  self.location = "三楼 301、305 卫生间";
  if (auto ok = hazards.report(demoActor(*kangleUser), *kangleUser, self); !ok) return ok.error();

  // 3. A major hazard just notified.
  hazards::ReportInput major;
  major.institutionId = kangle;
  major.catalogueCode = "MA-05";
  major.title = "厨房与餐厅之间使用易燃夹芯彩钢板隔断";
  major.description = "厨房与老年人餐厅之间约 20 平方米隔墙为聚苯乙烯夹芯彩钢板，属重大事故隐患判定情形。";
  major.location = "一楼厨房";
  if (auto ok = hazards.report(demoActor(*inspector), *inspector, major); !ok) return ok.error();

  // 4. Elsewhere: a major fire hazard reported 75 days ago and not rectified (the seed backdates it), so the
  //    escalation job, the dashboard and the public list have a real case.
  auto other = c.query("SELECT id FROM institutions WHERE name = '修水县颐康养老服务中心'");
  if (!other.empty()) {
    hazards::ReportInput old;
    old.institutionId = other[0].i64("id");
    old.catalogueCode = "MA-02";
    old.title = "自动喷水灭火系统无法正常启动";
    old.description = "消防检测报告显示喷淋系统湿式报警阀故障，末端试水无水流，未按期维修。";
    old.location = "主楼";
    auto overdue = hazards.report(demoActor(*inspector), *inspector, old);
    if (!overdue) return overdue.error();
    auto back = std::chrono::system_clock::now() - std::chrono::hours(24 * 75);
    auto deadline = core::shanghaiDay(back) + std::chrono::days(30);
    c.execute("UPDATE hazards SET reported_at = ?, deadline = ?, original_deadline = ? WHERE id = ?",
              core::formatSqlDateTime(back), core::formatDay(deadline), core::formatDay(deadline), overdue->id);
    c.execute("UPDATE hazard_events SET at = ? WHERE hazard_id = ?", core::formatSqlDateTime(back), overdue->id);
    hazards.escalateOverdue();
  }

  // 5. A public complaint waiting for triage.
  auto sunset = c.query("SELECT id FROM institutions WHERE name = '九江市濂溪区夕阳红颐养院'");
  if (!sunset.empty()) {
    hazards::ComplaintInput complaint;
    complaint.institutionId = sunset[0].i64("id");
    complaint.category = "food";
    complaint.description = "探望母亲时看到厨房生熟食品混放，餐具未消毒就直接使用，晚餐饭菜是凉的。";
    auto filed = hazards.fileComplaint(complaint, "203.0.113.7");
    if (!filed) return filed.error();
  }
  (void)second;
  return core::Ok{};
}

}  // namespace cw::server
