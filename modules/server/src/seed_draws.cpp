// Demo data of the inspection draws: the item list, the inspector directory (the demo inspector accounts plus
// members without accounts), one key-supervision list, and one annual plan whose first task is locked and drawn,
// so the public portal shows a verifiable draw from the first start.
#include <iostream>

#include "cw/core/time.hpp"
#include "cw/core/workdays.hpp"
#include "cw/server/seed_demo.hpp"

namespace cw::server {

namespace {

struct Item {
  const char* code;
  const char* name;
  const char* department;
  const char* legalBasis;
  const char* kinds;
  const char* methods;
};

constexpr const char* kElderly = "elderly_institution,community_elderly_facility,rural_elderly_home";
constexpr const char* kChildcare =
    "childcare_institution,community_childcare_point,family_childcare_point,kindergarten_nursery_class";
constexpr const char* kAll =
    "elderly_institution,community_elderly_facility,rural_elderly_home,childcare_institution,"
    "community_childcare_point,family_childcare_point,kindergarten_nursery_class";

const Item kItems[] = {
    {"MZ-YL-01", "养老机构备案及登记事项符合情况", "MZ", "《养老机构管理办法》（民政部令第66号）第九条、第十条", kElderly,
     "site,document"},
    {"MZ-YL-02", "养老机构服务安全基本规范执行情况（GB 38600-2019）", "MZ",
     "《养老机构服务安全基本规范》GB 38600-2019；《养老机构管理办法》第二十一条", kElderly, "site"},
    {"MZ-YL-03", "收费项目、标准及依据公示情况", "MZ", "《养老机构管理办法》第十九条", kElderly, "site,document"},
    {"MZ-YL-04", "工作人员配备、资格与培训情况", "MZ", "《养老机构管理办法》第二十五条", kElderly, "document"},
    {"MZ-YL-05", "安全管理与应急预案落实情况", "MZ", "《养老机构管理办法》第三十二条至第三十五条", kElderly, "site,document"},
    {"MZ-YL-06", "服务协议签订与入住评估情况", "MZ", "《养老机构管理办法》第十三条、第十五条", kElderly, "document"},
    {"WJ-TY-01", "托育机构备案情况", "WJ", "《托育机构登记和备案办法（试行）》第五条", kChildcare, "document"},
    {"WJ-TY-02", "托育机构卫生保健工作落实情况", "WJ", "《托儿所幼儿园卫生保健管理办法》；《托育机构保育指导大纲（试行）》",
     kChildcare, "site,document"},
    {"WJ-TY-03", "视频监控覆盖与录像保存情况", "WJ", "《托育机构管理规范（试行）》第二十二条", kChildcare, "site,online"},
    {"WJ-TY-04", "保育人员配备比例与资质", "WJ", "《托育机构设置标准（试行）》第十二条", kChildcare, "document"},
    {"XF-01", "消防安全责任制及设施设备完好情况", "XF", "《中华人民共和国消防法》第十六条", kAll, "site,testing"},
    {"SJ-01", "食品经营许可与食品安全管理情况", "SJ", "《中华人民共和国食品安全法》第三十五条", kAll, "site,testing"},
};

struct Member {
  const char* name;
  const char* department;
  const char* region;
  const char* certificate;  // nullptr for experts
  const char* kind;
  const char* expertise;
};

// Members without sign-in accounts; with the demo inspector accounts this gives each department enough people
// to send two to every drawn entity even with cross-jurisdiction recusal.
const Member kMembers[] = {
    {"何志明", "MZ", "360404", "36040420190031", "enforcement", "养老服务,安全管理"},
    {"许婷", "MZ", "360425", "36042520200012", "enforcement", "养老服务,收费监管"},
    {"邓超", "MZ", "360481", "36048120210007", "enforcement", "养老服务"},
    {"曹丽华", "MZ", "360402", "36040220220015", "enforcement", "养老服务,食品安全"},
    {"彭军", "MZ", "360483", "36048320180044", "enforcement", "养老服务"},
    {"韩雪", "WJ", "360403", "36040320210026", "enforcement", "托育服务,卫生保健"},
    {"杨帆", "WJ", "360404", "36040420230008", "enforcement", "托育服务"},
    {"蒋玲", "WJ", "360424", "36042420200019", "enforcement", "托育服务,卫生保健"},
    {"谢宏", "XF", "360402", "36040220170052", "enforcement", "消防安全"},
    {"罗斌", "SJ", "360403", "36040320190038", "enforcement", "食品安全"},
    {"胡教授", "MZ", "360400", nullptr, "expert", "老年医学"},
    {"沈主任", "WJ", "360400", nullptr, "expert", "儿童保健"},
};

}  // namespace

core::Status seedDrawsDemo(App& app) {
  audit::Actor actor = audit::Actor::system("seed-demo", "seed-demo");
  std::string now = core::formatSqlDateTime(std::chrono::system_clock::now());
  auto lease = app.pool().acquire();
  db::Connection& c = *lease;
  {
    db::Transaction tx(c);
    for (const auto& i : kItems) {
      c.execute("INSERT INTO inspection_items (code, name, department_code, legal_basis, kinds, check_methods, active,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) ON DUPLICATE KEY UPDATE code = code",
                i.code, i.name, i.department, i.legalBasis, i.kinds, i.methods, now, now);
    }
    c.execute("INSERT INTO special_lists (code, name, list_kind, created_at) VALUES ('KEY-2026', '2026年重点监管养老机构名单',"
              " 'key_supervision', ?) ON DUPLICATE KEY UPDATE code = code",
              now);
    c.execute("INSERT INTO special_lists (code, name, list_kind, created_at) VALUES ('COMPLAINT-2026', '2026年投诉举报线索名单',"
              " 'complaint', ?) ON DUPLICATE KEY UPDATE code = code",
              now);
    tx.commit();
  }
  http::Principal admin;
  admin.role = "admin";
  admin.userId = c.query("SELECT id FROM users WHERE username = 'admin'")[0].i64("id");
  if (c.query("SELECT COUNT(*) AS n FROM inspectors")[0].i64("n") == 0) {
    for (const auto& u : c.query("SELECT id, display_name, department_code, region_code, certificate_no FROM users"
                                 " WHERE role = 'inspector' ORDER BY id")) {
      draws::Inspector in;
      in.userId = u.i64("id");
      in.name = u.str("display_name");
      in.departmentCode = u.str("department_code");
      in.regionCode = u.str("region_code");
      in.certificateNo = u.optStr("certificate_no");
      in.memberKind = "enforcement";
      in.expertise = "";
      auto created = app.draws().createInspector(actor, admin, in);
      if (!created) return created.error();
    }
    for (const auto& m : kMembers) {
      draws::Inspector in;
      in.name = m.name;
      in.departmentCode = m.department;
      in.regionCode = m.region;
      if (m.certificate) in.certificateNo = m.certificate;
      in.memberKind = m.kind;
      in.expertise = m.expertise;
      auto created = app.draws().createInspector(actor, admin, in);
      if (!created) return created.error();
    }
  }
  if (c.query("SELECT COUNT(*) AS n FROM inspection_plans")[0].i64("n") > 0) return core::Ok{};

  http::Principal officer;
  auto wangli = c.query("SELECT id FROM users WHERE username = 'mz.wangli'");
  if (wangli.empty()) return core::Ok{};
  officer.userId = wangli[0].i64("id");
  officer.role = "officer";
  officer.departmentCode = "MZ";
  auto plan = app.draws().createPlan(actor, officer, 2026, "2026年度养老机构“双随机、一公开”抽查计划");
  if (!plan) return plan.error();
  draws::TaskInput t;
  t.planId = plan->id;
  t.title = "2026年第四季度养老机构双随机抽查";
  t.regionCode = "360400";
  t.kinds = {"elderly_institution", "community_elderly_facility", "rural_elderly_home"};
  t.filingStates = {"filed"};
  t.strataBy = {"region", "grade"};
  t.gradeRatios = draws::defaultGradeRatios();
  t.gradeRatios["B"] = 3000;  // a demo city is small: 30% of the medium-risk grade
  // The window opens on the seed day (Asia/Shanghai) and runs six weeks, so demo inspectors can record at once.
  core::Day today = core::shanghaiDay(std::chrono::system_clock::now());
  t.windowStart = core::formatDay(today);
  t.windowEnd = core::formatDay(today + std::chrono::days(42));
  t.crossJurisdiction = true;
  t.capSlack = 1;
  t.itemCodes = {"MZ-YL-01", "MZ-YL-02", "MZ-YL-03", "MZ-YL-05"};
  t.departments = {{"MZ", 2, "open"}};
  auto task = app.draws().createTask(actor, officer, t);
  if (!task) return task.error();
  if (auto locked = app.draws().lock(actor, officer, task->id); !locked) return locked.error();
  if (auto drawn = app.draws().draw(actor, officer, task->id, ""); !drawn) return drawn.error();
  // A second task stays in draft, for the console's task editor.
  t.title = "2026年养老机构消防安全部门联合抽查";
  t.itemCodes = {"MZ-YL-05", "XF-01"};
  t.departments = {{"MZ", 1, "open"}, {"XF", 1, "open"}};
  t.joint = true;
  t.crossJurisdiction = false;
  t.gradeRatios = draws::defaultGradeRatios();
  t.gradeRatios["B"] = 5000;
  if (auto draft = app.draws().createTask(actor, officer, t); !draft) return draft.error();
  return core::Ok{};
}

}  // namespace cw::server
