// The national identifier checks (统一社会信用代码, 居民身份证号码) and the shared input checks they sit beside, on
// any bytes: what a form field, an import cell or a court list line can carry. Checked properties: a code that
// passes carries the check character its first 17 characters give, and normalising twice changes nothing.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cw/core/validation.hpp"
#include "cw/core/workdays.hpp"
#include "cw/registry/codes.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace std::chrono;
namespace registry = cw::registry;

void creditCode(std::string_view input) {
  std::string code = registry::normaliseCreditCode(input);
  cw::fuzz::check(registry::normaliseCreditCode(code) == code, "normaliseCreditCode is idempotent");
  (void)registry::checkCreditCode("credit_code", input);
  if (registry::checkCreditCode("credit_code", code)) {
    cw::fuzz::check(code.size() == 18, "a valid credit code has 18 bytes");
    cw::fuzz::check(registry::creditCodeCheckChar(std::string_view(code).substr(0, 17)) == code[17],
                    "a valid credit code ends in its check character");
  }
  if (input.size() >= 17) {
    try {
      (void)registry::creditCodeCheckChar(input.substr(0, 17));
    } catch (const std::invalid_argument&) {
      // Documented for characters outside the code's alphabet.
    }
  }
}

void residentId(std::string_view input) {
  std::string id = registry::normaliseResidentId(input);
  cw::fuzz::check(registry::normaliseResidentId(id) == id, "normaliseResidentId is idempotent");
  (void)registry::maskResidentId(input);
  (void)registry::checkResidentId("legal_rep_id_number", input);
  const sys_days today{year{2026} / 11 / 22};
  if (registry::checkResidentId("legal_rep_id_number", id, today)) {
    cw::fuzz::check(id.size() == 18, "a valid resident ID has 18 bytes");
    cw::fuzz::check(registry::residentIdCheckChar(std::string_view(id).substr(0, 17)) == id[17],
                    "a valid resident ID ends in its check character");
    cw::fuzz::check(registry::checkResidentId("legal_rep_id_number", id).ok(),
                    "a valid ID stays valid without a today");
    cw::fuzz::check(registry::maskResidentId(id).size() == 18, "a masked ID keeps its length");
  }
  if (input.size() >= 17) {
    try {
      (void)registry::residentIdCheckChar(input.substr(0, 17));
    } catch (const std::invalid_argument&) {
      // Documented for anything but 17 digits.
    }
  }
}

void sharedChecks(std::string_view input) {
  (void)cw::core::checkText("name", input, 1, 128);
  (void)cw::core::checkRegionCode("region_code", input);
  if (cw::core::checkRegionCode("region_code", input)) (void)cw::core::regionPrefix(input);
  if (cw::core::isValidUtf8(input)) (void)cw::core::utf8Length(input);
  if (auto day = cw::core::parseDay(input)) {
    cw::fuzz::check(cw::core::parseDay(cw::core::formatDay(*day)) == day, "parseDay(formatDay(d)) == d");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  creditCode(input);
  residentId(input);
  sharedChecks(input);
  return 0;
}
