#include "cw/server/seed_demo.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "cw/core/field_cipher.hpp"
#include "cw/core/random.hpp"
#include "cw/core/time.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/bulk.hpp"
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
    {"CZ", "九江市财政局", "Jiujiang Finance Bureau", "general"},
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
    {"mz.zhaoli", "赵丽", "officer", "MZ", nullptr, nullptr, nullptr, "second civil affairs officer (四眼复核)"},
    {"mz.liuqiang", "刘强", "inspector", "MZ", "360402", "36040220230017", nullptr, "inspector, 民政, 濂溪区"},
    {"mz.zhoumin", "周敏", "inspector", "MZ", "360403", "36040320220042", nullptr, "inspector, 民政, 浔阳区"},
    {"mz.huangtao", "黄涛", "inspector", "MZ", "360424", "36042420210008", nullptr, "inspector, 民政, 修水县"},
    {"wj.sunlei", "孙磊", "inspector", "WJ", "360402", "36040220240003", nullptr, "inspector, 卫健, 濂溪区"},
    {"wj.zhaoyan", "赵燕", "inspector", "WJ", "360481", "36048120230011", nullptr, "inspector, 卫健, 瑞昌市"},
    {"wj.shenhong", "沈虹", "inspector", "WJ", "360400", "36040020210019", nullptr,
     "inspector, 卫健, 市本级 (third childcare evaluator)"},
    {"xf.wugang", "吴刚", "inspector", "XF", "360404", "36040420200025", nullptr, "inspector, 消防, 柴桑区"},
    {"sj.zhenghua", "郑华", "inspector", "SJ", "360483", "36048320220031", nullptr, "inspector, 市场监管, 庐山市"},
    {"inst.kangle", "康乐养老院", "institution", nullptr, nullptr, nullptr, "52360402MJA5K2818A",
     "institution user of 康乐养老院"},
    {"inst.xiaoxingxing", "小星星托育中心", "institution", nullptr, nullptr, nullptr, "52360403MJB7Q3914B",
     "institution user of 小星星托育中心"},
    {"sj.credit", "市场监管信用科", "bureau", "SJ", nullptr, nullptr, nullptr, "market supervision credit analyst"},
    {"cz.lina", "李娜", "officer", "CZ", nullptr, nullptr, nullptr, "finance officer (财政, joint measures)"},
    {"sj.wufang", "吴芳", "officer", "SJ", nullptr, nullptr, nullptr, "market supervision officer (joint measures)"},
    {"yb.heping", "何平", "officer", "YB", nullptr, nullptr, nullptr, "healthcare security officer (医保)"},
    {"fg.sunyu", "孙宇", "officer", "FG", nullptr, nullptr, nullptr, "development and reform officer (发改)"},
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

void seedReferenceData(App& app) {
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
      registry::indexInstitutions(c, {c.query("SELECT id FROM institutions WHERE credit_code = ?", i.creditCode)[0].i64("id")});
    }
    audit::Actor actor = audit::Actor::system("seed-demo", "seed-demo");
    app.audit().append(c, actor, {"reference.seed", "reference", "jiujiang", "{\"departments\":8,\"regions\":15}"});
    tx.commit();
  }
}

core::Result<std::vector<DemoAccount>> seedDemo(App& app) {
  if (!app.canStorePersonalData()) {
    return core::Error::precondition("seed-demo registers institutions with legal representatives' ID numbers: set "
                                     "CW_PII_ENCRYPTION_KEY and CW_PII_INDEX_KEY (scripts/run does this for you)");
  }
  seedReferenceData(app);

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
  if (auto ok = seedDrawsDemo(app); !ok) return ok.error();
  if (auto ok = seedHazardsDemo(app); !ok) return ok.error();
  if (auto ok = seedRatingsDemo(app); !ok) return ok.error();
  if (auto ok = seedCreditDemo(app); !ok) return ok.error();
  return accounts;
}


