#include "render.hpp"

#include <Poco/JSON/Array.h>

#include "cw/http/json.hpp"

namespace cw::credit::detail {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Var = Poco::Dynamic::Var;

Object::Ptr measureJson(const MeasureSpec& m) {
  Object::Ptr o = new Object;
  o->set("code", m.code);
  o->set("name", m.name);
  o->set("action", m.action);
  o->set("effect", m.effect);
  o->set("department", m.department);
  o->set("basis", m.basis);
  o->set("subject", m.subject);
  return o;
}

Object::Ptr derivedJson(const DerivedMeasure& d) {
  Object::Ptr o = measureJson(d.measure);
  o->set("memorandum_id", d.memorandumId);
  o->set("memorandum_number", d.memorandumNumber);
  o->set("memorandum_title", d.memorandumTitle);
  o->set("list", d.list);
  o->set("entry_id", d.entryId);
  o->set("via", d.via.empty() ? Var() : Var(d.via));
  o->set("via_entity", d.viaEntity.empty() ? Var() : Var(d.viaEntity));
  Array::Ptr path = new Array;
  for (const auto& s : d.path) {
    Object::Ptr p = new Object;
    p->set("kind", s.kind);
    p->set("key", s.key);
    p->set("label", s.label);
    p->set("edge", s.edge);
    path->add(p);
  }
  o->set("path", path);
  std::string text;
  for (const auto& s : d.path) text += (text.empty() ? "" : " → ") + s.label;
  o->set("path_text", text);
  return o;
}

std::string checkJson(const CheckAnswer& a) {
  Object::Ptr o = new Object;
  o->set("entity", a.subject);
  o->set("known", a.known);
  o->set("name", a.name ? Var(*a.name) : Var());
  o->set("action", a.action.empty() ? Var() : Var(a.action));
  o->set("decision", a.decision);
  Array::Ptr measures = new Array;
  for (const auto& m : a.measures) measures->add(derivedJson(m));
  o->set("measures", measures);
  return http::toJsonText(o);
}

}  // namespace cw::credit::detail
