// JSON request bodies as every handler reads them: http::parseJsonObject, then the field readers the auth, draws,
// hazards, ratings and credit handlers call member by member (their decoders are private to handlers.cpp and
// built from exactly these readers plus draws::parseRatio), then the registry's own decoder changesFromApi
// (institution create and edit, filings) and the record validation that follows it in the service.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cw/draws/model.hpp"
#include "cw/http/json.hpp"
#include "cw/registry/model.hpp"
#include "fuzz_support.hpp"
#include "record_json.hpp"

namespace {

using namespace std::chrono;

void readEveryMember(const Poco::JSON::Object::Ptr& body) {
  for (const auto& name : body->getNames()) {
    (void)cw::http::requireString(body, name, 1, 64);
    (void)cw::http::optionalString(body, name, 64);
    (void)cw::http::requireSecret(body, name, 256);
    (void)cw::http::optionalInt(body, name);
    auto value = body->get(name);
    if (value.isString()) (void)cw::draws::parseRatio(name, value.extract<std::string>());
  }
}

void decodeInstitution(const Poco::JSON::Object::Ptr& body) {
  auto changes = cw::registry::changesFromApi(body);
  if (!changes) return;
  cw::registry::Record merged =
      cw::registry::applyChanges(cw::registry::Record{}, changes->values, changes->licences, changes->relations);
  const sys_days today{year{2026} / 11 / 22};
  if (!cw::registry::validateRecord(merged, today)) return;
  (void)cw::registry::diffRecords(cw::registry::Record{}, merged);
  (void)cw::registry::recordToApi(merged);
  // The stored snapshot must read back as the record it was written from.
  cw::registry::Record back = cw::registry::recordFromSnapshot(cw::registry::recordToSnapshot(merged));
  cw::fuzz::check(back.values == merged.values && back.licences == merged.licences &&
                      back.relations == merged.relations,
                  "recordFromSnapshot(recordToSnapshot(r)) == r");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto body = cw::http::parseJsonObject(text);
  if (!body) return 0;
  readEveryMember(*body);
  decodeInstitution(*body);
  return 0;
}
