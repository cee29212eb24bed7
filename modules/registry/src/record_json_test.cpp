#include "record_json.hpp"

#include <gtest/gtest.h>

#include "cw/http/json.hpp"

namespace cw::registry {
namespace {

RecordChanges changesOf(const std::string& body) {
  auto changes = changesFromApi(*http::parseJsonObject(body));
  EXPECT_TRUE(changes.ok()) << changes.error().message;
  return *changes;
}

TEST(RecordJson, ScalarsBecomeCanonicalTextAndNullClears) {
  auto changes = changesOf(R"({"capacity":120,"inclusive":true,"longitude":115.5,"name":"康乐","contact_phone":null})");
  EXPECT_EQ(changes.values.get("capacity"), "120");
  EXPECT_EQ(changes.values.get("inclusive"), "true");
  EXPECT_EQ(changes.values.get("longitude"), "115.5");
  EXPECT_EQ(changes.values.get("name"), "康乐");
  EXPECT_EQ(changes.values.values.count("contact_phone"), 1u);
  EXPECT_FALSE(changes.values.get("contact_phone").has_value());
}

// Found by fuzzing (tests/fuzz/json_body_fuzz.cpp, reproducer corpus/json_body/crash-capacity-beyond-int64.json):
// an integer beyond int64 threw from the conversion, so the request answered 500 instead of 400.
TEST(RecordJson, IntegerBeyond64BitsIsRefusedNamingTheField) {
  auto field = changesFromApi(*http::parseJsonObject(R"({"capacity":9223372036854775808})"));
  ASSERT_FALSE(field.ok());
  EXPECT_EQ(field.error().field, "capacity");
  auto licence = changesFromApi(
      *http::parseJsonObject(R"({"licences":[{"kind":"other","number":18446744073709551615}]})"));
  ASSERT_FALSE(licence.ok());
  EXPECT_EQ(licence.error().field, "licences[0].number");
}

}  // namespace
}  // namespace cw::registry
