#include "cw/server/seed_demo.hpp"

#include <optional>

#include "cw/core/time.hpp"
#include "cw/registry/codes.hpp"
#include "cw/registry/model.hpp"

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
    {"52360402MJA5K2818A", "九江市濂溪区康乐养老院", "elderly_institution", "360402"},
    {"52360403MJB7Q3914B", "九江市浔阳区小星星托育中心", "childcare_institution", "360403"},
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

struct FiledInstitution {
  const char* org;  // positions 9-17 of the credit code
  const char* name;
  const char* kind;
  const char* ownership;
  const char* region;
  const char* address;
  const char* legalRep;
  const char* legalRepBirth;  // YYYYMMDD
  int capacity;
  int nursingBeds;  // elderly only, -1 for none
  bool inclusive;
  const char* licenceExpiry;  // fire-safety acceptance / food licence expiry
};

// Registered and filed by the competent department, so the directory has something to show.
constexpr FiledInstitution kFiled[] = {
    {"MJA1C2D3E", "九江市濂溪区夕阳红颐养院", "elderly_institution", "private_nonprofit", "360402",
     "濂溪区十里大道 88 号", "李建国", "19650312", 180, 120, true, "2027-03-31"},
    {"MJB2D3E4F", "九江市浔阳区甘棠社区日间照料中心", "community_elderly_facility", "public_built_private_run",
     "360403", "浔阳区甘棠北路 12 号", "张慧", "19780921", 40, -1, true, "2026-12-15"},
    {"MJC3E4F5G", "九江市柴桑区沙河街敬老院", "rural_elderly_home", "public", "360404", "柴桑区沙河街镇新街 3 号",
     "王志强", "19700105", 60, 20, false, "2028-06-30"},
    {"MJD4F5G6H", "修水县颐康养老服务中心", "elderly_institution", "private_forprofit", "360424",
     "修水县义宁镇良塘大道 206 号", "陈美玲", "19820417", 260, 150, false, "2026-12-05"},
    {"MJE5G6H7J", "瑞昌市湓城街道综合养老服务中心", "community_elderly_facility", "public_built_private_run",
     "360481", "瑞昌市湓城街道人民路 45 号", "刘卫东", "19690830", 50, -1, true, "2027-09-01"},
    {"MJF6H7J8K", "九江市濂溪区贝贝乐托育园", "childcare_institution", "private_forprofit", "360402",
     "濂溪区前进东路 156 号", "周晓燕", "19880203", 90, -1, true, "2026-12-20"},
    {"MJG7J8K9L", "九江市浔阳区白鹿社区托育点", "community_childcare_point", "public", "360403",
     "浔阳区白鹿路 9 号", "吴敏", "19850611", 30, -1, true, "2027-05-10"},
    {"MJH8K9L1M", "共青城市阳光幼儿园托班", "kindergarten_nursery_class", "private_nonprofit", "360482",
     "共青城市茶山街道青年大道 77 号", "黄丽华", "19791128", 45, -1, true, "2028-01-15"},
};

core::Status seedFiledInstitutions(App& app) {
  auto officerOf = [&](const std::string& username) -> std::optional<http::Principal> {
    auto user = app.users().getByUsername(username);
    if (!user) return std::nullopt;
    http::Principal p;
    p.userId = user->id;
    p.username = user->username;
    p.role = user->role;
    p.departmentCode = user->departmentCode;
    return p;
  };
  audit::Actor actor = audit::Actor::system("seed-demo", "seed-demo");
  for (const auto& f : kFiled) {
    std::string first17 = std::string("52") + f.region + f.org;
    std::string code = first17 + registry::creditCodeCheckChar(first17);
    {
      auto lease = app.pool().acquire();
      if (!lease->query("SELECT id FROM institutions WHERE credit_code = ?", code).empty()) continue;
    }
    std::string sector = registry::sectorOfKind(f.kind);
    auto officer = officerOf(sector == "elderly" ? "mz.wangli" : "wj.chenjing");
    if (!officer) return core::Error::precondition("the demo officers must exist before the demo institutions");
    std::string id17 = std::string(f.region) + f.legalRepBirth + "031";
    registry::Record r;
    r.set("credit_code", code);
    r.set("name", std::string(f.name));
    r.set("kind", std::string(f.kind));
    r.set("ownership", std::string(f.ownership));
    r.set("registering_authority", std::string(sector == "elderly" ? "九江市民政局" : "九江市卫生健康委员会"));
    r.set("region_code", std::string(f.region));
    r.set("address", std::string(f.address));
    r.set("contact_name", std::string(f.legalRep));
    r.set("contact_phone", "0792-8" + std::to_string(100000 + f.capacity * 131));
    r.set("legal_rep_name", std::string(f.legalRep));
    r.set("legal_rep_id_number", id17 + registry::residentIdCheckChar(id17));
    r.set("capacity", std::to_string(f.capacity));
    if (f.nursingBeds >= 0) r.set("nursing_beds", std::to_string(f.nursingBeds));
    r.set("inclusive", std::string(f.inclusive ? "true" : "false"));
    if (f.inclusive) r.set("inclusive_price", std::string(sector == "elderly" ? "2600" : "1800"));
    r.set("medical_integration", std::string(f.capacity >= 150 ? "clinic" : "contract"));
    r.set("medical_partner", std::string(f.capacity >= 150 ? "内设医务室" : "九江市第一人民医院"));
    r.set("fire_acceptance_no", "九消验字〔2023〕第" + std::to_string(100 + f.capacity) + "号");
    r.licences.push_back({"fire_acceptance", "九消验字〔2023〕第" + std::to_string(100 + f.capacity) + "号",
                          std::string("九江市消防救援支队"), std::string(f.licenceExpiry)});
    r.licences.push_back({"food_business", "JY1360400" + std::to_string(1000000 + f.capacity * 37),
                          std::string("九江市市场监督管理局"), std::string(f.licenceExpiry)});
    auto created = app.registry().registerDirect(actor, *officer, r);
    if (!created) return core::Error{created.error().code, std::string(f.name) + ": " + created.error().message,
                                     created.error().field};
  }
  return core::Ok{};
}

}  // namespace

core::Result<std::vector<DemoAccount>> seedDemo(App& app) {
  if (!app.canStorePersonalData()) {
    return core::Error::precondition("seed-demo registers institutions with legal representatives' ID numbers: set "
                                     "CW_PII_ENCRYPTION_KEY and CW_PII_INDEX_KEY (scripts/run does this for you)");
  }
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
      // Known to the registry but not yet filed: their institution accounts submit the first filing.
      c.execute("INSERT INTO institutions (credit_code, name, kind, sector, region_code, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE name = name",
                i.creditCode, i.name, i.kind, registry::sectorOfKind(i.kind), i.region, now, now);
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
  if (auto ok = seedFiledInstitutions(app); !ok) return ok.error();
  return accounts;
}

}  // namespace cw::server
