// Demo credit data, written through the service: memoranda, the records of the events the other demo data wrote
// (the overdue major fire hazard of 颐康 becomes a blacklist proposal in its objection window), a blacklisting of
// 湓城 that went through notice and decision with feedback from the implementing departments in several states,
// and 夕阳红 on the red list.

#include <tuple>

#include "cw/core/time.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"

namespace cw::server {

namespace {

credit::Memorandum memo(std::string number, std::string title, std::string initiator, std::string basis,
                        std::vector<std::string> lists, std::vector<credit::MeasureSpec> measures) {
  credit::Memorandum m;
  m.spec.number = std::move(number);
  m.spec.title = std::move(title);
  m.spec.initiator = std::move(initiator);
  m.spec.basis = std::move(basis);
  m.spec.lists = std::move(lists);
  m.spec.measures = std::move(measures);
  m.signedOn = "2026-04-15";
  return m;
}

core::Status check(const core::Status& s, const std::string& what) {
  if (s) return s;
  return core::Error{s.error().code, "credit demo, " + what + ": " + s.error().message, s.error().field};
}

}  // namespace

core::Status seedCreditDemo(App& app) {
  if (auto ok = app.loadCreditScorecard(); !ok) return ok.error();
  auto& credit = app.credit();
  auto lease = app.pool().acquire();
  db::Connection& c = *lease;
  if (!c.query("SELECT id FROM credit_memoranda LIMIT 1").empty()) return core::Ok{};
  auto admin = demoPrincipal(c, "admin");
  auto wang = demoPrincipal(c, "mz.wangli");
  auto zhao = demoPrincipal(c, "mz.zhaoli");
  auto chen = demoPrincipal(c, "wj.chenjing");
  auto cz = demoPrincipal(c, "cz.lina");
  auto yb = demoPrincipal(c, "yb.heping");
  auto sj = demoPrincipal(c, "sj.wufang");
  if (!admin || !wang || !zhao || !chen || !cz || !yb || !sj) return core::Error::notFound("credit demo: accounts missing");

  const std::string basis103 = "民发〔2019〕103号《养老服务市场失信联合惩戒对象名单管理办法（试行）》";
  std::vector<credit::Memorandum> memoranda{
      memo("九民发〔2026〕18号", "关于对养老服务领域失信联合惩戒对象实施联合惩戒的合作备忘录", "MZ", basis103,
           {"MZ:blacklist"},
           {{"subsidy", "限制申请财政性资金补贴（建设补贴、运营补贴）", "subsidy", "restrict", "CZ",
             "备忘录第三条第（一）项；《九江市养老服务补贴资金管理办法》", "entity"},
            {"procurement", "限制参与政府采购养老服务项目", "procurement", "restrict", "CZ",
             "《政府采购法》第二十二条；备忘录第三条第（二）项", "entity"},
            {"investment", "限制政府投资项目和公建民营项目", "government_investment", "restrict", "FG",
             "备忘录第三条第（三）项", "entity"},
            {"inspection", "提高“双随机”抽查比例和频次", "inspection_ratio", "restrict", "SJ",
             "国发〔2019〕5号；备忘录第三条第（四）项", "entity"},
            {"medical", "限制新增医保定点协议管理", "designated_provider", "restrict", "YB",
             "《医疗机构医疗保障定点管理暂行办法》第十二条；备忘录第三条第（五）项", "entity"},
            {"legal_rep", "限制担任养老机构法定代表人", "legal_representative", "restrict", "MZ",
             "民发〔2019〕103号第十二条；备忘录第三条第（六）项", "legal_representative"},
            {"operator", "限制运营方承接公建民营养老机构", "operator_contract", "restrict", "MZ",
             "备忘录第三条第（七）项", "operator"}}),
      memo("九卫发〔2026〕7号", "关于对托育服务领域严重失信主体实施联合惩戒的合作备忘录", "WJ",
           "国卫人口发〔2021〕2号《托育机构管理规范（试行）》", {"WJ:blacklist"},
           {{"subsidy", "限制申请普惠托育财政补助", "subsidy", "restrict", "CZ", "备忘录第二条第（一）项", "entity"},
            {"inspection", "提高“双随机”抽查比例和频次", "inspection_ratio", "restrict", "SJ",
             "国发〔2019〕5号；备忘录第二条第（二）项", "entity"},
            {"legal_rep", "限制担任托育机构法定代表人", "legal_representative", "restrict", "WJ",
             "备忘录第二条第（三）项", "legal_representative"}}),
      memo("九民发〔2026〕19号", "关于对养老服务领域守信主体实施联合激励的合作备忘录", "MZ",
           "国发〔2016〕33号《关于建立完善守信联合激励和失信联合惩戒制度的指导意见》", {"MZ:redlist"},
           {{"fast_track", "行政审批“绿色通道”、容缺受理", "approval", "reward", "MZ", "备忘录第二条第（一）项", "entity"},
            {"subsidy", "同等条件下优先安排财政补贴", "subsidy", "reward", "CZ", "备忘录第二条第（二）项", "entity"},
            {"inspection", "降低“双随机”抽查比例", "inspection_ratio", "reward", "SJ", "国发〔2019〕5号", "entity"}}),
      memo("九民发〔2026〕20号", "关于对养老服务领域重点关注对象加强监管的备忘录", "MZ", basis103, {"MZ:watchlist"},
           {{"inspection", "列为重点监管对象，提高抽查频次", "inspection_ratio", "restrict", "SJ", "国发〔2019〕5号",
             "entity"}}),
  };
  for (auto& m : memoranda) {
    auto created = credit.addMemorandum(demoActor(*admin), *admin, m);
    if (!created) return check(created.error(), "memorandum " + m.spec.number);
  }

  // The events the other demo data wrote (hazards, ratings): records and the fire-hazard proposal. Everything
  // written so far, even at the same instant (a test's clock may stand still): a settling time of -1 s.
  credit.followEvents(-1);

  // 湓城: a serious penalty for not filing the annual report, proposed for the blacklist, objection window over,
  // listed by the second officer.
  auto pencheng = c.query("SELECT credit_code FROM institutions WHERE name = '瑞昌市湓城街道综合养老服务中心'");
  if (!pencheng.empty()) {
    std::string code = pencheng[0].str("credit_code");
    credit::RecordInput r;
    r.entityCode = code;
    r.kind = "penalty";
    r.severity = "serious";
    r.title = "连续两年未报送年度工作报告，责令限期改正后仍未改正";
    r.legalBasis = "《养老机构管理办法》第四十六条";
    r.documentNo = "瑞民罚决〔2026〕3号";
    r.facts = "该中心 2024、2025 年度均未按规定报送年度工作报告，经责令限期改正后逾期仍未改正。";
    r.decidedOn = core::formatDay(core::shanghaiDay(app.clock().now()) - std::chrono::days(40));
    auto record = credit.addRecord(demoActor(*wang), *wang, r);
    if (!record) return check(record.error(), "penalty of 湓城");
    credit::ProposalInput p{code, "no_annual_report", "", r.facts, record->id};
    auto entry = credit.propose(demoActor(*wang), *wang, "blacklist", p);
    if (!entry) return check(entry.error(), "proposal of 湓城");
    c.execute("UPDATE credit_list_entries SET noticed_at = noticed_at - INTERVAL 30 DAY,"
              " objection_until = objection_until - INTERVAL 30 DAY WHERE id = ?",
              entry->id);
    auto listed = credit.decide(demoActor(*zhao), *zhao, entry->listKind, entry->id, "list",
                                "告知期满未提出异议，事实清楚、证据确凿，依规列入。");
    if (!listed) return check(listed.error(), "decision on 湓城");
    // Feedback: 财政 accepted and reported, 医保 not applicable, 市场监管 accepted, 发改 pending (and overdue).
    auto tasks = credit.tasks(*admin, {std::nullopt, entry->id, std::nullopt, false, 0, 50});
    if (!tasks) return check(tasks.error(), "tasks of 湓城");
    for (const auto& t : tasks->first) {
      std::vector<std::tuple<const http::Principal*, std::string, std::string>> steps;
      if (t.departmentCode == "CZ") {
        steps = {{&*cz, "accept", ""},
                 {&*cz, "feedback", "已暂停拨付 2026 年度运营补贴 12.6 万元，并在政府采购平台标注限制。"}};
      } else if (t.departmentCode == "YB") {
        steps = {{&*yb, "not_applicable", "该机构未申请医保定点，无需采取措施，已纳入预警名单。"}};
      } else if (t.departmentCode == "SJ") {
        steps = {{&*sj, "accept", "纳入下一批双随机抽查高风险层级。"}};
      } else if (t.departmentCode == "FG") {
        c.execute("UPDATE credit_tasks SET due_on = due_on - INTERVAL 45 DAY, created_at = created_at - INTERVAL 45 DAY"
                  " WHERE id = ?",
                  t.id);
      }
      for (const auto& [who, action, text] : steps) {
        if (auto ok = credit.respond(demoActor(*who), *who, t.id, action, text); !ok) {
          return check(ok.error(), "feedback of " + t.departmentCode);
        }
      }
    }
  }

  // 夕阳红: a municipal commendation; with its high rating the grade reaches A and it is red-listed.
  auto sunset = c.query("SELECT credit_code FROM institutions WHERE name = '九江市濂溪区夕阳红颐养院'");
  if (!sunset.empty()) {
    std::string code = sunset[0].str("credit_code");
    credit::RecordInput r;
    r.entityCode = code;
    r.kind = "commendation";
    r.severity = "general";
    r.title = "九江市示范养老机构";
    r.legalBasis = "九民字〔2026〕41号";
    r.documentNo = "九民字〔2026〕41号";
    r.facts = "在全市养老机构服务质量建设专项行动中被评为市级示范养老机构。";
    r.decidedOn = core::formatDay(core::shanghaiDay(app.clock().now()) - std::chrono::days(20));
    if (auto x = credit.addRecord(demoActor(*wang), *wang, r); !x) return check(x.error(), "commendation of 夕阳红");
    credit::ProposalInput p{code, "trustworthy", "国发〔2016〕33号", "信用等级 A，等级评定四级以上，三年内无一般及以上失信记录。",
                            std::nullopt};
    auto entry = credit.propose(demoActor(*wang), *wang, "redlist", p);
    if (!entry) return check(entry.error(), "red list proposal of 夕阳红");
    auto listed = credit.decide(demoActor(*zhao), *zhao, entry->listKind, entry->id, "list", "符合守信激励条件，列入守信激励名单。");
    if (!listed) return check(listed.error(), "red list decision of 夕阳红");
  }
  return core::Ok{};
}

}  // namespace cw::server
