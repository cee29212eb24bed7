#include <Poco/JSON/Array.h>

#include <cmath>

#include "cw/audit/audit_log.hpp"
#include "cw/core/validation.hpp"
#include "cw/http/json.hpp"
#include "cw/ratings/routes.hpp"

namespace cw::ratings {

namespace {

using core::Error;
using http::Access;
using http::Request;
using http::Response;
using Poco::JSON::Array;
using Poco::JSON::Object;
using Reply = core::Result<Response>;
using Var = Poco::Dynamic::Var;

Var opt(const std::optional<std::string>& v) { return v ? Var(*v) : Var(); }
Var points(Tenths t) { return t % 10 == 0 ? Var(static_cast<std::int64_t>(t / 10)) : Var(static_cast<double>(t) / 10.0); }
Var optPoints(const std::optional<Tenths>& t) { return t ? points(*t) : Var(); }

// A JSON number with at most one decimal, as tenths.
core::Result<Tenths> tenths(const Var& v, const std::string& field) {
  if (!v.isNumeric()) return Error::invalid(field, field + " must be a number");
  double d = v.convert<double>();
  double scaled = d * 10.0;
  if (!std::isfinite(d) || std::fabs(scaled - std::round(scaled)) > 1e-6) {
    return Error::invalid(field, field + " takes at most one decimal place");
  }
  return static_cast<Tenths>(std::llround(scaled));
}

Object::Ptr levelJson(const Level& l) {
  Object::Ptr o = new Object;
  o->set("code", l.code);
  o->set("name", l.name);
  o->set("name_en", l.nameEn);
  o->set("min_total", l.minTotal);
  o->set("min_part_percent", l.minPartPercent);
  return o;
}

Object::Ptr nodeJson(const Node& n) {
  Object::Ptr o = new Object;
  o->set("code", n.code);
  o->set("name", n.name);
  o->set("name_en", n.nameEn);
  o->set("max_points", n.maxPoints);
  if (!n.guidance.empty()) o->set("guidance", n.guidance);
  if (!n.evidence.empty()) o->set("evidence", n.evidence);
  if (!n.children.empty()) {
    Array::Ptr children = new Array;
    for (const auto& c : n.children) children->add(nodeJson(c));
    o->set("children", children);
  }
  return o;
}

Object::Ptr schemeJson(const SchemeInfo& info, bool tree) {
  const Scheme& s = *info.scheme;
  Object::Ptr o = new Object;
  o->set("id", info.id);
  o->set("code", s.code);
  o->set("version", s.version);
  o->set("sector", s.sector);
  o->set("standard", s.standard);
  o->set("title", s.title);
  o->set("title_en", s.titleEn);
  o->set("source", s.source);
  o->set("thresholds_source", s.thresholdsSource);
  o->set("total_points", s.totalPoints);
  o->set("active", info.active);
  o->set("installed_at", info.installedAt);
  o->set("veto_result", opt(s.vetoResult));
  Array::Ptr levels = new Array;
  for (const auto& l : s.levels) levels->add(levelJson(l));
  o->set("levels", levels);
  Array::Ptr parts = new Array;
  for (const auto& p : s.parts) {
    if (tree) {
      parts->add(nodeJson(p));
    } else {
      Object::Ptr part = new Object;
      part->set("code", p.code);
      part->set("name", p.name);
      part->set("name_en", p.nameEn);
      part->set("max_points", p.maxPoints);
      parts->add(part);
    }
  }
  o->set("parts", parts);
  o->set("item_count", static_cast<std::int64_t>(s.leaves.size()));
  o->set("veto_count", static_cast<std::int64_t>(s.vetoes.size()));
  if (tree) {
    Array::Ptr vetoes = new Array;
    for (const auto& v : s.vetoes) {
      Object::Ptr x = new Object;
      x->set("code", v.code);
      x->set("name", v.name);
      x->set("name_en", v.nameEn);
      x->set("basis", v.basis);
      vetoes->add(x);
    }
    o->set("vetoes", vetoes);
  }
  return o;
}

Object::Ptr ratingJson(const Rating& g) {
  Object::Ptr o = new Object;
  o->set("id", g.id);
  o->set("reference", g.reference);
  o->set("institution_id", g.institutionId);
  o->set("institution_name", g.institutionName);
  o->set("credit_code", g.creditCode);
  o->set("region_code", g.regionCode);
  o->set("region_name", g.regionName);
  o->set("department_code", g.departmentCode);
  o->set("scheme_id", g.schemeId);
  o->set("scheme_code", g.schemeCode);
  o->set("scheme_version", g.schemeVersion);
  o->set("scheme_title", g.schemeTitle);
  o->set("sector", g.sector);
  o->set("state", g.state);
  o->set("aggregation", g.aggregation);
  o->set("opened_at", g.openedAt);
  o->set("self_submitted_at", opt(g.selfSubmittedAt));
  o->set("panel_assigned_at", opt(g.panelAssignedAt));
  o->set("draft_at", opt(g.draftAt));
  o->set("challenge_deadline", opt(g.challengeDeadline));
  o->set("challenge_window_open", g.challengeWindowOpen);
  o->set("confirmed_at", opt(g.confirmedAt));
  o->set("published_at", opt(g.publishedAt));
  o->set("valid_until", opt(g.validUntil));
  o->set("total", optPoints(g.total));
  o->set("level", opt(g.level));
  o->set("current_level", opt(g.currentLevel));
  o->set("level_name", g.levelName);
  o->set("review_state", g.reviewState);
  o->set("review_reason", opt(g.reviewReason));
  o->set("age_days", g.ageDays ? Var(*g.ageDays) : Var());
  o->set("days_to_expiry", g.daysToExpiry ? Var(*g.daysToExpiry) : Var());
  o->set("expired", g.expired);
  o->set("updated_at", g.updatedAt);
  return o;
}

Array::Ptr linesJson(const std::vector<SheetLine>& lines) {
  Array::Ptr a = new Array;
  for (const auto& l : lines) {
    Object::Ptr o = new Object;
    o->set("code", l.code);
    o->set("points", optPoints(l.points));
    o->set("passed", l.passed ? Var(*l.passed) : Var());
    o->set("note", l.note);
    o->set("evidence", l.evidence);
    a->add(o);
  }
  return a;
}

Object::Ptr detailJson(const RatingDetail& d) {
  Object::Ptr o = ratingJson(d.rating);
  Array::Ptr panel = new Array;
  for (const auto& m : d.panel) {
    Object::Ptr x = new Object;
    x->set("inspector_id", m.inspectorId);
    x->set("code", m.code);
    x->set("name", m.name);
    x->set("member_kind", m.memberKind);
    x->set("expertise", m.expertise);
    x->set("assigned_how", m.assignedHow);
    x->set("submitted_at", opt(m.submittedAt));
    x->set("answered", m.answered);
    panel->add(x);
  }
  o->set("panel", panel);
  o->set("self_assessment", linesJson(d.selfAssessment));
  o->set("is_evaluator", d.isEvaluator);
  if (d.mySheet) o->set("my_sheet", linesJson(*d.mySheet));
  Object::Ptr sheets = new Object;
  for (const auto& [code, lines] : d.panelSheets) sheets->set(code, linesJson(lines));
  o->set("panel_sheets", sheets);
  Array::Ptr challenges = new Array;
  for (const auto& k : d.challenges) {
    Object::Ptr x = new Object;
    x->set("id", k.id);
    x->set("item_code", k.itemCode);
    x->set("item_name", k.itemName);
    x->set("claim", k.claim);
    x->set("evidence", k.evidence);
    x->set("filed_at", k.filedAt);
    x->set("decision", opt(k.decision));
    x->set("answer", opt(k.answer));
    x->set("corrected_points", optPoints(k.correctedPoints));
    x->set("corrected_passed", k.correctedPassed ? Var(*k.correctedPassed) : Var());
    x->set("answered_by", opt(k.answeredBy));
    x->set("answered_at", opt(k.answeredAt));
    challenges->add(x);
  }
  o->set("challenges", challenges);
  Array::Ptr events = new Array;
  for (const auto& e : d.events) {
    Object::Ptr x = new Object;
    x->set("action", e.action);
    x->set("actor", opt(e.actor));
    x->set("from_level", opt(e.fromLevel));
    x->set("to_level", opt(e.toLevel));
    x->set("note", e.note);
    x->set("at", e.createdAt);
    events->add(x);
  }
  o->set("events", events);
  return o;
}

std::string levelLabel(const Scheme& s, const std::optional<std::string>& code) {
  if (!code) return s.vetoResult || s.levels.front().minTotal == 0 ? "" : "未达到" + s.levels.front().name;
  const Level* l = s.level(*code);
  return l ? l->name : *code;
}

// The reasons for a level, in words and numbers: parts against the floors of the level reached and the next, the
// decisive rule, what the next level needs, and (unless `summary`) every item with points gained and lost.
Object::Ptr explanationJson(const Explanation& e, bool summary) {
  const Scheme& s = *e.scheme;
  const Outcome& o = e.outcome;
  Object::Ptr out = new Object;
  out->set("rating", ratingJson(e.rating));
  out->set("scheme", s.code + " " + s.version);
  out->set("standard", s.standard);
  out->set("thresholds_source", s.thresholdsSource);
  out->set("total", points(o.total));
  out->set("total_max", s.totalPoints);
  out->set("level", opt(o.level));
  out->set("level_name", levelLabel(s, o.level));
  out->set("decided_by", o.decidedBy);
  out->set("next_level", opt(o.nextLevel));
  out->set("next_level_name", o.nextLevel ? levelLabel(s, o.nextLevel) : "");
  const Level* reached = o.level ? s.level(*o.level) : nullptr;
  const Level* next = o.nextLevel ? s.level(*o.nextLevel) : nullptr;
  Array::Ptr needs = new Array;
  for (const auto& n : o.nextNeeds) {
    Object::Ptr x = new Object;
    x->set("kind", n.kind);
    x->set("code", n.code);
    if (n.kind == "veto") {
      x->set("name", s.veto(n.code) ? s.veto(n.code)->name : n.code);
    } else {
      x->set("have", points(n.have));
      x->set("need", points(n.need));
      x->set("missing", points(n.need - n.have));
      if (n.kind == "part") {
        for (const auto& p : s.parts) {
          if (p.code == n.code) x->set("name", p.name);
        }
      }
    }
    needs->add(x);
  }
  out->set("next_needs", needs);
  Array::Ptr failed = new Array;
  for (const auto& v : o.failedVetoes) {
    Object::Ptr x = new Object;
    x->set("code", v);
    x->set("name", s.veto(v) ? s.veto(v)->name : v);
    x->set("basis", s.veto(v) ? s.veto(v)->basis : "");
    failed->add(x);
  }
  out->set("failed_vetoes", failed);
  Array::Ptr levels = new Array;
  for (const auto& l : s.levels) levels->add(levelJson(l));
  out->set("levels", levels);

  Array::Ptr parts = new Array;
  for (std::size_t p = 0; p < s.parts.size(); ++p) {
    const Node& part = s.parts[p];
    Object::Ptr x = new Object;
    x->set("code", part.code);
    x->set("name", part.name);
    x->set("max_points", part.maxPoints);
    x->set("points", points(o.parts[p]));
    // points (tenths) as a share of the maximum, to one decimal: tenths * 100 / max is tenths of a percent
    x->set("percent", std::round(static_cast<double>(o.parts[p]) * 100.0 / part.maxPoints) / 10.0);
    x->set("floor", reached ? points(partFloor(part.maxPoints, reached->minPartPercent)) : Var());
    x->set("next_floor", next ? points(partFloor(part.maxPoints, next->minPartPercent)) : Var());
    if (!summary) {
      Array::Ptr items = new Array;
      for (const auto& item : part.children) {
        Object::Ptr it = new Object;
        it->set("code", item.code);
        it->set("name", item.name);
        it->set("max_points", item.maxPoints);
        Array::Ptr leaves = new Array;
        const std::vector<Node> self{item};
        Tenths gained = 0;
        for (const Node& leaf : item.children.empty() ? self : item.children) {
          Tenths got = e.scores.points.count(leaf.code) ? e.scores.points.at(leaf.code) : 0;
          gained += got;
          Object::Ptr l = new Object;
          l->set("code", leaf.code);
          l->set("name", leaf.name);
          l->set("max_points", leaf.maxPoints);
          l->set("points", points(got));
          l->set("lost", points(static_cast<Tenths>(leaf.maxPoints) * 10 - got));
          l->set("guidance", leaf.guidance);
          l->set("self_points", e.selfAssessment.points.count(leaf.code) ? points(e.selfAssessment.points.at(leaf.code)) : Var());
          Array::Ptr notes = new Array;
          if (auto n = e.notes.find(leaf.code); n != e.notes.end()) {
            for (const auto& t : n->second) notes->add(t);
          }
          l->set("notes", notes);
          if (auto c = e.corrections.find(leaf.code); c != e.corrections.end()) l->set("correction", c->second);
          leaves->add(l);
        }
        it->set("points", points(gained));
        it->set("lost", points(static_cast<Tenths>(item.maxPoints) * 10 - gained));
        it->set("leaves", leaves);
        items->add(it);
      }
      x->set("items", items);
    }
    parts->add(x);
  }
  out->set("parts", parts);
  if (!summary) {
    Array::Ptr vetoes = new Array;
    for (const auto& v : s.vetoes) {
      Object::Ptr x = new Object;
      x->set("code", v.code);
      x->set("name", v.name);
      x->set("basis", v.basis);
      auto it = e.scores.vetoes.find(v.code);
      x->set("passed", it == e.scores.vetoes.end() ? Var() : Var(it->second));
      vetoes->add(x);
    }
    out->set("vetoes", vetoes);
  }
  return out;
}

// {"lines": [{"code", "points" | "passed", "note", "evidence"}], "submit": bool}
core::Result<SheetInput> sheetInput(const Object::Ptr& b) {
  SheetInput in;
  auto lines = b->getArray("lines");
  if (!lines) return Error::invalid("lines", "lines must be an array of {code, points | passed, note}");
  if (lines->size() > 2000) return Error::invalid("lines", "too many lines");
  for (std::size_t i = 0; i < lines->size(); ++i) {
    auto l = lines->getObject(static_cast<unsigned>(i));
    std::string at = "lines[" + std::to_string(i) + "]";
    if (!l) return Error::invalid("lines", at + " is not an object");
    SheetLine line;
    auto code = http::requireString(l, "code", 1, 16);
    if (!code) return Error::invalid("lines", at + ".code: " + code.error().message);
    line.code = *code;
    if (l->has("points") && !l->isNull("points")) {
      auto t = tenths(l->get("points"), "points");
      if (!t) return Error::invalid("lines", at + ": " + t.error().message);
      line.points = *t;
    }
    if (l->has("passed") && !l->isNull("passed")) {
      if (!l->get("passed").isBoolean()) return Error::invalid("lines", at + ".passed must be true or false");
      line.passed = l->getValue<bool>("passed");
    }
    for (auto [key, target, max] : {std::tuple{"note", &line.note, 1000}, std::tuple{"evidence", &line.evidence, 500}}) {
      auto v = http::optionalString(l, key, static_cast<std::size_t>(max));
      if (!v) return Error::invalid("lines", at + "." + key + ": " + v.error().message);
      if (*v) *target = **v;
    }
    in.lines.push_back(std::move(line));
  }
  if (b->has("submit")) {
    if (!b->get("submit").isBoolean()) return Error::invalid("submit", "submit must be true or false");
    in.submit = b->getValue<bool>("submit");
  }
  return in;
}

Reply detail(const core::Result<RatingDetail>& d) {
  if (!d) return d.error();
  return Response::json(detailJson(*d));
}

}  // namespace

void registerRoutes(http::Router& router, RatingService& ratings) {
  const Access staff = Access::only({"admin", "officer"});

  router.add("GET", "/api/v1/rating-schemes", Access::anyone(), [&](Request&) -> Reply {
    Array::Ptr items = new Array;
    for (const auto& s : ratings.schemes()) items->add(schemeJson(s, false));
    Object::Ptr o = new Object;
    o->set("items", items);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/rating-schemes/{id}", Access::anyone(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto s = ratings.scheme(*id);
    if (!s) return s.error();
    return Response::json(schemeJson(*s, true));
  });

  router.add("POST", "/api/v1/ratings", Access::only({"admin", "officer", "institution"}), [&](Request& r) -> Reply {
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto institution = http::optionalInt(*b, "institution_id");
    if (!institution) return institution.error();
    auto scheme = http::optionalInt(*b, "scheme_id");
    if (!scheme) return scheme.error();
    auto g = ratings.open(audit::Actor::of(r), *r.principal, *institution, *scheme);
    if (!g) return g.error();
    return Response::json(ratingJson(*g), 201);
  });

  router.add("GET", "/api/v1/ratings", Access::signedIn(), [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    RatingFilter f;
    f.state = r.queryParam("state");
    f.region = r.queryParam("region");
    auto inst = http::queryInt(r, "institution_id", 1, INT64_MAX);
    if (!inst) return inst.error();
    f.institutionId = *inst;
    auto expiring = http::queryInt(r, "expiring_within_days", 0, 3650);
    if (!expiring) return expiring.error();
    if (*expiring) f.expiringWithinDays = static_cast<int>(**expiring);
    f.reviewRequired = r.queryParam("review").value_or("") == "required";
    f.offset = p->offset();
    f.limit = p->pageSize;
    auto page = ratings.list(*r.principal, f);
    if (!page) return page.error();
    Array::Ptr items = new Array;
    for (const auto& g : page->items) items->add(ratingJson(g));
    Object::Ptr o = new Object;
    o->set("items", items);
    o->set("total", page->total);
    o->set("near_expiry_days", ratings.config().nearExpiryDays);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/ratings/stats", Access::only({"admin", "officer", "bureau"}), [&](Request& r) -> Reply {
    auto counts = ratings.distribution(*r.principal);
    if (!counts) return counts.error();
    Array::Ptr items = new Array;
    for (const auto& c : *counts) {
      Object::Ptr x = new Object;
      x->set("region_code", c.regionCode);
      x->set("region_name", c.regionName);
      x->set("scheme_code", c.schemeCode);
      x->set("level", c.level);
      x->set("count", c.count);
      items->add(x);
    }
    Object::Ptr o = new Object;
    o->set("items", items);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/ratings/{id}", Access::signedIn(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    return detail(ratings.get(*r.principal, *id));
  });

  router.add("PUT", "/api/v1/ratings/{id}/self-assessment", Access::only({"institution"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto in = sheetInput(*b);
    if (!in) return in.error();
    return detail(ratings.saveSelfAssessment(audit::Actor::of(r), *r.principal, *id, *in));
  });

  router.add("GET", "/api/v1/ratings/{id}/panel-candidates", staff, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto list = ratings.panelCandidates(*r.principal, *id);
    if (!list) return list.error();
    Array::Ptr items = new Array;
    for (const auto& k : *list) {
      Object::Ptr x = new Object;
      x->set("inspector_id", k.inspectorId);
      x->set("code", k.code);
      x->set("name", k.name);
      x->set("member_kind", k.memberKind);
      x->set("expertise", k.expertise);
      x->set("region_code", k.regionCode);
      x->set("has_account", k.hasAccount);
      x->set("conflict", opt(k.conflict));
      items->add(x);
    }
    Object::Ptr o = new Object;
    o->set("items", items);
    o->set("min_panel", ratings.config().minPanel);
    return Response::json(o);
  });

  router.add("POST", "/api/v1/ratings/{id}/panel", staff, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    std::vector<std::int64_t> ids;
    if (auto a = (*b)->getArray("inspector_ids")) {
      for (std::size_t i = 0; i < a->size(); ++i) {
        auto inspector = http::integerValue(a->get(static_cast<unsigned>(i)));
        if (!inspector) return Error::invalid("inspector_ids", "inspector_ids are whole numbers");
        ids.push_back(*inspector);
      }
    } else if ((*b)->has("inspector_ids")) {
      return Error::invalid("inspector_ids", "inspector_ids must be an array");
    }
    auto draw = http::optionalInt(*b, "draw");
    if (!draw) return draw.error();
    if (ids.empty() && !*draw) return Error::invalid("inspector_ids", "name the members (inspector_ids) or draw them (draw: n)");
    std::optional<int> count;
    if (*draw) count = static_cast<int>(**draw);
    return detail(ratings.assignPanel(audit::Actor::of(r), *r.principal, *id, ids, count));
  });

