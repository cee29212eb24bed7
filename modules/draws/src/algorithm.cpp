#include "cw/draws/algorithm.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "cw/core/crypto.hpp"

namespace cw::draws {

namespace {

using core::Error;
using Score = std::array<unsigned char, 32>;

// Views into a frozen file; the file outlives them inside runDraw.
struct Fields {
  std::array<std::string_view, 3> f;
};

// Splits a file into lines of exactly `columns` tab-separated non-empty fields, checking bytewise strict order.
core::Result<std::vector<Fields>> splitFile(std::string_view file, std::string_view name, std::size_t columns) {
  std::vector<Fields> out;
  if (file.empty()) return out;
  if (file.back() != '\n') return Error::invalid(std::string(name), std::string(name) + ": the last line does not end with \\n");
  out.reserve(static_cast<std::size_t>(std::count(file.begin(), file.end(), '\n')));
  std::size_t lineNo = 0;
  std::string_view previous;
  std::size_t pos = 0;
  while (pos < file.size()) {
    ++lineNo;
    std::size_t end = file.find('\n', pos);
    std::string_view line = file.substr(pos, end - pos);
    pos = end + 1;
    auto bad = [&](const std::string& what) {
      return Error::invalid(std::string(name), std::string(name) + " line " + std::to_string(lineNo) + ": " + what);
    };
    if (lineNo > 1 && !(previous < line)) {
      return bad(previous == line ? "duplicate line" : "lines are not sorted bytewise ascending");
    }
    previous = line;
    Fields fields;
    std::size_t start = 0;
    for (std::size_t c = 0; c < columns; ++c) {
      std::size_t tab = c + 1 < columns ? line.find('\t', start) : std::string_view::npos;
      if (c + 1 < columns && tab == std::string_view::npos) {
        return bad("expected " + std::to_string(columns) + " tab-separated fields");
      }
      std::string_view field = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
      if (c + 1 == columns && field.find('\t') != std::string_view::npos) {
        return bad("expected " + std::to_string(columns) + " tab-separated fields");
      }
      if (field.empty()) return bad("field " + std::to_string(c + 1) + " is empty");
      if (std::any_of(field.begin(), field.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; })) {
        return bad("field " + std::to_string(c + 1) + " contains a control character");
      }
      fields.f[c] = field;
      start = tab + 1;
    }
    out.push_back(fields);
  }
  return out;
}

template <typename T, typename Line>
std::string renderLines(const std::vector<T>& entries, Line line) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const auto& e : entries) lines.push_back(line(e));
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  std::string out;
  std::size_t total = 0;
  for (const auto& l : lines) total += l.size();
  out.reserve(total);
  for (const auto& l : lines) out += l;
  return out;
}

unsigned threadCount(unsigned requested, std::size_t work) {
  unsigned n = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  if (work < 4096) n = 1;  // not worth a thread
  return n;
}

// Runs fn(begin, end, worker) over [0, n) split into contiguous ranges, one per thread.
template <typename Fn>
void parallelRanges(std::size_t n, unsigned threads, Fn fn) {
  if (threads <= 1) {
    fn(std::size_t{0}, n, 0u);
    return;
  }
  std::vector<std::thread> workers;
  std::size_t chunk = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    std::size_t begin = std::min(n, t * chunk);
    std::size_t end = std::min(n, begin + chunk);
    workers.emplace_back([=, &fn] { fn(begin, end, t); });
  }
  for (auto& w : workers) w.join();
}

struct Candidate {
  Score score;
  std::uint32_t inspector;
};
// Equal scores (practically impossible) fall back to the inspector's place in the sorted file, i.e. its id.
bool candidateLess(const Candidate& a, const Candidate& b) {
  int c = std::memcmp(a.score.data(), b.score.data(), a.score.size());
  return c != 0 ? c < 0 : a.inspector < b.inspector;
}

// Extra candidates kept per entity and department beyond the number required, so the sequential pass rarely has to
// rescore an entity whose best inspectors reached their load cap.
constexpr std::size_t kSpareCandidates = 6;

}  // namespace

std::string renderPool(const std::vector<PoolLine>& lines) {
  return renderLines(lines, [](const PoolLine& l) { return l.stratum + "\t" + l.entityId + "\n"; });
}
std::string renderInspectors(const std::vector<InspectorLine>& lines) {
  return renderLines(lines, [](const InspectorLine& l) { return l.inspectorId + "\t" + l.departmentCode + "\n"; });
}
std::string renderExclusions(const std::vector<ExclusionLine>& lines) {
  return renderLines(lines, [](const ExclusionLine& l) {
    return l.entityId + "\t" + l.inspectorId + "\t" + l.reason + "\n";
  });
}

