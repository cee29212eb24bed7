#include "cw/hazards/catalogue.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cw/core/validation.hpp"

namespace cw::hazards {

using core::Error;

const CatalogueEntry* Catalogue::find(std::string_view code) const {
  for (const auto& e : entries) {
    if (e.code == code) return &e;
  }
  return nullptr;
}

namespace {

Error problem(const std::string& path, const std::string& message) {
  return Error::invalid("catalogue", "hazard catalogue: " + path + ": " + message);
}

core::Result<std::string> text(const Poco::JSON::Object::Ptr& o, const std::string& path, const std::string& key,
                               std::size_t minChars, std::size_t maxChars) {
  if (!o->has(key) || !o->get(key).isString()) return problem(path + "." + key, "missing or not a string");
  std::string v = o->getValue<std::string>(key);
  if (!core::isValidUtf8(v) || core::utf8Length(v) < minChars || core::utf8Length(v) > maxChars) {
    return problem(path + "." + key, "must be " + std::to_string(minChars) + " to " + std::to_string(maxChars) +
                                         " characters of UTF-8");
  }
  return v;
}

core::Result<std::string> oneOf(const Poco::JSON::Object::Ptr& o, const std::string& path, const std::string& key,
                                const std::vector<std::string>& allowed) {
  auto v = text(o, path, key, 1, 64);
  if (!v) return v.error();
  if (std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return problem(path + "." + key, "\"" + *v + "\" is not one of " + list);
  }
  return v;
}

}  // namespace

core::Result<Catalogue> parseCatalogue(std::string_view json) {
  Poco::JSON::Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    auto parsed = parser.parse(std::string(json));
    root = parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception& e) {
    return problem("$", std::string("not a JSON object: ") + e.what());
  }
  Catalogue catalogue;
  auto version = text(root, "$", "version", 1, 16);
  if (!version) return version.error();
  catalogue.version = *version;
  auto entries = root->getArray("entries");
  if (!entries || entries->size() == 0) return problem("$.entries", "missing or empty");
  static const std::regex kCode("[A-Z]{2,3}-[0-9]{2}");
  std::set<std::string> codes;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    std::string path = "entries[" + std::to_string(i) + "]";
    auto o = entries->getObject(static_cast<unsigned>(i));
    if (!o) return problem(path, "not an object");
    CatalogueEntry e;
    auto code = text(o, path, "code", 5, 6);
    if (!code) return code.error();
    if (!std::regex_match(*code, kCode)) return problem(path + ".code", "\"" + *code + "\" is not like MA-01");
    if (!codes.insert(*code).second) return problem(path + ".code", "\"" + *code + "\" appears twice");
    e.code = *code;
    auto category = oneOf(o, path, "category", kCategories);
    if (!category) return category.error();
    e.category = *category;
    auto name = text(o, path, "name", 1, 64);
    if (!name) return name.error();
    e.name = *name;
    auto nameEn = text(o, path, "name_en", 1, 128);
    if (!nameEn) return nameEn.error();
    e.nameEn = *nameEn;
    auto applies = oneOf(o, path, "applies_to", {"elderly", "childcare", "both"});
    if (!applies) return applies.error();
    e.appliesTo = *applies;
    auto severity = oneOf(o, path, "severity", {"general", "major"});
    if (!severity) return severity.error();
    e.severity = *severity;
    if (!o->has("rectification_days") || !o->get("rectification_days").isInteger()) {
      return problem(path + ".rectification_days", "missing or not a whole number");
    }
    e.rectificationDays = o->getValue<int>("rectification_days");
    if (e.rectificationDays < 1 || e.rectificationDays > 180) {
      return problem(path + ".rectification_days", "must be 1 to 180 days");
    }
    if (!o->has("fire_safety") || !o->get("fire_safety").isBoolean()) {
      return problem(path + ".fire_safety", "missing or not true/false");
    }
    e.fireSafety = o->getValue<bool>("fire_safety");
    auto basis = text(o, path, "legal_basis", 2, 255);
    if (!basis) return basis.error();
    e.legalBasis = *basis;
    auto description = text(o, path, "description", 2, 255);
    if (!description) return description.error();
    e.description = *description;
    catalogue.entries.push_back(std::move(e));
  }
  if (!catalogue.find(kGenericCode)) {
    return problem("$.entries", std::string("the generic entry ") + kGenericCode + " is missing");
  }
  return catalogue;
}

core::Result<Catalogue> loadCatalogueFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid("catalogue", "cannot read the hazard catalogue " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parseCatalogue(text.str());
}

}  // namespace cw::hazards
