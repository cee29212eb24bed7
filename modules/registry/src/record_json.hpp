#pragma once
// Record <-> JSON: the API form (typed values, resident ID masked, nothing encrypted) and the snapshot form
// kept in institution_versions and filings (canonical text values plus the encrypted ID and its blind index).

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "cw/registry/model.hpp"
#include "cw/registry/service.hpp"

namespace cw::registry {

Poco::JSON::Object::Ptr recordToApi(const Record& record);
std::string recordToSnapshot(const Record& record);
Record recordFromSnapshot(const std::string& json);

/// Reads a request body's record fields ("licences" and "relations" arrays included). Unknown fields, wrong
/// types and values that are not text, number, boolean or null are InvalidArgument naming the field.
core::Result<RecordChanges> changesFromApi(const Poco::JSON::Object::Ptr& body);

Poco::JSON::Array::Ptr changesToApi(const std::vector<FieldChange>& changes);

}  // namespace cw::registry