core::Result<std::vector<PoolLine>> parsePool(std::string_view file) {
  auto split = splitFile(file, "pool", 2);
  if (!split) return split.error();
  std::vector<PoolLine> out;
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < split->size(); ++i) {
    const auto& f = (*split)[i].f;
    if (!seen.insert(f[1]).second) {
      return Error::invalid("pool", "pool line " + std::to_string(i + 1) + ": entity " + std::string(f[1]) +
                                        " appears more than once");
    }
    out.push_back({std::string(f[0]), std::string(f[1])});
  }
  return out;
}

core::Result<std::vector<InspectorLine>> parseInspectors(std::string_view file) {
  auto split = splitFile(file, "inspectors", 2);
  if (!split) return split.error();
  std::vector<InspectorLine> out;
  for (std::size_t i = 0; i < split->size(); ++i) {
    const auto& f = (*split)[i].f;
    if (i > 0 && out.back().inspectorId == f[0]) {
      return Error::invalid("inspectors", "inspectors line " + std::to_string(i + 1) + ": inspector " +
                                              std::string(f[0]) + " appears more than once");
    }
    out.push_back({std::string(f[0]), std::string(f[1])});
  }
  return out;
}

core::Result<std::vector<ExclusionLine>> parseExclusions(std::string_view file) {
  auto split = splitFile(file, "exclusions", 3);
  if (!split) return split.error();
  std::vector<ExclusionLine> out;
  for (std::size_t i = 0; i < split->size(); ++i) {
    const auto& f = (*split)[i].f;
    if (std::find(kExclusionReasons.begin(), kExclusionReasons.end(), f[2]) == kExclusionReasons.end()) {
      return Error::invalid("exclusions", "exclusions line " + std::to_string(i + 1) + ": unknown reason \"" +
                                              std::string(f[2]) + "\"");
    }
    out.push_back({std::string(f[0]), std::string(f[1]), std::string(f[2])});
  }
  return out;
}

Digests digestsOf(const FrozenFiles& files) {
  return {core::sha256Hex(files.pool), core::sha256Hex(files.inspectors), core::sha256Hex(files.exclusions)};
}

std::string commitmentOf(std::string_view secret) { return core::sha256Hex(secret); }

std::string seedOf(std::string_view secret, const Digests& d, std::string_view beaconValue) {
  std::string message = std::string(kAlgorithm) + "\n" + d.pool + "\n" + d.inspectors + "\n" + d.exclusions + "\n";
  message += beaconValue;
  return core::hmacSha256(secret, message);
}

std::int64_t countForRatio(std::int64_t basisPoints, std::int64_t population) {
  if (basisPoints <= 0 || population <= 0) return 0;
  std::int64_t count = (basisPoints * population + 9999) / 10000;
  return std::min(count, population);
}

