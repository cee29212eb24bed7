#include "cw/credit/model.hpp"

#include <algorithm>
#include <chrono>

namespace cw::credit {

const std::vector<RecordKind>& recordKinds() {
  static const std::vector<RecordKind> kinds{
      {"penalty", "行政处罚", "administrative penalty", false, true},
      {"commendation", "表彰奖励", "commendation", true, true},
      {"court_defaulter", "失信被执行人", "court judgment defaulter", false, false},
      {"hazard_overdue", "隐患逾期未整改", "hazard overdue", false, false},
      {"hazard_major", "重大隐患", "major hazard", false, false},
      {"hazard_verified_on_time", "隐患按期整改", "hazard rectified on time", true, false},
      {"inspection_problem", "抽查发现问题", "inspection found problems", false, false},
      {"inspection_clean", "抽查未发现问题", "inspection found no problem", true, false},
      {"rating_high", "等级评定（较高等级）", "rating at a high level", true, false},
      {"rating_mid", "等级评定", "rating", true, false},
      {"rating_low", "等级评定（未达等级）", "rating without a level or lowest grade", false, false},
      {"rating_downgraded", "评定等级下调", "rating downgraded", false, false},
  };
  return kinds;
}

const RecordKind* recordKind(std::string_view code) {
  for (const auto& k : recordKinds()) {
    if (code == k.code) return &k;
  }
  return nullptr;
}

std::string listKindName(std::string_view kind) {
  if (kind == "blacklist") return "失信联合惩戒对象名单";
  if (kind == "watchlist") return "重点关注名单";
  if (kind == "redlist") return "守信激励名单";
  return std::string(kind);
}

const std::vector<Ground>& blacklistGrounds() {
  static const char* kBasis = "民发〔2019〕103号《养老服务市场失信联合惩戒对象名单管理办法（试行）》第六条";
  static const std::vector<Ground> grounds{
      {"beyond_charter", "超出章程规定的宗旨和业务范围开展活动", kBasis},
      {"rights_infringement", "利用养老服务侵害老年人合法权益", kBasis},
      {"elder_fraud", "欺诈老年人（非法集资、虚假宣传保健品等）", kBasis},
      {"fire_hazard", "存在重大火灾隐患，经消防救援机构通知后逾期未整改", kBasis},
      {"safety_accident", "对安全责任事故负主要责任或直接责任", kBasis},
      {"subsidy_fraud", "骗取、冒领补贴或资助", kBasis},
      {"inspection_refusal", "拒绝、阻碍监督检查或弄虚作假", kBasis},
      {"no_annual_report", "未按规定报送年度报告或公开信息", kBasis},
      {"other_serious", "其他严重违法失信情形", kBasis},
      {"court_defaulter", "被人民法院依法列为失信被执行人",
       "民发〔2019〕103号第六条；最高人民法院关于公布失信被执行人名单信息的若干规定"},
  };
  return grounds;
}

const Ground* blacklistGround(std::string_view code) {
  for (const auto& g : blacklistGrounds()) {
    if (code == g.code) return &g;
  }
  return nullptr;
}

core::Day addMonths(core::Day day, int months) {
  using namespace std::chrono;
  year_month_day ymd{day};
  year_month ym = year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  auto d = ymd.day() > last ? last : ymd.day();
  return sys_days{year_month_day{ym.year(), ym.month(), d}};
}

core::Result<Window> publicationWindow(std::string_view severity, bool positive, core::Day decidedOn,
                                       std::optional<int> months, bool severePenalty) {
  int low = 0, high = 0, minimum = 0;
  if (positive) {
    low = 1, high = 36, minimum = 0;
  } else if (severity == "minor") {
    low = 0, high = 3, minimum = 0;
  } else if (severity == "general") {
    low = 3, high = 12, minimum = 3;
  } else if (severity == "serious") {
    low = 12, high = 36, minimum = 12;
  } else {
    return core::Error::invalid("severity", "severity must be minor, general or serious");
  }
  int period = months.value_or(high);
  if (period < low || period > high) {
    return core::Error::invalid("publish_months", "a " + std::string(positive ? "positive" : std::string(severity)) +
                                                      " record is published for " + std::to_string(low) + " to " +
                                                      std::to_string(high) + " months, not " + std::to_string(period));
  }
  Window w;
  w.publishUntil = addMonths(decidedOn, period);
  w.minUntil = severePenalty && !positive ? w.publishUntil : addMonths(decidedOn, std::min(minimum, period));
  return w;
}

}  // namespace cw::credit