  router.add("PUT", "/api/v1/ratings/{id}/scores", Access::only({"inspector"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto in = sheetInput(*b);
    if (!in) return in.error();
    return detail(ratings.saveScores(audit::Actor::of(r), *r.principal, *id, *in));
  });

  router.add("POST", "/api/v1/ratings/{id}/challenges", Access::only({"institution"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    ChallengeInput in;
    auto item = http::requireString(*b, "item_code", 1, 16);
    if (!item) return item.error();
    in.itemCode = *item;
    auto claim = http::requireString(*b, "claim", 1, 2000);
    if (!claim) return claim.error();
    in.claim = *claim;
    auto evidence = http::requireString(*b, "evidence", 1, 1000);
    if (!evidence) return evidence.error();
    in.evidence = *evidence;
    auto d = ratings.fileChallenge(audit::Actor::of(r), *r.principal, *id, in);
    if (!d) return d.error();
    return Response::json(detailJson(*d), 201);
  });

  router.add("POST", "/api/v1/ratings/{id}/challenges/{cid}/answer", Access::only({"inspector"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto cid = http::idParam(r, "cid");
    if (!cid) return cid.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    AnswerInput in;
    auto decision = http::requireString(*b, "decision", 1, 16);
    if (!decision) return decision.error();
    in.decision = *decision;
    auto answer = http::requireString(*b, "answer", 1, 2000);
    if (!answer) return answer.error();
    in.answer = *answer;
    if ((*b)->has("points") && !(*b)->isNull("points")) {
      auto t = tenths((*b)->get("points"), "points");
      if (!t) return t.error();
      in.points = *t;
    }
    if ((*b)->has("passed") && !(*b)->isNull("passed")) {
      if (!(*b)->get("passed").isBoolean()) return Error::invalid("passed", "passed must be true or false");
      in.passed = (*b)->getValue<bool>("passed");
    }
    return detail(ratings.answerChallenge(audit::Actor::of(r), *r.principal, *id, *cid, in));
  });

  router.add("POST", "/api/v1/ratings/{id}/confirm", Access::only({"institution"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    return detail(ratings.confirmDraft(audit::Actor::of(r), *r.principal, *id));
  });

  router.add("POST", "/api/v1/ratings/{id}/approve", staff, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body.empty() ? "{}" : r.body);
    if (!b) return b.error();
    auto note = http::optionalString(*b, "note", 1000);
    if (!note) return note.error();
    return detail(ratings.approve(audit::Actor::of(r), *r.principal, *id, note->value_or("")));
  });

  router.add("POST", "/api/v1/ratings/{id}/withdraw", Access::only({"admin", "officer", "institution"}), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto reason = http::requireString(*b, "reason", 1, 512);
    if (!reason) return reason.error();
    return detail(ratings.withdraw(audit::Actor::of(r), *r.principal, *id, *reason));
  });

  router.add("POST", "/api/v1/ratings/{id}/level", staff, [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    auto action = http::requireString(*b, "action", 1, 16);
    if (!action) return action.error();
    if (*action != "downgrade" && *action != "keep") return Error::invalid("action", "action is downgrade or keep");
    auto level = http::optionalString(*b, "level", 8);
    if (!level) return level.error();
    auto reason = http::requireString(*b, "reason", 1, 512);
    if (!reason) return reason.error();
    return detail(ratings.changeLevel(audit::Actor::of(r), *r.principal, *id, *action == "downgrade",
                                      level->value_or(""), *reason));
  });

  router.add("GET", "/api/v1/ratings/{id}/explain", Access::signedIn(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto e = ratings.explain(*r.principal, *id);
    if (!e) return e.error();
    return Response::json(explanationJson(*e, false));
  });

  router.add("POST", "/api/v1/ratings/{id}/what-if", Access::signedIn(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto b = http::parseJsonObject(r.body);
    if (!b) return b.error();
    Sheet changes;
    if (auto p = (*b)->getObject("points")) {
      for (const auto& key : p->getNames()) {
        auto t = tenths(p->get(key), "points");
        if (!t) return Error::invalid("points", "points." + key + ": " + t.error().message);
        changes.points[key] = *t;
      }
    }
    if (auto v = (*b)->getObject("vetoes")) {
      for (const auto& key : v->getNames()) {
        if (!v->get(key).isBoolean()) return Error::invalid("vetoes", "vetoes." + key + " must be true or false");
        changes.vetoes[key] = v->getValue<bool>(key);
      }
    }
    if (changes.points.size() + changes.vetoes.size() > 2000) return Error::invalid("points", "too many changes");
    auto e = ratings.whatIf(*r.principal, *id, changes);
    if (!e) return e.error();
    return Response::json(explanationJson(*e, false));
  });

  router.add("GET", "/api/v1/public/institutions/{id}/rating", Access::anyone(), [&](Request& r) -> Reply {
    auto id = http::idParam(r);
    if (!id) return id.error();
    auto p = ratings.publicRating(*id);
    if (!p) return p.error();
    Object::Ptr o = explanationJson(*p->explanation, true);
    // The public sees the rating, its date, age and validity, and the explanation summary; nothing internal.
    Object::Ptr g = new Object;
    g->set("institution_id", p->institutionId);
    g->set("institution_name", p->institutionName);
    g->set("region_name", p->regionName);
    g->set("reference", p->rating.reference);
    g->set("scheme_id", p->rating.schemeId);
    g->set("scheme_title", p->rating.schemeTitle);
    g->set("level", opt(p->rating.currentLevel));
    g->set("level_name", p->rating.levelName);
    g->set("published_level", opt(p->rating.level));
    g->set("published_at", opt(p->rating.publishedAt));
    g->set("age_days", p->rating.ageDays ? Var(*p->rating.ageDays) : Var());
    g->set("valid_until", opt(p->rating.validUntil));
    g->set("expired", p->rating.expired);
    g->set("under_review", p->rating.reviewState == "required");
    o->set("rating", g);
    return Response::json(o);
  });

  router.add("GET", "/api/v1/public/ratings", Access::anyone(), [&](Request& r) -> Reply {
    auto p = http::pageParams(r);
    if (!p) return p.error();
    auto region = r.queryParam("region");
    if (region) {
      if (auto ok = core::checkRegionCode("region", *region); !ok) return ok.error();
    }
    auto name = r.queryParam("q");
    if (name && name->size() > 64) return Error::invalid("q", "search text is at most 64 characters");
    auto [items, total] = ratings.publicRatings(name, region, p->offset(), p->pageSize);
    Array::Ptr a = new Array;
    for (const auto& x : items) {
      Object::Ptr o = new Object;
      o->set("institution_id", x.institutionId);
      o->set("institution_name", x.institutionName);
      o->set("region_name", x.regionName);
      o->set("scheme_title", x.rating.schemeTitle);
      o->set("sector", x.rating.sector);
      o->set("level", opt(x.rating.currentLevel));
      o->set("level_name", x.rating.levelName);
      o->set("published_at", opt(x.rating.publishedAt));
      o->set("age_days", x.rating.ageDays ? Var(*x.rating.ageDays) : Var());
      o->set("valid_until", opt(x.rating.validUntil));
      o->set("expired", x.rating.expired);
      o->set("under_review", x.rating.reviewState == "required");
      a->add(o);
    }
    Object::Ptr o = new Object;
    o->set("items", a);
    o->set("total", total);
    return Response::json(o);
  });
}

}  // namespace cw::ratings