namespace {

// ---- Synthetic institutions for load tests (seedDemoInstitutions) ----

// A district with what a generator needs to write plausible names and addresses.
struct District {
  const char* code;
  const char* name;
  const char* namePrefix;  // how institution names start: 区 keep the city name ("九江市濂溪区"), 县/市 do not
  int weight;              // share of the institutions, roughly by population
  double longitude;
  double latitude;
  std::vector<const char*> towns;  // 街道 / 镇 / 乡
  std::vector<const char*> roads;
};

const std::vector<District>& districts() {
  static const std::vector<District> kAll{
      {"360402", "濂溪区", "九江市濂溪区", 10, 115.99, 29.67,
       {"十里街道", "五里街道", "莲花镇", "姑塘镇", "威家镇", "虞家河乡", "赛阳镇", "新港镇", "高垄乡"},
       {"十里大道", "长虹大道", "前进东路", "濂溪大道", "九瑞大道", "莲花池路"}},
      {"360403", "浔阳区", "九江市浔阳区", 9, 115.99, 29.73,
       {"甘棠街道", "湓浦街道", "人民路街道", "白水湖街道", "金鸡坡街道", "滨兴街道", "向阳街道"},
       {"浔阳路", "甘棠北路", "庐山北路", "湓浦路", "大中路", "长江大道"}},
      {"360404", "柴桑区", "九江市柴桑区", 7, 115.91, 29.61,
       {"沙河街镇", "狮子镇", "岷山乡", "港口街镇", "新合镇", "马回岭镇", "涌泉乡", "城门街道"},
       {"柴桑大道", "沙河大道", "新城大道", "九瑞公路"}},
      {"360423", "武宁县", "武宁县", 7, 115.10, 29.26,
       {"新宁镇", "鲁溪镇", "船滩镇", "澧溪镇", "罗坪镇", "石门楼镇", "宋溪镇", "杨洲乡"},
       {"沿湖路", "武宁大道", "八角亭路", "西海大道"}},
      {"360424", "修水县", "修水县", 15, 114.55, 29.03,
       {"义宁镇", "宁州镇", "渣津镇", "白岭镇", "全丰镇", "古市镇", "马坳镇", "太阳升镇", "山口镇", "杭口镇"},
       {"良塘大道", "凤凰山路", "修河大道", "宁州路"}},
      {"360425", "永修县", "永修县", 8, 115.81, 29.02,
       {"涂埠镇", "吴城镇", "虬津镇", "艾城镇", "滩溪镇", "燕坊镇", "三角乡", "柘林镇"},
       {"永修大道", "云居山大道", "建设路", "人民路"}},
      {"360426", "德安县", "德安县", 5, 115.76, 29.31,
       {"蒲亭镇", "丰林镇", "宝塔乡", "聂桥镇", "车桥镇", "吴山乡", "爱民乡"}, {"博阳路", "义峰路", "宝塔大道"}},
      {"360428", "都昌县", "都昌县", 14, 116.20, 29.27,
       {"都昌镇", "周溪镇", "三汊港镇", "中馆镇", "大沙镇", "汪墩乡", "春桥乡", "多宝乡", "左里镇"},
       {"东湖大道", "矶山路", "滨湖大道", "正街"}},
      {"360429", "湖口县", "湖口县", 6, 116.25, 29.73,
       {"双钟镇", "均桥镇", "武山镇", "城山镇", "大垅乡", "舜德乡", "流泗镇"}, {"石钟山路", "湖口大道", "朝阳路"}},
      {"360430", "彭泽县", "彭泽县", 7, 116.55, 29.90,
       {"龙城镇", "芙蓉墩镇", "马当镇", "太泊湖街道", "黄岭乡", "浩山乡", "天红镇"}, {"龙城大道", "陶公路", "彭湖大道"}},
      {"360481", "瑞昌市", "瑞昌市", 9, 115.68, 29.68,
       {"湓城街道", "桂林街道", "码头镇", "赛湖街道", "范镇", "黄金乡", "南义镇", "夏畈镇"},
       {"人民路", "湓城大道", "赛湖大道", "桂林路"}},
      {"360482", "共青城市", "共青城市", 3, 115.80, 29.24,
       {"茶山街道", "江益镇", "甘露镇", "泽泉乡", "金湖乡", "苏家垱乡"}, {"青年大道", "富华大道", "共青大道"}},
      {"360483", "庐山市", "庐山市", 6, 116.04, 29.45,
       {"南康镇", "白鹿镇", "温泉镇", "华林镇", "横塘镇", "蓼南乡", "海会镇", "牯岭镇"},
       {"南康大道", "紫阳大道", "庐山大道"}},
  };
  return kAll;
}

struct KindShare {
  const char* kind;
  int weight;  // per mille: elderly care 60 %, childcare 40 %
  int capacityMin;
  int capacityMax;
  std::vector<const char*> suffixes;
  std::vector<std::pair<const char*, int>> ownerships;  // with weights
};

const std::vector<KindShare>& kindShares() {
  static const std::vector<KindShare> kAll{
      {"elderly_institution", 300, 20, 500, {"养老院", "颐养中心", "养老服务中心", "护理院", "康养中心", "老年公寓"},
       {{"public", 15}, {"public_built_private_run", 20}, {"private_nonprofit", 45}, {"private_forprofit", 20}}},
      {"community_elderly_facility", 200, 20, 80, {"日间照料中心", "社区养老服务站", "居家养老服务中心", "综合养老服务中心"},
       {{"public", 30}, {"public_built_private_run", 50}, {"private_nonprofit", 20}}},
      {"rural_elderly_home", 100, 20, 150, {"敬老院", "中心敬老院", "农村幸福院"},
       {{"public", 80}, {"public_built_private_run", 20}}},
      {"childcare_institution", 150, 30, 150, {"托育园", "托育中心", "早教托育中心"},
       {{"public", 5}, {"public_built_private_run", 10}, {"private_nonprofit", 25}, {"private_forprofit", 60}}},
      {"community_childcare_point", 100, 10, 60, {"社区托育点", "托育点"},
       {{"public", 40}, {"public_built_private_run", 40}, {"private_nonprofit", 20}}},
      {"family_childcare_point", 50, 10, 20, {"家庭托育点"}, {{"private_forprofit", 100}}},
      {"kindergarten_nursery_class", 100, 10, 60, {"幼儿园托班", "中心幼儿园托班"},
       {{"public", 50}, {"private_nonprofit", 30}, {"private_forprofit", 20}}},
  };
  return kAll;
}

constexpr const char* kElderlyBrands[] = {
    "夕阳红", "康乐", "福寿", "颐和", "安康", "松鹤", "康宁", "爱心", "幸福", "长青", "金色年华", "春晖", "福康", "仁爱", "慈孝",
    "乐龄", "颐康", "怡然", "祥和", "寿康", "百岁", "东篱", "晚晴", "康馨", "福乐", "泰和", "鹤年", "颐寿", "同心", "和美"};
constexpr const char* kChildcareBrands[] = {
    "小星星", "贝贝乐", "童心", "阳光宝贝", "爱弥儿", "小天使", "彩虹", "启智", "蒲公英", "七彩", "小橡树", "乐童", "金贝贝", "育苗", "童趣",
    "小太阳", "快乐宝贝", "新芽", "亲亲宝贝", "米粒", "小海豚", "未来星", "嘉禾", "种子", "花蕾", "萌芽", "小精灵", "艾乐", "格林", "博雅"};
// Drawn about once in 10,000 names, so a name search for it finds a few dozen rows in a million.
constexpr const char* kRareBrand = "鹤鸣";
constexpr const char* kCommunities[] = {"东风", "建设", "胜利", "幸福", "和平", "滨江", "新村", "湖滨", "南湖", "白鹿",
                                        "龙山", "东湖", "花园", "桥头", "站前", "团结", "联盟", "青山", "长虹", "清泉"};
constexpr const char* kVillages[] = {"新塘", "黄泥", "上坂", "下屋", "石桥", "大塘", "东岭", "柳林", "杨家", "陈家",
                                     "刘家", "山背", "河口", "官庄", "桥东", "长岭", "田铺", "松树", "洪家", "塘下"};
constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
                                     "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
                                     "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "熊",
                                     "王", "李", "张", "刘", "陈", "胡", "徐", "吴", "黄", "万"};
