#include "record_json.hpp"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <sstream>

#include "cw/http/json.hpp"

namespace cw::registry {

using core::Error;

namespace {


Poco::Dynamic::Var typed(const FieldSpec& spec, const std::optional<std::string>& value) {
  if (!value) return Poco::Dynamic::Var();
  switch (spec.type) {
    case FieldType::Integer:
      return static_cast<Poco::Int64>(std::stoll(*value));
    case FieldType::Decimal:
      return std::stod(*value);
    case FieldType::Flag:
      return *value == "true";
    default:
      return *value;
  }
}

Poco::JSON::Array::Ptr licencesJson(const std::vector<Licence>& list) {
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
  for (const auto& l : list) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("kind", l.kind);
    o->set("number", l.number);
    o->set("issuer", l.issuer ? Poco::Dynamic::Var(*l.issuer) : Poco::Dynamic::Var());
    o->set("expires_on", l.expiresOn ? Poco::Dynamic::Var(*l.expiresOn) : Poco::Dynamic::Var());
    out->add(o);
  }
  return out;
}

Poco::JSON::Array::Ptr relationsJson(const std::vector<Relation>& list) {
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
  for (const auto& r : list) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("relation", r.relation);
    o->set("party_name", r.partyName);
    o->set("party_credit_code", r.partyCreditCode ? Poco::Dynamic::Var(*r.partyCreditCode) : Poco::Dynamic::Var());
    o->set("valid_from", r.validFrom);
    o->set("valid_to", r.validTo ? Poco::Dynamic::Var(*r.validTo) : Poco::Dynamic::Var());
    out->add(o);
  }
  return out;
}

// A scalar JSON value as canonical text; nullopt for null. Error for arrays/objects.
core::Result<std::optional<std::string>> scalarText(const Poco::Dynamic::Var& v, const std::string& field) {
  if (v.isEmpty()) return std::optional<std::string>();
  if (v.isString()) return std::optional<std::string>(v.extract<std::string>());
  if (v.type() == typeid(bool)) return std::optional<std::string>(v.extract<bool>() ? "true" : "false");
  if (v.isInteger()) {
    auto number = http::integerValue(v);
    if (!number) return Error::invalid(field, field + " is too large");
    return std::optional<std::string>(std::to_string(*number));
  }
  if (v.isNumeric()) {
    std::ostringstream out;
    out.precision(15);
    out << v.convert<double>();
    return std::optional<std::string>(out.str());
  }
  return Error::invalid(field, field + " must be text, a number, true/false or null");
}

core::Result<std::optional<std::string>> optionalMember(const Poco::JSON::Object::Ptr& o, const std::string& key,
                                                         const std::string& at) {
  if (!o->has(key)) return std::optional<std::string>();
  return scalarText(o->get(key), at + "." + key);
}

}  // namespace

Poco::JSON::Object::Ptr recordToApi(const Record& record) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  for (const auto& spec : institutionFields()) o->set(spec.name, typed(spec, record.get(spec.name)));
  o->set("licences", licencesJson(record.licences));
  o->set("relations", relationsJson(record.relations));
  return o;
}

std::string recordToSnapshot(const Record& record) {
  Poco::JSON::Object::Ptr fields = new Poco::JSON::Object;
  for (const auto& [name, value] : record.values) {
    fields->set(name, value ? Poco::Dynamic::Var(*value) : Poco::Dynamic::Var());
  }
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("fields", fields);
  o->set("licences", licencesJson(record.licences));
  o->set("relations", relationsJson(record.relations));
  return http::toJsonText(o);
}

