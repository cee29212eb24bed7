#include "cw/ratings/scheme.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <regex>
#include <set>

#include "cw/core/validation.hpp"

namespace cw::ratings {

using core::Error;
using Poco::JSON::Object;

const Leaf* Scheme::leaf(std::string_view code) const {
  auto it = std::find_if(leaves.begin(), leaves.end(), [&](const Leaf& l) { return l.code == code; });
  return it == leaves.end() ? nullptr : &*it;
}

const Veto* Scheme::veto(std::string_view code) const {
  auto it = std::find_if(vetoes.begin(), vetoes.end(), [&](const Veto& v) { return v.code == code; });
  return it == vetoes.end() ? nullptr : &*it;
}

const Level* Scheme::level(std::string_view code) const {
  int i = levelIndex(code);
  return i < 0 ? nullptr : &levels[static_cast<std::size_t>(i)];
}

int Scheme::levelIndex(std::string_view code) const {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].code == code) return static_cast<int>(i);
  }
  return -1;
}

Tenths partFloor(int maxPoints, int minPartPercent) {
  Tenths scaled = static_cast<Tenths>(maxPoints) * 10 * minPartPercent;
  return (scaled + 99) / 100;
}

namespace {

Error problem(const std::string& path, const std::string& message) {
  return Error::invalid("scheme", "rating scheme: " + path + ": " + message);
}

// Reads the fields of one JSON object, naming its path in every error.
class Fields {
 public:
  Fields(Object::Ptr object, std::string path) : o_(std::move(object)), path_(std::move(path)) {}

  core::Result<std::string> text(const std::string& key, std::size_t minChars, std::size_t maxChars) const {
    if (!o_->has(key) || !o_->get(key).isString()) return problem(at(key), "missing or not a string");
    auto v = o_->getValue<std::string>(key);
    if (!core::isValidUtf8(v) || core::utf8Length(v) < minChars || core::utf8Length(v) > maxChars) {
      return problem(at(key), "must be " + std::to_string(minChars) + " to " + std::to_string(maxChars) +
                                  " characters of UTF-8");
    }
    return v;
  }

  core::Result<std::string> optionalText(const std::string& key, std::size_t maxChars) const {
    if (!o_->has(key) || o_->isNull(key)) return std::string();
    return text(key, 0, maxChars);
  }

  core::Result<std::string> oneOf(const std::string& key, const std::vector<std::string>& allowed) const {
    auto v = text(key, 1, 32);
    if (!v) return v.error();
    if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return v;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return problem(at(key), "\"" + *v + "\" is not one of " + list);
  }

  core::Result<int> integer(const std::string& key, int min, int max) const {
    if (!o_->has(key) || !o_->get(key).isInteger()) return problem(at(key), "missing or not a whole number");
    int v = o_->getValue<int>(key);
    if (v < min || v > max) {
      return problem(at(key), std::to_string(v) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    }
    return v;
  }

  core::Result<Poco::JSON::Array::Ptr> array(const std::string& key, bool required) const {
    if (!o_->has(key) || o_->isNull(key)) {
      if (required) return problem(at(key), "missing");
      return Poco::JSON::Array::Ptr();
    }
    auto a = o_->getArray(key);
    if (!a) return problem(at(key), "not an array");
    if (a->size() == 0) return problem(at(key), "empty");
    return a;
  }

  std::string at(const std::string& key) const { return path_ + "." + key; }
  const Object::Ptr& object() const { return o_; }

 private:
  Object::Ptr o_;
  std::string path_;
};

core::Result<Fields> element(const Poco::JSON::Array::Ptr& a, std::size_t i, const std::string& path) {
  auto o = a->getObject(static_cast<unsigned>(i));
  if (!o) return problem(path, "not an object");
  return Fields(o, path);
}

class Parser {
 public:
  core::Result<Scheme> run(const Object::Ptr& root) {
    Fields f(root, "$");
    if (auto ok = header(f); !ok) return ok.error();
    if (auto ok = readLevels(f); !ok) return ok.error();
    if (auto ok = readVetoes(f); !ok) return ok.error();
    if (auto ok = readParts(f); !ok) return ok.error();
    if (s_.vetoResult && !s_.level(*s_.vetoResult)) {
      return problem("$.veto_result", "\"" + *s_.vetoResult + "\" is not one of the levels");
    }
    if (s_.vetoResult && s_.vetoes.empty()) return problem("$.vetoes", "veto_result is set but no veto item is listed");
    return std::move(s_);
  }

