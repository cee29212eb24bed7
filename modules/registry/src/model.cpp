#include "cw/registry/model.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "cw/core/validation.hpp"
#include "cw/core/workdays.hpp"
#include "cw/registry/codes.hpp"

namespace cw::registry {

using core::Error;

namespace {

std::vector<std::string> allKinds() {
  std::vector<std::string> kinds = kElderlyKinds;
  kinds.insert(kinds.end(), kChildcareKinds.begin(), kChildcareKinds.end());
  return kinds;
}

FieldSpec field(std::string name, FieldType type, bool required, std::string label, std::size_t maxChars = 0,
                double min = 0, double max = 0, std::vector<std::string> choices = {}, int decimals = 6) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.required = required;
  spec.labelZh = std::move(label);
  spec.maxChars = maxChars;
  spec.min = min;
  spec.max = max;
  spec.choices = std::move(choices);
  spec.decimals = decimals;
  return spec;
}

std::vector<FieldSpec> makeFields() {
  using T = FieldType;
  return {
      field("credit_code", T::CreditCode, true, "统一社会信用代码"),
      field("name", T::Text, true, "机构名称", 128),
      field("kind", T::Choice, true, "机构类型", 0, 0, 0, allKinds()),
      field("ownership", T::Choice, true, "举办性质", 0, 0, 0, kOwnerships),
      field("registering_authority", T::Text, false, "登记管理机关", 64),
      field("region_code", T::Region, true, "行政区划"),
      field("address", T::Text, true, "地址", 255),
      field("longitude", T::Decimal, false, "经度", 0, -180, 180),
      field("latitude", T::Decimal, false, "纬度", 0, -90, 90),
      field("contact_name", T::Text, false, "联系人", 64),
      field("contact_phone", T::Phone, false, "联系电话"),
      field("legal_rep_name", T::Text, true, "法定代表人", 64),
      field("legal_rep_id_number", T::ResidentId, true, "法定代表人身份证号码"),
      field("capacity", T::Integer, true, "床位数/托位数", 0, 0, 100000),
      field("nursing_beds", T::Integer, false, "护理型床位数", 0, 0, 100000),
      field("inclusive", T::Flag, false, "普惠"),
      field("inclusive_price", T::Decimal, false, "普惠价格(元/月)", 0, 0, 1000000, {}, 2),
      field("medical_integration", T::Choice, false, "医养/医育结合", 0, 0, 0, {"none", "clinic", "contract"}),
      field("medical_partner", T::Text, false, "内设医疗机构或签约医院", 128),
      field("fire_acceptance_no", T::Text, false, "消防验收/备案文号", 64),
      field("food_licence_no", T::Text, false, "食品经营许可证号", 64),
  };
}

// Canonical decimal text: rounded to `decimals`, no trailing zeros ("12.50" -> "12.5", "3.0" -> "3").
std::optional<std::string> canonicalDecimal(const std::string& text, int decimals) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string out = buf;
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

core::Status checkDate(const std::string& field, const std::string& value) {
  if (!core::parseDay(value)) return Error::invalid(field, field + " must be a date YYYY-MM-DD (got '" + value + "')");
  return core::Ok{};
}

core::Status normaliseValue(const FieldSpec& spec, std::optional<std::string>& value,
                           std::optional<std::chrono::sys_days> today) {
  if (value) *value = core::trim(*value);
  if (value && value->empty()) value.reset();
  if (!value) {
    if (spec.required) return Error::invalid(spec.name, spec.name + " (" + spec.labelZh + ") is required");
    return core::Ok{};
  }
  std::string& v = *value;
  const std::string& f = spec.name;
  switch (spec.type) {
    case FieldType::Text:
      return core::checkText(f, v, 1, spec.maxChars);
    case FieldType::Integer: {
      long long n = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || ptr != v.data() + v.size()) return Error::invalid(f, f + " must be a whole number");
      if (n < spec.min || n > spec.max) {
        return Error::invalid(f, f + " must be between " + std::to_string(static_cast<long long>(spec.min)) + " and " +
                                     std::to_string(static_cast<long long>(spec.max)));
      }
      v = std::to_string(n);
      return core::Ok{};
    }
    case FieldType::Decimal: {
      auto canonical = canonicalDecimal(v, spec.decimals);
      if (!canonical) return Error::invalid(f, f + " must be a number");
      double n = std::stod(*canonical);
      if (n < spec.min || n > spec.max) {
        std::ostringstream range;
        range << f << " must be between " << spec.min << " and " << spec.max;
        return Error::invalid(f, range.str());
      }
      v = *canonical;
      return core::Ok{};
    }
    case FieldType::Flag:
      if (v == "true" || v == "1" || v == "是") v = "true";
      else if (v == "false" || v == "0" || v == "否") v = "false";
      else return Error::invalid(f, f + " must be true or false");
      return core::Ok{};
    case FieldType::Choice:
      if (std::find(spec.choices.begin(), spec.choices.end(), v) == spec.choices.end()) {
        std::string list;
        for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
        return Error::invalid(f, f + " must be one of: " + list + " (got '" + v + "')");
      }
      return core::Ok{};
    case FieldType::Region:
      return core::checkRegionCode(f, v);
    case FieldType::CreditCode:
      v = normaliseCreditCode(v);
      return checkCreditCode(f, v);
    case FieldType::ResidentId:
      v = normaliseResidentId(v);
      return checkResidentId(f, v, today);
    case FieldType::Phone: {
      bool ok = v.size() >= 5 && v.size() <= 20 &&
                std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == ' ' || c == '+'; });
      if (!ok) return Error::invalid(f, f + " must be a phone number of 5 to 20 digits, spaces, '-' or '+'");
      return core::Ok{};
    }
  }
  return core::Ok{};
}