constexpr const char* kGivenChars[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
                                       "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "文", "辉", "玲", "红", "志", "林",
                                       "飞", "斌", "鹏", "海", "燕", "波", "宇", "浩", "凯", "晨", "欣", "琳", "婷", "雪", "慧",
                                       "佳", "俊", "峰", "丹", "萍", "建", "国", "春", "梅", "兰", "荣", "德", "福", "清", "云"};
constexpr const char* kMobilePrefixes[] = {"130", "131", "133", "135", "136", "137", "138", "139", "150", "151",
                                           "152", "155", "158", "159", "177", "180", "186", "187", "188", "189", "199"};
constexpr const char* kHospitals[] = {"九江市第一人民医院", "九江市第三人民医院", "九江市中医医院", "九江学院附属医院"};

// SplitMix64: tiny, fast and good enough for demo data; one generator per row keeps rows independent, so any row
// can be regenerated (and an interrupted seed resumed) without replaying the ones before it.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[next() % N];
  }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[next() % items.size()];
  }

 private:
  std::uint64_t state_;
};

constexpr std::uint64_t kSeed = 0x63617265'77617463ull;  // "carewatc"
constexpr std::string_view kCreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

std::string digits(Rng& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + rng.next() % 10);
  return out;
}

// Positions 11-17 of a generated credit code: seq scrambled by a bijection of [0, 31^7) (a multiplier prime to
// 31), so codes look random yet never repeat.
std::string organisationSuffix(std::uint64_t seq) {
  constexpr std::uint64_t kSpace = 27'512'614'111ull;  // 31^7
  std::uint64_t v = (seq % kSpace * 2'654'435'761ull + 7'777'777ull) % kSpace;
  std::string out(7, '0');
  for (int i = 6; i >= 0; --i, v /= 31) out[static_cast<std::size_t>(i)] = kCreditAlphabet[v % 31];
  return out;
}

std::string creditCode(std::string_view first10, std::string_view last7) {
  std::string first17 = std::string(first10) + std::string(last7);
  return first17 + registry::creditCodeCheckChar(first17);
}

std::string personName(Rng& rng) {
  std::string name = rng.pick(kSurnames);
  name += rng.pick(kGivenChars);
  if (rng.chance(0.7)) name += rng.pick(kGivenChars);
  return name;
}

std::string residentId(Rng& rng, const std::string& region) {
  using namespace std::chrono;
  constexpr sys_days kFrom = year{1950} / January / 1;
  constexpr sys_days kTo = year{1995} / December / 31;
  year_month_day born{kFrom + days(rng.between(0, (kTo - kFrom).count()))};
  char birth[16];
  std::snprintf(birth, sizeof birth, "%04d%02u%02u", static_cast<int>(born.year()), static_cast<unsigned>(born.month()),
                static_cast<unsigned>(born.day()));
  char sequence[16];
  std::snprintf(sequence, sizeof sequence, "%03d", static_cast<int>(rng.between(1, 999)));
  std::string first17 = region + birth + sequence;
  return first17 + registry::residentIdCheckChar(first17);
}

std::string phone(Rng& rng) {
  if (rng.chance(0.3)) return "0792-" + std::to_string(rng.between(2, 8)) + digits(rng, 6);
  return std::string(rng.pick(kMobilePrefixes)) + digits(rng, 8);
}

std::string coordinate(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", value);
  return buf;
}

int yearOf(core::Day day) { return static_cast<int>(std::chrono::year_month_day(day).year()); }

const KindShare& drawKind(Rng& rng, const std::optional<std::string>& sector) {
  const auto& all = kindShares();
  int total = 0;
  for (const auto& k : all) {
    if (!sector || registry::sectorOfKind(k.kind) == *sector) total += k.weight;
  }
  auto draw = rng.between(0, total - 1);
  for (const auto& k : all) {
    if (sector && registry::sectorOfKind(k.kind) != *sector) continue;
    if (draw < k.weight) return k;
    draw -= k.weight;
  }
  return all.front();
}

const District& drawDistrict(Rng& rng) {
  static const int kTotal = [] {
    int t = 0;
    for (const auto& d : districts()) t += d.weight;
    return t;
  }();
  auto draw = rng.between(0, kTotal - 1);
  for (const auto& d : districts()) {
    if (draw < d.weight) return d;
    draw -= d.weight;
  }
  return districts().front();
}

const char* drawOwnership(Rng& rng, const KindShare& kind) {
  int total = 0;
  for (const auto& [_, w] : kind.ownerships) total += w;
  auto draw = rng.between(0, total - 1);
  for (const auto& [o, w] : kind.ownerships) {
    if (draw < w) return o;
    draw -= w;
  }
  return kind.ownerships.front().first;
}

// GB 32100 positions 1-2 (registering authority and category) by ownership: 12 public institution (事业单位,
// 机构编制), 52 private non-enterprise unit (民办非企业单位, 民政), 91 enterprise, 92 individual business.
std::pair<const char*, std::string> authorityOf(const std::string& ownership, const std::string& kind,
                                               const District& d) {
  if (ownership == "public") return {"12", std::string(d.namePrefix) + "机构编制委员会办公室"};
  if (ownership == "private_forprofit") {
    return {kind == "family_childcare_point" ? "92" : "91", std::string(d.namePrefix) + "市场监督管理局"};
  }
  return {"52", std::string(d.namePrefix) + "民政局"};
}

std::string institutionName(Rng& rng, const KindShare& kind, const District& d, const std::string& town) {
  bool elderly = registry::sectorOfKind(kind.kind) == "elderly";
  std::string brand = rng.chance(0.0001) ? kRareBrand : (elderly ? rng.pick(kElderlyBrands) : rng.pick(kChildcareBrands));
  std::string suffix = rng.pick(kind.suffixes);
  std::string kindName = kind.kind;
  std::string name = d.namePrefix;
  if (kindName == "community_elderly_facility" || kindName == "community_childcare_point") {
    name += town + rng.pick(kCommunities) + "社区" + suffix;
  } else if (kindName == "rural_elderly_home") {
    name += town + (suffix == "农村幸福院" ? std::string(rng.pick(kVillages)) + "村" : std::string()) + suffix;
  } else if (kindName == "kindergarten_nursery_class" && suffix == "中心幼儿园托班") {
    name += town + suffix;
  } else {
    if (rng.chance(0.4)) name += town;
    name += brand + suffix;
  }
  return name;
}

}  // namespace