 private:
  core::Status header(const Fields& f) {
    auto code = f.text("code", 2, 16);
    if (!code) return code.error();
    static const std::regex kSchemeCode("[A-Z0-9]{2,16}");
    if (!std::regex_match(*code, kSchemeCode)) return problem("$.code", "\"" + *code + "\" is not like GBT37276");
    s_.code = *code;
    auto version = f.text("version", 1, 16);
    if (!version) return version.error();
    s_.version = *version;
    auto sector = f.oneOf("sector", {"elderly", "childcare"});
    if (!sector) return sector.error();
    s_.sector = *sector;
    for (auto [key, target, max] : {std::tuple{"standard", &s_.standard, 64}, std::tuple{"title", &s_.title, 128},
                                    std::tuple{"title_en", &s_.titleEn, 255}, std::tuple{"source", &s_.source, 1000}}) {
      auto v = f.text(key, 1, static_cast<std::size_t>(max));
      if (!v) return v.error();
      *target = *v;
    }
    auto thresholds = f.oneOf("thresholds_source", {"standard", "configuration"});
    if (!thresholds) return thresholds.error();
    s_.thresholdsSource = *thresholds;
    auto total = f.integer("total_points", 1, 100000);
    if (!total) return total.error();
    s_.totalPoints = *total;
    if (f.object()->has("veto_result") && !f.object()->isNull("veto_result")) {
      auto v = f.text("veto_result", 1, 8);
      if (!v) return v.error();
      s_.vetoResult = *v;
    }
    return core::Ok{};
  }

  core::Status readLevels(const Fields& f) {
    auto levels = f.array("levels", true);
    if (!levels) return levels.error();
    for (std::size_t i = 0; i < (*levels)->size(); ++i) {
      std::string path = "$.levels[" + std::to_string(i) + "]";
      auto e = element(*levels, i, path);
      if (!e) return e.error();
      Level l;
      auto code = e->text("code", 1, 8);
      if (!code) return code.error();
      if (s_.level(*code)) return problem(path + ".code", "\"" + *code + "\" appears twice");
      l.code = *code;
      auto name = e->text("name", 1, 32);
      if (!name) return name.error();
      l.name = *name;
      auto nameEn = e->text("name_en", 1, 64);
      if (!nameEn) return nameEn.error();
      l.nameEn = *nameEn;
      auto minTotal = e->integer("min_total", 0, s_.totalPoints);
      if (!minTotal) return minTotal.error();
      l.minTotal = *minTotal;
      auto percent = e->integer("min_part_percent", 0, 100);
      if (!percent) return percent.error();
      l.minPartPercent = *percent;
      if (!s_.levels.empty()) {
        const Level& below = s_.levels.back();
        if (l.minTotal <= below.minTotal) {
          return problem(path + ".min_total", "levels go from lowest to highest: " + std::to_string(l.minTotal) +
                                                  " is not above " + below.code + "'s " + std::to_string(below.minTotal));
        }
        if (l.minPartPercent < below.minPartPercent) {
          return problem(path + ".min_part_percent", "is below " + below.code + "'s " +
                                                         std::to_string(below.minPartPercent) + "%");
        }
      }
      s_.levels.push_back(std::move(l));
    }
    return core::Ok{};
  }

  core::Status claim(const std::string& path, const std::string& code) {
    static const std::regex kCode("[A-Za-z0-9.\\-]{1,16}");
    if (!std::regex_match(code, kCode)) return problem(path + ".code", "\"" + code + "\" is not 1 to 16 of A-Z a-z 0-9 . -");
    if (!codes_.insert(code).second) return problem(path + ".code", "\"" + code + "\" appears twice");
    return core::Ok{};
  }

  core::Status readVetoes(const Fields& f) {
    auto vetoes = f.array("vetoes", false);
    if (!vetoes) return vetoes.error();
    if (!*vetoes) return core::Ok{};
    for (std::size_t i = 0; i < (*vetoes)->size(); ++i) {
      std::string path = "$.vetoes[" + std::to_string(i) + "]";
      auto e = element(*vetoes, i, path);
      if (!e) return e.error();
      Veto v;
      auto code = e->text("code", 1, 16);
      if (!code) return code.error();
      if (auto ok = claim(path, *code); !ok) return ok;
      v.code = *code;
      for (auto [key, target, min, max] :
           {std::tuple{"name", &v.name, 1, 128}, std::tuple{"name_en", &v.nameEn, 1, 255},
            std::tuple{"basis", &v.basis, 2, 255}}) {
        auto t = e->text(key, static_cast<std::size_t>(min), static_cast<std::size_t>(max));
        if (!t) return t.error();
        *target = *t;
      }
      s_.vetoes.push_back(std::move(v));
    }
    return core::Ok{};
  }

