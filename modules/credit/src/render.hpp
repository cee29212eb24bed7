#pragma once
// The JSON shapes of measures, derived measures and check answers, shared by the routes and by the check-answer
// cache (which renders an answer once and serves the text to every caller asking the same question).

#include <Poco/JSON/Object.h>

#include <string>

#include "cw/credit/service.hpp"

namespace cw::credit::detail {

Poco::JSON::Object::Ptr measureJson(const MeasureSpec& m);
/// A derived measure with its memorandum, list, entry and the path that caused it (also as one line of text).
Poco::JSON::Object::Ptr derivedJson(const DerivedMeasure& d);
/// {"entity","known","name","action","decision","measures"} as compact JSON text.
std::string checkJson(const CheckAnswer& a);

}  // namespace cw::credit::detail