Record recordFromSnapshot(const std::string& json) {
  auto root = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  Record r;
  auto fields = root->getObject("fields");
  for (const auto& name : fields->getNames()) {
    if (fields->isNull(name)) r.values[name] = std::nullopt;
    else r.values[name] = fields->getValue<std::string>(name);
  }
  auto text = [](const Poco::JSON::Object::Ptr& o, const std::string& k) -> std::optional<std::string> {
    if (!o->has(k) || o->isNull(k)) return std::nullopt;
    return o->getValue<std::string>(k);
  };
  if (auto list = root->getArray("licences")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto l = list->getObject(static_cast<unsigned>(i));
      r.licences.push_back({l->getValue<std::string>("kind"), l->getValue<std::string>("number"), text(l, "issuer"),
                            text(l, "expires_on")});
    }
  }
  if (auto list = root->getArray("relations")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto x = list->getObject(static_cast<unsigned>(i));
      r.relations.push_back({x->getValue<std::string>("relation"), x->getValue<std::string>("party_name"),
                             text(x, "party_credit_code"), x->getValue<std::string>("valid_from"),
                             text(x, "valid_to")});
    }
  }
  return r;
}

core::Result<RecordChanges> changesFromApi(const Poco::JSON::Object::Ptr& body) {
  RecordChanges changes;
  for (const auto& key : body->getNames()) {
    if (key == "licences" || key == "relations") continue;
    const FieldSpec* spec = findField(key);
    if (!spec) return Error::invalid(key, "unknown field '" + key + "'");
    auto value = scalarText(body->get(key), key);
    if (!value) return value.error();
    changes.values.values[key] = *value;
  }
  if (body->has("licences")) {
    changes.licences = true;
    auto list = body->getArray("licences");
    if (!list && !body->isNull("licences")) return Error::invalid("licences", "licences must be an array");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
      std::string at = "licences[" + std::to_string(i) + "]";
      auto o = list->getObject(static_cast<unsigned>(i));
      if (!o) return Error::invalid(at, at + " must be an object");
      Licence l;
      for (auto [key, target] : {std::pair{"kind", &l.kind}, std::pair{"number", &l.number}}) {
        auto v = optionalMember(o, key, at);
        if (!v) return v.error();
        if (!*v) return Error::invalid(at + "." + key, at + "." + key + " is required");
        *target = **v;
      }
      auto issuer = optionalMember(o, "issuer", at);
      if (!issuer) return issuer.error();
      l.issuer = *issuer;
      auto expires = optionalMember(o, "expires_on", at);
      if (!expires) return expires.error();
      l.expiresOn = *expires;
      changes.values.licences.push_back(std::move(l));
    }
  }
  if (body->has("relations")) {
    changes.relations = true;
    auto list = body->getArray("relations");
    if (!list && !body->isNull("relations")) return Error::invalid("relations", "relations must be an array");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
      std::string at = "relations[" + std::to_string(i) + "]";
      auto o = list->getObject(static_cast<unsigned>(i));
      if (!o) return Error::invalid(at, at + " must be an object");
      Relation r;
      for (auto [key, target] : {std::pair{"relation", &r.relation}, std::pair{"party_name", &r.partyName},
                                 std::pair{"valid_from", &r.validFrom}}) {
        auto v = optionalMember(o, key, at);
        if (!v) return v.error();
        if (!*v) return Error::invalid(at + "." + key, at + "." + key + " is required");
        *target = **v;
      }
      auto code = optionalMember(o, "party_credit_code", at);
      if (!code) return code.error();
      r.partyCreditCode = *code;
      auto to = optionalMember(o, "valid_to", at);
      if (!to) return to.error();
      r.validTo = *to;
      changes.values.relations.push_back(std::move(r));
    }
  }
  return changes;
}

Poco::JSON::Array::Ptr changesToApi(const std::vector<FieldChange>& changes) {
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
  for (const auto& c : changes) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("field", c.field);
    const FieldSpec* spec = findField(c.field);
    o->set("label", spec ? spec->labelZh : (c.field == "licences" ? "证照" : "关联方"));
    o->set("before", c.before ? Poco::Dynamic::Var(*c.before) : Poco::Dynamic::Var());
    o->set("after", c.after ? Poco::Dynamic::Var(*c.after) : Poco::Dynamic::Var());
    out->add(o);
  }
  return out;
}

}  // namespace cw::registry