std::string licencesText(const std::vector<Licence>& list) {
  std::string out;
  for (const auto& l : list) {
    out += (out.empty() ? "" : "; ") + l.kind + " " + l.number;
    if (l.expiresOn) out += " (expires " + *l.expiresOn + ")";
  }
  return out;
}

std::string relationsText(const std::vector<Relation>& list) {
  std::string out;
  for (const auto& r : list) {
    out += (out.empty() ? "" : "; ") + r.relation + " " + r.partyName;
    if (r.partyCreditCode) out += " [" + *r.partyCreditCode + "]";
    out += " " + r.validFrom + ".." + r.validTo.value_or("");
  }
  return out;
}

}  // namespace

const std::vector<FieldSpec>& institutionFields() {
  static const std::vector<FieldSpec> kFields = makeFields();
  return kFields;
}

const FieldSpec* findField(const std::string& name) {
  for (const auto& f : institutionFields()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string sectorOfKind(const std::string& kind) {
  if (std::find(kElderlyKinds.begin(), kElderlyKinds.end(), kind) != kElderlyKinds.end()) return "elderly";
  if (std::find(kChildcareKinds.begin(), kChildcareKinds.end(), kind) != kChildcareKinds.end()) return "childcare";
  return "";
}

std::optional<std::string> Record::get(const std::string& field) const {
  auto it = values.find(field);
  return it == values.end() ? std::nullopt : it->second;
}

void Record::set(const std::string& field, std::optional<std::string> value) { values[field] = std::move(value); }

core::Status validateRecord(Record& record, std::optional<std::chrono::sys_days> today) {
  for (const auto& spec : institutionFields()) {
    auto value = record.get(spec.name);
    if (auto ok = normaliseValue(spec, value, today); !ok) return ok;
    record.set(spec.name, value);
  }
  std::string sector = sectorOfKind(*record.get("kind"));
  auto capacity = std::stoll(*record.get("capacity"));
  if (auto nursing = record.get("nursing_beds")) {
    if (sector != "elderly") {
      return Error::invalid("nursing_beds", "nursing_beds (护理型床位) applies to elderly-care institutions only");
    }
    if (std::stoll(*nursing) > capacity) {
      return Error::invalid("nursing_beds", "nursing_beds must not exceed capacity (" + std::to_string(capacity) + ")");
    }
  }
  bool inclusive = record.get("inclusive").value_or("false") == "true";
  record.set("inclusive", inclusive ? "true" : "false");
  if (inclusive && !record.get("inclusive_price")) {
    return Error::invalid("inclusive_price", "inclusive_price (普惠价格) is required for an inclusive (普惠) institution");
  }
  if (!inclusive && record.get("inclusive_price")) {
    return Error::invalid("inclusive_price", "inclusive_price applies only when inclusive is true");
  }
  std::string medical = record.get("medical_integration").value_or("none");
  record.set("medical_integration", medical);
  if (medical != "none" && !record.get("medical_partner")) {
    return Error::invalid("medical_partner", "medical_partner is required when medical_integration is " + medical);
  }
  if (record.get("longitude").has_value() != record.get("latitude").has_value()) {
    return Error::invalid(record.get("longitude") ? "latitude" : "longitude",
                          "longitude and latitude are given together or not at all");
  }
  if (record.licences.size() > 50) return Error::invalid("licences", "at most 50 licences");
  for (std::size_t i = 0; i < record.licences.size(); ++i) {
    auto& l = record.licences[i];
    std::string at = "licences[" + std::to_string(i) + "]";
    if (std::find(kLicenceKinds.begin(), kLicenceKinds.end(), l.kind) == kLicenceKinds.end()) {
      return Error::invalid(at + ".kind", at + ".kind must be one of fire_acceptance, food_business, "
                                              "medical_practice, other");
    }
    l.number = core::trim(l.number);
    if (auto ok = core::checkText(at + ".number", l.number, 1, 64); !ok) return ok;
    if (l.issuer) {
      if (auto ok = core::checkText(at + ".issuer", *l.issuer, 1, 128); !ok) return ok;
    }
    if (l.expiresOn) {
      if (auto ok = checkDate(at + ".expires_on", *l.expiresOn); !ok) return ok;
    }
  }
  if (record.relations.size() > 50) return Error::invalid("relations", "at most 50 relations");
  for (std::size_t i = 0; i < record.relations.size(); ++i) {
    auto& r = record.relations[i];
    std::string at = "relations[" + std::to_string(i) + "]";
    // The legal representative comes from the record's own fields; listed relations are the other parties.
    if (r.relation != "operator" && r.relation != "parent" && r.relation != "branch") {
      return Error::invalid(at + ".relation", at + ".relation must be one of operator, parent, branch (the legal "
                                                  "representative is given by legal_rep_name and legal_rep_id_number)");
    }
    r.partyName = core::trim(r.partyName);
    if (auto ok = core::checkText(at + ".party_name", r.partyName, 1, 128); !ok) return ok;
    if (r.partyCreditCode) {
      *r.partyCreditCode = normaliseCreditCode(*r.partyCreditCode);
      if (auto ok = checkCreditCode(at + ".party_credit_code", *r.partyCreditCode); !ok) return ok;
    }
    if (auto ok = checkDate(at + ".valid_from", r.validFrom); !ok) return ok;
    if (r.validTo) {
      if (auto ok = checkDate(at + ".valid_to", *r.validTo); !ok) return ok;
      if (*r.validTo < r.validFrom) return Error::invalid(at + ".valid_to", at + ".valid_to is before valid_from");
    }
  }
  return core::Ok{};
}

Record applyChanges(const Record& base, const Record& changes, bool licencesChanged, bool relationsChanged) {
  Record out = base;
  for (const auto& [field, value] : changes.values) out.values[field] = value;
  if (licencesChanged) out.licences = changes.licences;
  if (relationsChanged) out.relations = changes.relations;
  return out;
}

std::vector<FieldChange> diffRecords(const Record& before, const Record& after) {
  std::vector<FieldChange> out;
  for (const auto& spec : institutionFields()) {
    auto a = before.get(spec.name);
    auto b = after.get(spec.name);
    if (spec.type == FieldType::ResidentId) {
      // Shown masked; equal when the blind index is equal.
      if (before.get("legal_rep_id_index") != after.get("legal_rep_id_index")) out.push_back({spec.name, a, b});
      continue;
    }
    if (a != b) out.push_back({spec.name, a, b});
  }
  if (before.licences != after.licences) {
    out.push_back({"licences", licencesText(before.licences), licencesText(after.licences)});
  }
  if (before.relations != after.relations) {
    out.push_back({"relations", relationsText(before.relations), relationsText(after.relations)});
  }
  return out;
}

}  // namespace cw::registry