core::Result<DrawOutcome> runDraw(const FrozenFiles& files, const DrawParams& params) {
  if (params.secret.size() != 32) return Error::invalid("secret", "the secret must be 32 bytes");
  if (params.capSlack < 0) return Error::invalid("cap_slack", "cap_slack must not be negative");
  auto pool = splitFile(files.pool, "pool", 2);
  if (!pool) return pool.error();
  auto inspectors = splitFile(files.inspectors, "inspectors", 2);
  if (!inspectors) return inspectors.error();
  auto exclusions = splitFile(files.exclusions, "exclusions", 3);
  if (!exclusions) return exclusions.error();

  DrawOutcome outcome;
  outcome.digests = digestsOf(files);
  outcome.seed = seedOf(params.secret, outcome.digests, params.beaconValue);
  const core::KeyedHmacSha256 seedMac(outcome.seed);

  // Step 3: strata are contiguous in the sorted pool, because the tab after a key sorts before any key character.
  struct Range {
    std::string_view key;
    std::size_t begin, end;
  };
  std::vector<Range> strata;
  {
    std::unordered_set<std::string_view> entities;
    entities.reserve(pool->size());
    for (std::size_t i = 0; i < pool->size(); ++i) {
      const auto& f = (*pool)[i].f;
      if (!entities.insert(f[1]).second) {
        return Error::invalid("pool", "pool line " + std::to_string(i + 1) + ": entity " + std::string(f[1]) +
                                          " appears more than once");
      }
      if (strata.empty() || strata.back().key != f[0]) {
        strata.push_back({f[0], i, i + 1});
      } else {
        strata.back().end = i + 1;
      }
    }
  }
  for (const auto& counted : params.counts) {
    const std::string& key = counted.first;  // not a structured binding: clang before 16 cannot capture one
    if (std::none_of(strata.begin(), strata.end(), [&](const Range& r) { return r.key == key; })) {
      return Error::invalid("counts", "stratum " + key + " has a count but no entity in the pool");
    }
  }

  std::vector<Score> entityScores(pool->size());
  parallelRanges(pool->size(), threadCount(params.threads, pool->size()),
                 [&](std::size_t begin, std::size_t end, unsigned) {
                   core::KeyedHmacSha256 mac(seedMac);
                   for (std::size_t i = begin; i < end; ++i) {
                     const auto& f = (*pool)[i].f;
                     mac.mac({"entity\n", f[0], "\n", f[1]}, entityScores[i].data());
                   }
                 });

  std::vector<std::size_t> chosen;  // pool line indexes
  for (const auto& range : strata) {
    auto it = params.counts.find(std::string(range.key));
    if (it == params.counts.end()) {
      return Error::invalid("counts", "stratum " + std::string(range.key) + " has no count");
    }
    auto population = static_cast<std::int64_t>(range.end - range.begin);
    if (it->second < 0) return Error::invalid("counts", "stratum " + std::string(range.key) + " has a negative count");
    std::int64_t count = std::min(it->second, population);
    outcome.strata.push_back({std::string(range.key), population, count});
    std::vector<std::size_t> idx(range.end - range.begin);
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = range.begin + i;
    // Within a stratum the pool is sorted by entity id, so the line index breaks a (practically impossible) tie.
    auto byScore = [&](std::size_t a, std::size_t b) {
      int c = std::memcmp(entityScores[a].data(), entityScores[b].data(), 32);
      return c != 0 ? c < 0 : a < b;
    };
    std::nth_element(idx.begin(), idx.begin() + count, idx.end(), byScore);
    chosen.insert(chosen.end(), idx.begin(), idx.begin() + count);
  }
  // Scores of distinct messages collide with negligible probability; the entity id breaks a tie deterministically.
  std::sort(chosen.begin(), chosen.end(), [&](std::size_t a, std::size_t b) {
    int c = std::memcmp(entityScores[a].data(), entityScores[b].data(), 32);
    return c != 0 ? c < 0 : (*pool)[a].f[1] < (*pool)[b].f[1];
  });

  // Step 4: inspectors by department (file order, which is by inspector id), exclusions of the chosen entities.
  std::vector<std::string_view> inspectorIds;
  std::unordered_map<std::string_view, std::uint32_t> inspectorIndex;
  std::map<std::string_view, std::vector<std::uint32_t>> byDepartment;
  for (std::size_t i = 0; i < inspectors->size(); ++i) {
    const auto& f = (*inspectors)[i].f;
    auto index = static_cast<std::uint32_t>(i);
    if (!inspectorIndex.emplace(f[0], index).second) {
      return Error::invalid("inspectors", "inspectors line " + std::to_string(i + 1) + ": inspector " +
                                              std::string(f[0]) + " appears more than once");
    }
    inspectorIds.push_back(f[0]);
    byDepartment[f[1]].push_back(index);
  }

  std::vector<Requirement> requirements = params.requirements;
  std::sort(requirements.begin(), requirements.end(),
            [](const Requirement& a, const Requirement& b) { return a.departmentCode < b.departmentCode; });
  struct Dept {
    const std::vector<std::uint32_t>* members;
    std::int64_t cap;
    int perEntity;
    std::string_view code;
  };
  std::vector<Dept> depts;
  for (std::size_t r = 0; r < requirements.size(); ++r) {
    const auto& req = requirements[r];
    if (r > 0 && requirements[r - 1].departmentCode == req.departmentCode) {
      return Error::invalid("requirements", "department " + req.departmentCode + " is required twice");
    }
    if (req.perEntity < 1) {
      return Error::invalid("requirements", "department " + req.departmentCode + " must send at least 1 inspector");
    }
    auto it = byDepartment.find(req.departmentCode);
    if (it == byDepartment.end()) {
      if (chosen.empty()) continue;
      return Error{core::ErrorCode::FailedPrecondition,
                   "department " + req.departmentCode + " has no eligible inspector in the pool", "requirements"};
    }
    auto n = static_cast<std::int64_t>(it->second.size());
    auto selectedCount = static_cast<std::int64_t>(chosen.size());
    std::int64_t cap = (selectedCount * req.perEntity + n - 1) / n + params.capSlack;
    depts.push_back({&it->second, cap, req.perEntity, it->first});
  }

  std::unordered_map<std::string_view, std::size_t> chosenIndex;
  for (std::size_t k = 0; k < chosen.size(); ++k) chosenIndex.emplace((*pool)[chosen[k]].f[1], k);
  for (std::size_t i = 0; i < exclusions->size(); ++i) {
    std::string_view reason = (*exclusions)[i].f[2];
    if (std::find(kExclusionReasons.begin(), kExclusionReasons.end(), reason) == kExclusionReasons.end()) {
      return Error::invalid("exclusions", "exclusions line " + std::to_string(i + 1) + ": unknown reason \"" +
                                              std::string(reason) + "\"");
    }
  }
  std::vector<std::vector<std::uint32_t>> excluded(chosen.size());
  for (const auto& line : *exclusions) {
    auto e = chosenIndex.find(line.f[0]);
    if (e == chosenIndex.end()) continue;
    auto i = inspectorIndex.find(line.f[1]);
    if (i == inspectorIndex.end()) continue;
    excluded[e->second].push_back(i->second);
  }
  for (auto& list : excluded) std::sort(list.begin(), list.end());

  // Scoring is independent of loads, so it runs in parallel; each entity keeps its best few candidates per
  // department. The sequential pass below applies loads and caps exactly as the specification states, and rescores
  // an entity fully in the rare case its kept candidates all reached their cap.
  auto scoreCandidates = [&](core::KeyedHmacSha256& mac, std::size_t k, const Dept& dept, std::size_t keep,
                             std::vector<Candidate>& out, std::size_t& eligible) {
    std::string_view entity = (*pool)[chosen[k]].f[1];
    const auto& ex = excluded[k];
    out.clear();
    for (auto m : *dept.members) {
      if (std::binary_search(ex.begin(), ex.end(), m)) continue;
      Candidate c;
      c.inspector = m;
      mac.mac({"inspector\n", entity, "\n", inspectorIds[m]}, c.score.data());
      out.push_back(c);
    }
    eligible = out.size();
    if (out.size() > keep) {
      std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(), candidateLess);
      out.resize(keep);
    }
    std::sort(out.begin(), out.end(), candidateLess);
  };

  struct Kept {
    std::vector<Candidate> best;
    std::size_t eligible = 0;
  };
  std::vector<Kept> kept(chosen.size() * depts.size());
  parallelRanges(chosen.size(), threadCount(params.threads, chosen.size() * 64),
                 [&](std::size_t begin, std::size_t end, unsigned) {
                   core::KeyedHmacSha256 mac(seedMac);
                   std::vector<Candidate> scratch;  // one department's scores; only the best few are kept
                   for (std::size_t k = begin; k < end; ++k) {
                     for (std::size_t d = 0; d < depts.size(); ++d) {
                       Kept& slot = kept[k * depts.size() + d];
                       scoreCandidates(mac, k, depts[d], static_cast<std::size_t>(depts[d].perEntity) + kSpareCandidates,
                                       scratch, slot.eligible);
                       slot.best.assign(scratch.begin(), scratch.end());
                     }
                   }
                 });

  std::vector<std::int64_t> load(inspectors->size(), 0);
  core::KeyedHmacSha256 rescoreMac(seedMac);
  std::vector<Candidate> full;
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    const auto& f = (*pool)[chosen[k]].f;
    SelectedEntity entity{std::string(f[1]), std::string(f[0]),
                          std::string(reinterpret_cast<const char*>(entityScores[chosen[k]].data()), 32), {}};
    std::vector<std::uint32_t> onEntity;
    for (std::size_t d = 0; d < depts.size(); ++d) {
      const Dept& dept = depts[d];
      auto pick = [&](const std::vector<Candidate>& ranked) {
        int taken = 0;
        for (const auto& c : ranked) {
          if (taken == dept.perEntity) break;
          if (load[c.inspector] >= dept.cap) continue;
          if (std::find(onEntity.begin(), onEntity.end(), c.inspector) != onEntity.end()) continue;
          onEntity.push_back(c.inspector);
          ++load[c.inspector];
          entity.inspectors.push_back({std::string(inspectorIds[c.inspector]), std::string(dept.code)});
          ++taken;
        }
        return taken;
      };
      const Kept& slot = kept[k * depts.size() + d];
      // Picking is all-or-nothing per department: undo a partial pick before rescoring.
      std::size_t before = onEntity.size();
      int taken = pick(slot.best);
      if (taken < dept.perEntity && slot.eligible > slot.best.size()) {
        for (std::size_t u = before; u < onEntity.size(); ++u) --load[onEntity[u]];
        onEntity.resize(before);
        entity.inspectors.resize(entity.inspectors.size() - static_cast<std::size_t>(taken));
        std::size_t eligible = 0;
        scoreCandidates(rescoreMac, k, dept, slot.eligible, full, eligible);
        taken = pick(full);
      }
      if (taken < dept.perEntity) {
        return Error{core::ErrorCode::FailedPrecondition,
                     "entity " + std::string(f[1]) + " needs " + std::to_string(dept.perEntity) +
                         " inspector(s) of department " + std::string(dept.code) + " but only " +
                         std::to_string(taken) + " are eligible (not excluded and under the load cap of " +
                         std::to_string(dept.cap) + ")",
                     "requirements"};
      }
    }
    outcome.selected.push_back(std::move(entity));
  }
  return outcome;
}

}  // namespace cw::draws
