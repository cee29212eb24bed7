#include "cw/server/seed_demo.hpp"

#include <optional>

#include "cw/core/time.hpp"

namespace cw::server {

namespace {

struct Department {
  const char* code;
  const char* name;
  const char* nameEn;
  const char* sector;
};

constexpr Department kDepartments[] = {
    {"MZ", "九江市民政局", "Jiujiang Civil Affairs Bureau", "elderly"},
    {"WJ", "九江市卫生健康委员会", "Jiujiang Health Commission", "childcare"},
    {"SJ", "九江市市场监督管理局", "Jiujiang Market Supervision Administration", "general"},
    {"XF", "九江市消防救援支队", "Jiujiang Fire and Rescue Detachment", "general"},
    {"ZJ", "九江市住房和城乡建设局", "Jiujiang Housing and Urban-Rural Development Bureau", "general"},
    {"YB", "九江市医疗保障局", "Jiujiang Healthcare Security Administration", "general"},
    {"FG", "九江市发展和改革委员会", "Jiujiang Development and Reform Commission", "general"},
};

struct Region {
  const char* code;
  const char* name;
};

// GB/T 2260 codes of Jiujiang's county-level divisions.
constexpr Region kDistricts[] = {
    {"360402", "濂溪区"}, {"360403", "浔阳区"}, {"360404", "柴桑区"}, {"360423", "武宁县"}, {"360424", "修水县"},
    {"360425", "永修县"}, {"360426", "德安县"}, {"360428", "都昌县"}, {"360429", "湖口县"}, {"360430", "彭泽县"},
    {"360481", "瑞昌市"}, {"360482", "共青城市"}, {"360483", "庐山市"},
};

struct Institution {
  const char* creditCode;  // 统一社会信用代码, check digit per GB 32100-2015
  const char* name;
  const char* kind;
  const char* region;
};

constexpr Institution kInstitutions[] = {
    {"52360402MJA5K2818A", "九江市濂溪区康乐养老院", "养老机构", "360402"},
    {"52360403MJB7Q3914B", "九江市浔阳区小星星托育中心", "托育机构", "360403"},
};

struct Account {
  const char* username;
  const char* displayName;
  const char* role;
  const char* department;
  const char* region;
  const char* certificate;
  const char* institutionCode;
  const char* description;
};

constexpr Account kAccounts[] = {
    {"admin", "系统管理员", "admin", nullptr, nullptr, nullptr, nullptr, "administrator"},
    {"mz.wangli", "王丽", "officer", "MZ", nullptr, nullptr, nullptr, "civil affairs officer (民政)"},
    {"wj.chenjing", "陈静", "officer", "WJ", nullptr, nullptr, nullptr, "health officer (卫健)"},
    {"mz.liuqiang", "刘强", "inspector", "MZ", "360402", "36040220230017", nullptr, "inspector, 民政, 濂溪区"},
    {"mz.zhoumin", "周敏", "inspector", "MZ", "360403", "36040320220042", nullptr, "inspector, 民政, 浔阳区"},
    {"mz.huangtao", "黄涛", "inspector", "MZ", "360424", "36042420210008", nullptr, "inspector, 民政, 修水县"},
    {"wj.sunlei", "孙磊", "inspector", "WJ", "360402", "36040220240003", nullptr, "inspector, 卫健, 濂溪区"},
    {"wj.zhaoyan", "赵燕", "inspector", "WJ", "360481", "36048120230011", nullptr, "inspector, 卫健, 瑞昌市"},
    {"xf.wugang", "吴刚", "inspector", "XF", "360404", "36040420200025", nullptr, "inspector, 消防, 柴桑区"},
    {"sj.zhenghua", "郑华", "inspector", "SJ", "360483", "36048320220031", nullptr, "inspector, 市场监管, 庐山市"},
    {"inst.kangle", "康乐养老院", "institution", nullptr, nullptr, nullptr, "52360402MJA5K2818A",
     "institution user of 康乐养老院"},
    {"sj.credit", "市场监管信用科", "bureau", "SJ", nullptr, nullptr, nullptr, "market supervision credit analyst"},
};

}  // namespace

core::Result<std::vector<DemoAccount>> seedDemo(App& app) {
  std::string now = core::formatSqlDateTime(std::chrono::system_clock::now());
  {
    auto lease = app.pool().acquire();
    db::Connection& c = *lease;
    db::Transaction tx(c);
    int order = 0;
    for (const auto& d : kDepartments) {
      c.execute("INSERT INTO departments (code, name, name_en, sector, sort_order) VALUES (?, ?, ?, ?, ?)"
                " ON DUPLICATE KEY UPDATE name = name",
                d.code, d.name, d.nameEn, d.sector, ++order);
    }
    c.execute("INSERT INTO regions (code, name, parent_code, level) VALUES ('360000', '江西省', NULL, 'province')"
              " ON DUPLICATE KEY UPDATE name = name");
    c.execute("INSERT INTO regions (code, name, parent_code, level) VALUES ('360400', '九江市', '360000', 'city')"
              " ON DUPLICATE KEY UPDATE name = name");
    for (const auto& r : kDistricts) {
      c.execute("INSERT INTO regions (code, name, parent_code, level) VALUES (?, ?, '360400', 'county')"
                " ON DUPLICATE KEY UPDATE name = name",
                r.code, r.name);
    }
    for (const auto& i : kInstitutions) {
      c.execute("INSERT INTO institutions (credit_code, name, kind, region_code, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE name = name",
                i.creditCode, i.name, i.kind, i.region, now, now);
    }
    audit::Actor actor = audit::Actor::system("seed-demo", "seed-demo");
    app.audit().append(c, actor, {"reference.seed", "reference", "jiujiang", "{\"departments\":7,\"regions\":15}"});
    tx.commit();
  }

  std::vector<DemoAccount> accounts;
  audit::Actor actor = audit::Actor::system("seed-demo", "seed-demo");
  for (const auto& a : kAccounts) {
    accounts.push_back({a.username, a.role, a.description});
    if (app.users().getByUsername(a.username)) continue;
    auth::NewUser u;
    u.username = a.username;
    u.displayName = a.displayName;
    u.role = a.role;
    u.password = kDemoPassword;
    if (a.department) u.departmentCode = a.department;
    if (a.region) u.regionCode = a.region;
    if (a.certificate) u.certificateNo = a.certificate;
    if (a.institutionCode) {
      auto lease = app.pool().acquire();
      auto rows = lease->query("SELECT id FROM institutions WHERE credit_code = ?", a.institutionCode);
      if (!rows.empty()) u.institutionId = rows[0].i64("id");
    }
    auto created = app.users().create(actor, u);
    if (!created) return created.error();
  }
  return accounts;
}

}  // namespace cw::server
