#pragma once
// The institution record (机构登记信息) as data: one table of field specifications drives validation, storage,
// JSON, versions and field-level diffs, so a field added here is handled everywhere alike.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::registry {

enum class FieldType {
  Text,        // free text, maxChars code points
  Integer,     // whole number within [min, max]
  Decimal,     // number within [min, max], up to 6 decimals
  Flag,        // true | false
  Choice,      // one of `choices`
  Region,      // GB/T 2260 code (existence checked by the service)
  CreditCode,  // 统一社会信用代码, GB 32100-2015
  ResidentId,  // 居民身份证号码, GB 11643-1999; stored encrypted, shown masked
  Phone,       // digits, spaces, '-', '+', 5..20 characters
};

struct FieldSpec {
  std::string name;
  FieldType type;
  bool required;
  std::string labelZh;
  std::size_t maxChars = 0;
  double min = 0;
  double max = 0;
  std::vector<std::string> choices;
  int decimals = 6;  // Decimal: digits kept after the point (matches the column)
};

/// Every field of the record, in display order.
const std::vector<FieldSpec>& institutionFields();
const FieldSpec* findField(const std::string& name);

/// Institution kinds (机构类型) and the sector each belongs to.
inline const std::vector<std::string> kElderlyKinds{"elderly_institution", "community_elderly_facility",
                                                   "rural_elderly_home"};
inline const std::vector<std::string> kChildcareKinds{"childcare_institution", "community_childcare_point",
                                                     "family_childcare_point", "kindergarten_nursery_class"};
inline const std::vector<std::string> kOwnerships{"public", "public_built_private_run", "private_nonprofit",
                                                 "private_forprofit"};
inline const std::vector<std::string> kLicenceKinds{"fire_acceptance", "food_business", "medical_practice",
                                                   "other"};
inline const std::vector<std::string> kRelationKinds{"legal_representative", "operator", "parent", "branch"};

/// "elderly" or "childcare"; empty for an unknown kind.
std::string sectorOfKind(const std::string& kind);

struct Licence {
  std::string kind;
  std::string number;
  std::optional<std::string> issuer;
  std::optional<std::string> expiresOn;  // YYYY-MM-DD
  bool operator==(const Licence&) const = default;
};

struct Relation {
  std::string relation;
  std::string partyName;
  std::optional<std::string> partyCreditCode;
  std::string validFrom;                // YYYY-MM-DD
  std::optional<std::string> validTo;   // YYYY-MM-DD
  bool operator==(const Relation&) const = default;
};

/// A record's values in canonical text form (numbers as decimal text, flags "true"/"false"), nullopt = empty.
/// The resident ID field holds the plain value only on its way in; stored records keep its blind index and mask.
struct Record {
  std::map<std::string, std::optional<std::string>> values;
  std::vector<Licence> licences;
  std::vector<Relation> relations;

  std::optional<std::string> get(const std::string& field) const;
  void set(const std::string& field, std::optional<std::string> value);
};

/// Checks every field of a complete record and the rules between fields. The first problem is returned, with
/// the field named as in the API ("capacity", "licences[2].expires_on" ...). Values are normalised in place
/// (trimmed, codes upper-cased, numbers canonical).
/// `today` (the Shanghai calendar day) rejects birth dates in the future.
core::Status validateRecord(Record& record, std::optional<std::chrono::sys_days> today = std::nullopt);

/// Applies a partial update: fields present in `changes` replace those in `base` (nullopt clears). Licences and
/// relations are replaced as a whole when present.
Record applyChanges(const Record& base, const Record& changes, bool licencesChanged, bool relationsChanged);

struct FieldChange {
  std::string field;
  std::optional<std::string> before;
  std::optional<std::string> after;
};
/// Field-level differences between two versions (licences and relations compared as lists).
std::vector<FieldChange> diffRecords(const Record& before, const Record& after);

}  // namespace cw::registry