SyntheticInstitution syntheticInstitution(std::uint64_t seq, const SyntheticSpec& spec, core::Day today) {
  using namespace std::chrono;
  Rng rng(kSeed ^ (seq * 0xD1B54A32D192ED03ull));
  const District& d = drawDistrict(rng);
  const KindShare& kind = drawKind(rng, spec.sector);
  const std::string kindName = kind.kind;
  const bool elderly = registry::sectorOfKind(kindName) == "elderly";
  const std::string ownership = drawOwnership(rng, kind);
  const std::string region = d.code;
  const std::string town = rng.pick(d.towns);
  auto [category, authority] = authorityOf(ownership, kindName, d);

  SyntheticInstitution out;
  out.filedOn = today - days(rng.between(0, 8 * 365));
  // During office hours in Shanghai (UTC+8), so the UTC date is the same day.
  auto officeSeconds = seconds(rng.between(0, 8 * 3600));
  out.filedAt = sys_days(out.filedOn) + hours(1) + officeSeconds + microseconds(rng.between(0, 999'999));
  const int filedYear = yearOf(out.filedOn);
  registry::Record& r = out.record;
  for (const auto& field : registry::institutionFields()) r.set(field.name, std::nullopt);
  r.set("credit_code", creditCode(std::string(category) + region + spec.marker, organisationSuffix(seq)));
  r.set("name", institutionName(rng, kind, d, town));
  r.set("kind", kindName);
  r.set("ownership", ownership);
  r.set("registering_authority", authority);
  r.set("region_code", region);
  // One draw per statement: the operands of + are not sequenced, and the data must not depend on the compiler.
  if (kindName == "rural_elderly_home") {
    std::string village = rng.pick(kVillages);
    r.set("address", std::string(d.name) + town + village + "村" + std::to_string(rng.between(1, 12)) + "组");
  } else {
    std::string road = rng.pick(d.roads);
    r.set("address", std::string(d.name) + town + road + " " + std::to_string(rng.between(1, 399)) + " 号");
  }
  if (rng.chance(0.8)) {
    r.set("longitude", coordinate(d.longitude + (rng.unit() - 0.5) * 0.3));
    r.set("latitude", coordinate(d.latitude + (rng.unit() - 0.5) * 0.3));
  }
  std::string legalRep = personName(rng);
  r.set("legal_rep_name", legalRep);
  r.set("legal_rep_id_number", residentId(rng, rng.chance(0.85) ? region : std::string(drawDistrict(rng).code)));
  r.set("contact_name", rng.chance(0.5) ? legalRep : personName(rng));
  r.set("contact_phone", phone(rng));

  // Most places are small: capacity skewed towards the low end of the kind's range.
  double u = rng.unit();
  int capacity = kind.capacityMin + static_cast<int>(u * u * (kind.capacityMax - kind.capacityMin));
  r.set("capacity", std::to_string(capacity));
  if (kindName == "elderly_institution") {
    r.set("nursing_beds", std::to_string(static_cast<int>(capacity * (0.3 + 0.5 * rng.unit()))));
  } else if (kindName == "rural_elderly_home") {
    r.set("nursing_beds", std::to_string(static_cast<int>(capacity * (0.1 + 0.3 * rng.unit()))));
  } else if (kindName == "community_elderly_facility" && rng.chance(0.5)) {
    r.set("nursing_beds", std::to_string(static_cast<int>(capacity * 0.3 * rng.unit())));
  }
  bool inclusive = rng.chance(elderly ? 0.4 : 0.5) || ownership == "public";
  r.set("inclusive", std::string(inclusive ? "true" : "false"));
  if (inclusive) {
    r.set("inclusive_price", std::to_string(elderly ? rng.between(30, 76) * 50 : rng.between(16, 44) * 50));
  }
  std::string medical = "none";
  if (kindName == "elderly_institution") {
    double m = rng.unit();
    medical = capacity >= 150 ? (m < 0.5 ? "clinic" : m < 0.9 ? "contract" : "none") : (m < 0.6 ? "contract" : "none");
  } else if (rng.chance(elderly ? 0.5 : 0.3)) {
    medical = "contract";
  }
  r.set("medical_integration", medical);
  if (medical == "clinic") r.set("medical_partner", std::string(rng.chance(0.5) ? "内设医务室" : "内设护理站"));
  if (medical == "contract") {
    r.set("medical_partner", rng.chance(0.5) ? std::string(rng.pick(kHospitals)) : town + "卫生院");
  }

  auto expiry = [&] { return core::formatDay(today + days(rng.between(1, 3 * 365))); };
  if (kindName != "family_childcare_point") {
    int fireYear = filedYear - static_cast<int>(rng.between(0, 1));
    std::string fire = "九消验字〔" + std::to_string(fireYear) + "〕第" + std::to_string(rng.between(1, 999)) + "号";
    r.set("fire_acceptance_no", fire);
    std::string issuer = "九江市消防救援支队";
    if (rng.chance(0.5)) issuer += std::string(d.name) + "大队";
    r.licences.push_back({"fire_acceptance", fire, issuer, expiry()});
  }
  if (capacity >= 30) {
    std::string food = "JY1" + region + digits(rng, 7);
    r.set("food_licence_no", food);
    r.licences.push_back({"food_business", food, std::string(d.namePrefix) + "市场监督管理局", expiry()});
  }
  if (medical == "clinic") {
    std::string number = "PDY" + digits(rng, 5);
    number += "-" + region + "17A" + digits(rng, 4);
    r.licences.push_back({"medical_practice", number, std::string(d.namePrefix) + "卫生健康委员会", expiry()});
  }
  // 公建民营: the operator that runs the publicly built place is a related party.
  if (ownership == "public_built_private_run") {
    core::Day from = out.filedOn - days(rng.between(0, 365));
    std::string operatorCode = creditCode(std::string("91") + region + "MA", organisationSuffix(rng.next() % 1'000'000'000));
    std::string operatorName = std::string("九江") + (elderly ? rng.pick(kElderlyBrands) : rng.pick(kChildcareBrands)) +
                               (elderly ? "养老服务有限公司" : "托育服务有限公司");
    r.relations.push_back({"operator", operatorName, operatorCode, core::formatDay(from),
                           core::formatDay(from + days(5 * 365))});
  }
  if (auto ok = registry::validateRecord(r, today); !ok) {
    throw std::logic_error("synthetic institution " + std::to_string(seq) + " is invalid: " + ok.error().message);
  }
  return out;
}

namespace {

struct Pending {
  registry::BulkInstitution row;  // the ID number already protected (masked, cipher, blind index)
  std::string department;         // competent for its sector: numbers its filing
  int filedYear = 0;
};

// One transaction's worth of rows, made ready (generated, encrypted, snapshot written) off the writing thread.
struct PreparedBatch {
  std::vector<Pending> rows;
  std::map<std::pair<std::string, int>, long long> perCounter;  // (department, year) -> rows
};

constexpr std::int64_t kTransactionRows = 10'000;
constexpr std::int64_t kProgressEvery = 50'000;
constexpr const char* kIdContext = "institution.legal_rep_id";  // as RegistryService encrypts it

}  // namespace

core::Result<BulkSeedReport> seedDemoInstitutions(App& app, std::int64_t count,
                                                  const std::function<void(const BulkSeedProgress&)>& progress) {
  using namespace std::chrono;
  if (count < 1 || count > kMaxSyntheticInstitutions) {
    return core::Error::invalid("institutions", "--institutions must be between 1 and " +
                                                    std::to_string(kMaxSyntheticInstitutions));
  }
  const auto& settings = app.config().registry;
  if (settings.piiEncryptionKey.empty() || settings.piiIndexKey.empty()) {
    return core::Error::precondition("generated institutions carry legal representatives' ID numbers: set "
                                     "CW_PII_ENCRYPTION_KEY and CW_PII_INDEX_KEY");
  }
  // The same keys as the App's cipher, so the server decrypts what is written here. Nonces come from the OS CSPRNG:
  // AES-GCM must never reuse one, so the ciphertexts (only they) differ between runs.
  core::SecureRandom random;
  auto cipher = core::FieldCipher::create(settings.piiEncryptionKey, settings.piiIndexKey, random);
  if (!cipher) return cipher.error();

  auto started = steady_clock::now();
  auto lease = app.pool().acquire();
  db::Connection& c = *lease;
  for (const auto& d : districts()) {
    if (c.query("SELECT code FROM regions WHERE code = ?", d.code).empty()) {
      return core::Error::precondition(std::string("region ") + d.code + " is missing: run seed-demo without "
                                       "--institutions first");
    }
  }
  std::map<std::string, std::string> departmentOf;  // sector -> competent department, as the registry picks it
  for (const char* sector : {"elderly", "childcare"}) {
    auto rows = c.query("SELECT code FROM departments WHERE sector = ? ORDER BY sort_order, code LIMIT 1", sector);
    if (rows.empty()) return core::Error::precondition(std::string("no department supervises ") + sector + " care");
    departmentOf[sector] = rows[0].str("code");
  }

  BulkSeedReport report;
  report.requested = count;
  report.existing = c.query("SELECT COUNT(*) AS n FROM institutions WHERE SUBSTRING(credit_code, 9, 2) = ?",
                            kSyntheticMarker)[0].i64("n");
  if (report.existing >= count) {
    report.elapsed = steady_clock::now() - started;
    return report;
  }

  const core::Day today = core::shanghaiDay(system_clock::now());
  registry::BulkWriter writer("seed", std::nullopt);

  const std::int64_t toWrite = count - report.existing;
  auto prepare = [&cipher, &departmentOf, today](std::int64_t first, std::int64_t last) {
    const SyntheticSpec spec;
    PreparedBatch out;
    out.rows.reserve(static_cast<std::size_t>(last - first));
    for (std::int64_t seq = first; seq < last; ++seq) {
      Pending p;
      SyntheticInstitution inst = syntheticInstitution(static_cast<std::uint64_t>(seq), spec, today);
      registry::Record& r = inst.record;
      std::string id = *r.get("legal_rep_id_number");
      r.set("legal_rep_id_cipher", cipher->encrypt(id, kIdContext));
      r.set("legal_rep_id_index", cipher->blindIndex(id, kIdContext));
      r.set("legal_rep_id_number", registry::maskResidentId(id));
      p.department = departmentOf.at(registry::sectorOfKind(*r.get("kind")));
      p.filedYear = yearOf(inst.filedOn);
      p.row.createdAt = core::formatSqlDateTime(inst.filedAt);
      p.row.snapshot = registry::versionSnapshot(r);
      p.row.record = std::move(r);
      ++out.perCounter[{p.department, p.filedYear}];
      out.rows.push_back(std::move(p));
    }
    return out;
  };
  // Two cores do twice the work: the next batch is generated while this one is written.
  std::future<PreparedBatch> upcoming =
      std::async(std::launch::async, prepare, report.existing, std::min(count, report.existing + kTransactionRows));
  std::int64_t nextReport = kProgressEvery;
  for (std::int64_t first = report.existing; first < count; first += kTransactionRows) {
    const std::int64_t last = std::min(count, first + kTransactionRows);
    PreparedBatch prepared = upcoming.get();
    if (last < count) {
      upcoming = std::async(std::launch::async, prepare, last, std::min(count, last + kTransactionRows));
    }
    std::vector<Pending>& batch = prepared.rows;

    db::Transaction tx(c);
    std::map<std::pair<std::string, int>, long long> nextNumber;
    for (const auto& [key, rows] : prepared.perCounter) {
      nextNumber[key] = registry::reserveFilingNumbers(c, key.first, key.second, rows);
    }
    std::vector<registry::BulkInstitution> rows;
    rows.reserve(batch.size());
    for (auto& p : batch) {
      p.row.filingNo = registry::formatFilingNumber(p.department, p.filedYear, nextNumber[{p.department, p.filedYear}]++);
      rows.push_back(std::move(p.row));
    }
    writer.write(c, rows);
    tx.commit();
    report.written += last - first;
    if (progress && (report.written >= nextReport || last == count)) {
      progress({report.written, toWrite, steady_clock::now() - started});
      while (nextReport <= report.written) nextReport += kProgressEvery;
    }
  }

  {
    db::Transaction tx(c);
    Poco::JSON::Object::Ptr summary = new Poco::JSON::Object;
    summary->set("generated", report.written);
    summary->set("total", count);
    summary->set("marker", std::string(kSyntheticMarker));
    app.audit().append(c, audit::Actor::system("seed-demo", "seed-demo"),
                       {"institution.seed_bulk", "institution", "seed-demo", http::toJsonText(summary)});
    tx.commit();
  }
  report.elapsed = steady_clock::now() - started;
  return report;
}

}  // namespace cw::server