  // A node and, below it, its children (`childKey`, when the level has one); the children must add up to it.
  core::Result<Node> readNode(const Fields& f, const std::string& path, const char* childKey, std::size_t part) {
    Node n;
    auto code = f.text("code", 1, 16);
    if (!code) return code.error();
    if (auto ok = claim(path, *code); !ok) return ok.error();
    n.code = *code;
    auto name = f.text("name", 1, 128);
    if (!name) return name.error();
    n.name = *name;
    auto nameEn = f.text("name_en", 1, 255);
    if (!nameEn) return nameEn.error();
    n.nameEn = *nameEn;
    auto max = f.integer("max_points", 1, s_.totalPoints);
    if (!max) return max.error();
    n.maxPoints = *max;
    Poco::JSON::Array::Ptr children;
    if (childKey) {
      auto a = f.array(childKey, std::string(childKey) == "items");
      if (!a) return a.error();
      children = *a;
    }
    bool leaf = !children;
    auto guidance = leaf ? f.text("guidance", 2, 500) : f.optionalText("guidance", 500);
    if (!guidance) return guidance.error();
    n.guidance = *guidance;
    auto evidence = leaf ? f.text("evidence", 2, 255) : f.optionalText("evidence", 255);
    if (!evidence) return evidence.error();
    n.evidence = *evidence;
    if (leaf) {
      s_.leaves.push_back({n.code, n.name, part, n.maxPoints});
      return n;
    }
    const char* grandchildKey = std::string(childKey) == "items" ? "subitems" : nullptr;
    long sum = 0;
    for (std::size_t i = 0; i < children->size(); ++i) {
      std::string childPath = path + "." + childKey + "[" + std::to_string(i) + "]";
      auto e = element(children, i, childPath);
      if (!e) return e.error();
      auto child = readNode(*e, childPath, grandchildKey, part);
      if (!child) return child.error();
      sum += child->maxPoints;
      n.children.push_back(std::move(*child));
    }
    if (sum != n.maxPoints) {
      return problem(path, std::string(childKey) + " add up to " + std::to_string(sum) + ", max_points is " +
                               std::to_string(n.maxPoints));
    }
    return n;
  }

  core::Status readParts(const Fields& f) {
    auto parts = f.array("parts", true);
    if (!parts) return parts.error();
    long sum = 0;
    for (std::size_t i = 0; i < (*parts)->size(); ++i) {
      std::string path = "$.parts[" + std::to_string(i) + "]";
      auto e = element(*parts, i, path);
      if (!e) return e.error();
      auto part = readNode(*e, path, "items", i);
      if (!part) return part.error();
      sum += part->maxPoints;
      s_.parts.push_back(std::move(*part));
    }
    if (sum != s_.totalPoints) {
      return problem("$.parts", "parts add up to " + std::to_string(sum) + ", total_points is " +
                                    std::to_string(s_.totalPoints));
    }
    return core::Ok{};
  }

  Scheme s_;
  std::set<std::string> codes_;
};

}  // namespace

core::Result<Scheme> parseScheme(std::string_view json) {
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(std::string(json)).extract<Object::Ptr>();
  } catch (const std::exception& e) {
    return problem("$", std::string("not a JSON object: ") + e.what());
  }
  if (!root) return problem("$", "not a JSON object");
  return Parser().run(root);
}

}  // namespace cw::ratings

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cw::ratings {

core::Result<std::vector<SchemeFile>> loadSchemeDirectory(const std::string& directory) {
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") paths.push_back(entry.path());
  }
  if (ec) return Error::notFound("cannot read the rating scheme folder " + directory + ": " + ec.message());
  if (paths.empty()) return Error::notFound("the rating scheme folder " + directory + " holds no *.json scheme");
  std::sort(paths.begin(), paths.end());
  std::vector<SchemeFile> out;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return Error::invalid("scheme", "cannot read " + p.string());
    auto scheme = parseScheme(text.str());
    if (!scheme) return Error::invalid("scheme", p.string() + ": " + scheme.error().message);
    for (const auto& other : out) {
      if (other.scheme.code == scheme->code && other.scheme.version == scheme->version) {
        return Error::invalid("scheme", p.string() + ": " + scheme->code + " " + scheme->version + " is also in " +
                                            other.path);
      }
    }
    out.push_back({p.string(), text.str(), std::move(*scheme)});
  }
  return out;
}

}  // namespace cw::ratings
