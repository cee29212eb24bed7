#include "cw/draws/record.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "cw/core/crypto.hpp"
#include "cw/http/json.hpp"

namespace cw::draws {

namespace {

using core::Error;
using Poco::JSON::Array;
using Poco::JSON::Object;

Error mismatch(std::string message) { return Error{core::ErrorCode::FailedPrecondition, std::move(message), {}}; }

core::Result<std::string> stringField(const Object::Ptr& o, const std::string& name, const std::string& path,
                                      bool required = true) {
  if (!o->has(name) || o->isNull(name)) {
    if (!required) return std::string();
    return Error::invalid(path + name, path + name + " is missing");
  }
  Poco::Dynamic::Var v = o->get(name);
  if (!v.isString()) return Error::invalid(path + name, path + name + " must be a string");
  return v.extract<std::string>();
}

core::Result<std::int64_t> intField(const Object::Ptr& o, const std::string& name, const std::string& path) {
  if (!o->has(name) || o->isNull(name)) return Error::invalid(path + name, path + name + " is missing");
  Poco::Dynamic::Var v = o->get(name);
  if (!v.isInteger()) return Error::invalid(path + name, path + name + " must be an integer");
  auto number = http::integerValue(v);
  if (!number) return Error::invalid(path + name, path + name + " is too large");
  return *number;
}

core::Result<Array::Ptr> arrayField(const Object::Ptr& o, const std::string& name, const std::string& path,
                                    bool required = true) {
  if (!o->has(name) || o->isNull(name)) {
    if (!required) return Array::Ptr(new Array);
    return Error::invalid(path + name, path + name + " is missing");
  }
  Array::Ptr a = o->getArray(name);
  if (!a) return Error::invalid(path + name, path + name + " must be an array");
  return a;
}

core::Result<Object::Ptr> objectAt(const Array::Ptr& a, std::size_t i, const std::string& path) {
  Object::Ptr o = a->getObject(static_cast<unsigned>(i));
  if (!o) return Error::invalid(path, path + "[" + std::to_string(i) + "] must be an object");
  return o;
}

}  // namespace

void applyOutcome(DrawRecord& record, std::string_view secret, const DrawOutcome& outcome) {
  record.secretHex = core::hexEncode(secret);
  record.seedHex = core::hexEncode(outcome.seed);
  record.strata = outcome.strata;
  record.selected.clear();
  for (const auto& s : outcome.selected) {
    record.selected.push_back({s.entityId, s.stratum, core::hexEncode(s.score), s.inspectors});
  }
}

std::string recordToJson(const DrawRecord& r) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("algorithm", r.algorithm);
  o->set("pool_digest", r.poolDigest);
  o->set("inspector_digest", r.inspectorDigest);
  o->set("exclusion_digest", r.exclusionDigest);
  o->set("commitment", r.commitment);
  o->set("secret", r.secretHex.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(r.secretHex));
  o->set("beacon_source", r.beaconSource);
  o->set("beacon_value", r.drawnAt.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(r.beaconValue));
  o->set("seed", r.seedHex.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(r.seedHex));
  o->set("cap_slack", r.capSlack);
  Array::Ptr requirements = new Array;
  for (const auto& q : r.requirements) {
    Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("department_code", q.departmentCode);
    x->set("per_entity", q.perEntity);
    requirements->add(x);
  }
  o->set("requirements", requirements);
  Array::Ptr strata = new Array;
  for (const auto& s : r.strata) {
    Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("key", s.key);
    x->set("population", s.population);
    x->set("count", s.count);
    strata->add(x);
  }
  o->set("strata", strata);
  Array::Ptr selected = new Array;
  for (const auto& e : r.selected) {
    Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("entity_id", e.entityId);
    x->set("stratum", e.stratum);
    x->set("score", e.scoreHex);
    Array::Ptr inspectors = new Array;
    for (const auto& a : e.inspectors) {
      Object::Ptr y = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      y->set("inspector_id", a.inspectorId);
      y->set("department_code", a.departmentCode);
      inspectors->add(y);
    }
    x->set("inspectors", inspectors);
    selected->add(x);
  }
  o->set("selected", selected);
  Array::Ptr swaps = new Array;
  for (const auto& s : r.swaps) {
    Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("entity_id", s.entityId);
    x->set("department_code", s.departmentCode);
    x->set("removed_inspector_id", s.removedInspectorId);
    x->set("added_inspector_id", s.addedInspectorId);
    x->set("reason", s.reason);
    x->set("swapped_at", s.swappedAt);
    swaps->add(x);
  }
  o->set("swaps", swaps);
  o->set("locked_at", r.lockedAt);
  o->set("drawn_at", r.drawnAt.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(r.drawnAt));
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

core::Result<DrawRecord> parseRecord(std::string_view json) {
  Object::Ptr o;
  try {
    Poco::JSON::Parser parser;
    o = parser.parse(std::string(json)).extract<Object::Ptr>();
  } catch (const Poco::BadCastException&) {
    return Error::invalid("record", "the record is not a JSON object");
  } catch (const Poco::Exception& e) {
    return Error::invalid("record", "the record is not valid JSON: " + e.message());
  }
  if (!o) return Error::invalid("record", "the record is not a JSON object");
  DrawRecord r;
  auto str = [&](const std::string& name, std::string& out, bool required = true) -> core::Status {
    auto v = stringField(o, name, "", required);
    if (!v) return v.error();
    out = *v;
    return core::Ok{};
  };
  for (auto [name, target, required] : {std::tuple{"algorithm", &r.algorithm, true},
                                        {"pool_digest", &r.poolDigest, true},
                                        {"inspector_digest", &r.inspectorDigest, true},
                                        {"exclusion_digest", &r.exclusionDigest, true},
                                        {"commitment", &r.commitment, true},
                                        {"secret", &r.secretHex, false},
                                        {"beacon_source", &r.beaconSource, false},
                                        {"beacon_value", &r.beaconValue, false},
                                        {"seed", &r.seedHex, false},
                                        {"locked_at", &r.lockedAt, false},
                                        {"drawn_at", &r.drawnAt, false}}) {
    if (auto ok = str(name, *target, required); !ok) return ok.error();
  }
  auto slack = intField(o, "cap_slack", "");
  if (!slack) return slack.error();
  r.capSlack = static_cast<int>(*slack);

  auto requirements = arrayField(o, "requirements", "");
  if (!requirements) return requirements.error();
  for (std::size_t i = 0; i < (*requirements)->size(); ++i) {
    std::string path = "requirements[" + std::to_string(i) + "].";
    auto x = objectAt(*requirements, i, "requirements");
    if (!x) return x.error();
    auto dept = stringField(*x, "department_code", path);
    if (!dept) return dept.error();
    auto per = intField(*x, "per_entity", path);
    if (!per) return per.error();
    r.requirements.push_back({*dept, static_cast<int>(*per)});
  }
  auto strata = arrayField(o, "strata", "");
  if (!strata) return strata.error();
  for (std::size_t i = 0; i < (*strata)->size(); ++i) {
    std::string path = "strata[" + std::to_string(i) + "].";
    auto x = objectAt(*strata, i, "strata");
    if (!x) return x.error();
    auto key = stringField(*x, "key", path);
    if (!key) return key.error();
    auto population = intField(*x, "population", path);
    if (!population) return population.error();
    auto count = intField(*x, "count", path);
    if (!count) return count.error();
    r.strata.push_back({*key, *population, *count});
  }
  auto selected = arrayField(o, "selected", "", false);
  if (!selected) return selected.error();
  for (std::size_t i = 0; i < (*selected)->size(); ++i) {
    std::string path = "selected[" + std::to_string(i) + "].";
    auto x = objectAt(*selected, i, "selected");
    if (!x) return x.error();
    RecordEntity e;
    for (auto [name, target] : {std::pair{"entity_id", &e.entityId}, {"stratum", &e.stratum}, {"score", &e.scoreHex}}) {
      auto v = stringField(*x, name, path);
      if (!v) return v.error();
      *target = *v;
    }
    auto inspectors = arrayField(*x, "inspectors", path);
    if (!inspectors) return inspectors.error();
    for (std::size_t j = 0; j < (*inspectors)->size(); ++j) {
      std::string ipath = path + "inspectors[" + std::to_string(j) + "].";
      auto y = objectAt(*inspectors, j, path + "inspectors");
      if (!y) return y.error();
      auto id = stringField(*y, "inspector_id", ipath);
      if (!id) return id.error();
      auto dept = stringField(*y, "department_code", ipath);
      if (!dept) return dept.error();
      e.inspectors.push_back({*id, *dept});
    }
    r.selected.push_back(std::move(e));
  }
  auto swaps = arrayField(o, "swaps", "", false);
  if (!swaps) return swaps.error();
  for (std::size_t i = 0; i < (*swaps)->size(); ++i) {
    std::string path = "swaps[" + std::to_string(i) + "].";
    auto x = objectAt(*swaps, i, "swaps");
    if (!x) return x.error();
    Swap s;
    for (auto [name, target] : {std::pair{"entity_id", &s.entityId},
                                {"department_code", &s.departmentCode},
                                {"removed_inspector_id", &s.removedInspectorId},
                                {"added_inspector_id", &s.addedInspectorId},
                                {"reason", &s.reason},
                                {"swapped_at", &s.swappedAt}}) {
      auto v = stringField(*x, name, path);
      if (!v) return v.error();
      *target = *v;
    }
    r.swaps.push_back(std::move(s));
  }
  return r;
}

core::Status verify(const DrawRecord& record, const FrozenFiles& files) {
  if (record.algorithm != kAlgorithm) {
    return mismatch("algorithm is \"" + record.algorithm + "\", this verifier knows " + std::string(kAlgorithm));
  }
  Digests digests = digestsOf(files);
  if (digests.pool != record.poolDigest) return mismatch("pool_digest does not match pool.txt (" + digests.pool + ")");
  if (digests.inspectors != record.inspectorDigest) {
    return mismatch("inspector_digest does not match inspectors.txt (" + digests.inspectors + ")");
  }
  if (digests.exclusions != record.exclusionDigest) {
    return mismatch("exclusion_digest does not match exclusions.txt (" + digests.exclusions + ")");
  }
  if (record.secretHex.empty()) return mismatch("the secret is not revealed yet: the draw has not taken place");
  auto secret = core::hexDecode(record.secretHex);
  if (!secret || secret->size() != 32) return mismatch("secret is not 64 lower-case hex digits");
  if (commitmentOf(*secret) != record.commitment) {
    return mismatch("commitment is not SHA-256 of the secret: the secret revealed is not the one committed to");
  }
  std::string seed = core::hexEncode(seedOf(*secret, digests, record.beaconValue));
  if (seed != record.seedHex) return mismatch("seed does not follow from the secret, digests and beacon_value (" + seed + ")");

  DrawParams params;
  params.secret = *secret;
  params.beaconValue = record.beaconValue;
  params.requirements = record.requirements;
  params.capSlack = record.capSlack;
  for (const auto& s : record.strata) {
    if (s.count < 0 || s.count > s.population) {
      return mismatch("strata " + s.key + ": count " + std::to_string(s.count) + " is outside 0.." +
                      std::to_string(s.population));
    }
    params.counts[s.key] = s.count;
  }
  auto outcome = runDraw(files, params);
  if (!outcome) return mismatch("the draw cannot be re-run: " + outcome.error().message);
  if (outcome->strata.size() != record.strata.size()) {
    return mismatch("strata: the pool has " + std::to_string(outcome->strata.size()) + " strata, the record lists " +
                    std::to_string(record.strata.size()));
  }
  for (std::size_t i = 0; i < record.strata.size(); ++i) {
    const auto& got = outcome->strata[i];
    const auto& want = record.strata[i];
    if (got.key != want.key || got.population != want.population) {
      return mismatch("strata[" + std::to_string(i) + "]: the pool gives " + got.key + " with population " +
                      std::to_string(got.population) + ", the record " + want.key + " with " +
                      std::to_string(want.population));
    }
  }
  if (outcome->selected.size() != record.selected.size()) {
    return mismatch("selected: the re-run selects " + std::to_string(outcome->selected.size()) +
                    " entities, the record lists " + std::to_string(record.selected.size()));
  }
  for (std::size_t i = 0; i < record.selected.size(); ++i) {
    const auto& got = outcome->selected[i];
    const auto& want = record.selected[i];
    std::string at = "selected[" + std::to_string(i) + "]";
    if (got.entityId != want.entityId) return mismatch(at + ": the re-run selects " + got.entityId + ", the record " + want.entityId);
    if (got.stratum != want.stratum) return mismatch(at + " (" + want.entityId + "): stratum differs");
    if (core::hexEncode(got.score) != want.scoreHex) return mismatch(at + " (" + want.entityId + "): score differs");
    bool same = got.inspectors.size() == want.inspectors.size();
    for (std::size_t j = 0; same && j < got.inspectors.size(); ++j) {
      same = got.inspectors[j].inspectorId == want.inspectors[j].inspectorId &&
             got.inspectors[j].departmentCode == want.inspectors[j].departmentCode;
    }
    if (!same) {
      std::string expected;
      for (const auto& a : got.inspectors) expected += (expected.empty() ? "" : ", ") + a.inspectorId + "/" + a.departmentCode;
      return mismatch(at + " (" + want.entityId + "): inspectors differ; the re-run assigns " + expected);
    }
  }

  // Swaps happened after the draw: each must replace an inspector then on the entity with one of the same
  // department from the frozen list who is not excluded for the entity and not already on it.
  auto inspectors = parseInspectors(files.inspectors);
  auto exclusions = parseExclusions(files.exclusions);
  if (!inspectors || !exclusions) return mismatch("the frozen files cannot be read");
  std::map<std::string, std::string> departmentOf;
  for (const auto& l : *inspectors) departmentOf[l.inspectorId] = l.departmentCode;
  std::set<std::pair<std::string, std::string>> excluded;
  for (const auto& l : *exclusions) excluded.emplace(l.entityId, l.inspectorId);
  std::map<std::string, std::vector<std::string>> current;
  for (const auto& e : record.selected) {
    for (const auto& a : e.inspectors) current[e.entityId].push_back(a.inspectorId);
  }
  for (std::size_t i = 0; i < record.swaps.size(); ++i) {
    const auto& s = record.swaps[i];
    std::string at = "swaps[" + std::to_string(i) + "]";
    auto it = current.find(s.entityId);
    if (it == current.end()) return mismatch(at + ": entity " + s.entityId + " was not drawn");
    auto& on = it->second;
    auto removed = std::find(on.begin(), on.end(), s.removedInspectorId);
    if (removed == on.end()) return mismatch(at + ": " + s.removedInspectorId + " was not on " + s.entityId);
    auto dept = departmentOf.find(s.addedInspectorId);
    if (dept == departmentOf.end()) return mismatch(at + ": " + s.addedInspectorId + " is not in inspectors.txt");
    if (dept->second != s.departmentCode || departmentOf[s.removedInspectorId] != s.departmentCode) {
      return mismatch(at + ": the swap crosses departments");
    }
    if (excluded.count({s.entityId, s.addedInspectorId})) {
      return mismatch(at + ": " + s.addedInspectorId + " is excluded for " + s.entityId);
    }
    if (std::find(on.begin(), on.end(), s.addedInspectorId) != on.end()) {
      return mismatch(at + ": " + s.addedInspectorId + " is already on " + s.entityId);
    }
    if (s.reason.empty()) return mismatch(at + ": no reason given");
    *removed = s.addedInspectorId;
  }
  return core::Ok{};
}

}  // namespace cw::draws
