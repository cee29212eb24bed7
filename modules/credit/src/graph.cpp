#include "cw/credit/graph.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <sys/mman.h>

#include <boost/graph/adjacency_list.hpp>

namespace cw::credit {

std::string listKey(const std::string& department, const std::string& kind) {
  std::string key;
  key.reserve(department.size() + 1 + kind.size());
  key.append(department).append(1, ':').append(kind);
  return key;
}

namespace {

enum class VertexKind : std::uint8_t { department, list, memorandum, measure, entity, person };
constexpr std::size_t kVertexKinds = 6;
constexpr std::array<const char*, kVertexKinds> kVertexKindNames = {"department", "list",   "memorandum",
                                                                     "measure",    "entity", "person"};

enum class EdgeKind : std::uint8_t { onList, boundBy, provides, carriedOutBy, keeps, related };
constexpr std::array<const char*, 6> kEdgeKindNames = {"on_list", "bound_by", "provides",
                                                        "carried_out_by", "keeps", "related"};

// The entry behind an on_list edge, kept in a side table (Impl::entries) so that the edge property stays trivial.
struct MembershipDetail {
  std::int64_t entryId = 0;
  std::string since;
  std::string ground;
};

struct VertexProps {
  std::string_view key;  // in Impl::keys
  std::string label;
  std::uint32_t slot = 0;  // measure and memorandum vertices: index of their row in the side table
  VertexKind kind = VertexKind::entity;
  bool alive = true;  // false for the vertices of a removed memorandum and its measures (kept for reuse)
};

// Eight bytes, so that an edge's std::list node (two links, source, target, property) is a 48-byte malloc chunk:
// at 3M edges every byte is 3 MB of freshly faulted heap, and page faults are a large share of a bulk build's time.
struct EdgeProps {
  EdgeKind kind = EdgeKind::related;
  // related: the interned relation name (3M edges would otherwise carry 3M heap strings); on_list: the entry's row in
  // Impl::entries; unused by the other kinds.
  std::uint32_t ref = 0;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexProps, EdgeProps>;
using Vertex = Graph::vertex_descriptor;
using Edge = Graph::edge_descriptor;

// Room for this many in-edges is made when a party gets its first related edge.
constexpr std::size_t kFirstInEdges = 4;

// The subject of a measure, interned like relation names; kEntitySubject is the listed entity itself.
constexpr std::uint32_t kEntitySubject = std::numeric_limits<std::uint32_t>::max();
constexpr Vertex kNoVertex = std::numeric_limits<Vertex>::max();

struct MeasureRow {
  MeasureSpec spec;
  std::uint32_t subject = kEntitySubject;
  Vertex memorandum = kNoVertex;
};

struct MemorandumRow {
  std::int64_t id = 0;
  std::string number;
  std::string title;
  std::string initiator;
  std::string basis;
};

bool hasPersonPrefix(const std::string& key) { return key.size() >= 2 && key[0] == 'P' && key[1] == ':'; }

std::size_t kindIndex(VertexKind kind) { return static_cast<std::size_t>(kind); }

// One derived measure before it is rendered: descriptors only, so that collecting and sorting allocate nothing
// but this vector.
struct Hit {
  Vertex list;
  const MembershipDetail* entry;
  Vertex measure;
  Vertex via;  // kNoVertex when the subject itself is listed
  std::uint32_t relation;
};

// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with transparent huge pages (only a hint:
// without THP nothing changes). For the large arrays a bulk build fills front to back: on a VM a 4 KiB page fault
// costs microseconds, and one huge page replaces 512 of them (and the TLB misses of random lookups later).
void adviseHugePages(const void* data, std::size_t bytes) {
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHugePage - 1) & ~(kHugePage - 1);
  auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHugePage - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// The key -> vertex index of one vertex kind: open addressing (linear probing, load <= 1/2) over (hash, vertex)
// slots; the key text is the vertex's own, compared on a hash match. It replaces the std::unordered_map<std::string,
// Vertex> first written, which chases bucket -> previous node -> node -> key text on every lookup and holds a second
// copy of every key: with it the 1M-entity build (bench/credit/graph_bench.cpp) was about a quarter slower and
// ~70 MB larger. Vertices are never removed, so there are no tombstones.
class KeyIndex {
 public:
  template <class KeyOf>
  std::optional<Vertex> find(std::string_view key, std::size_t hash, const KeyOf& keyOf) const {
    if (slots_.empty()) return std::nullopt;
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.vertex == kNoVertex) return std::nullopt;
      if (slot.hash == hash && keyOf(slot.vertex) == key) return slot.vertex;
    }
  }

  /// The key must not be present.
  void insert(std::size_t hash, Vertex v) {
    if (2 * (size_ + 1) > slots_.size()) rehash(std::max<std::size_t>(16, 2 * slots_.size()));
    place(hash, v);
    ++size_;
  }

  void reserve(std::size_t n) {
    std::size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    if (capacity > slots_.size()) rehash(capacity);
  }

  /// A hint: the slot a lookup of this hash reads first.
  void prefetch(std::size_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & mask_]);
  }

  /// The vertex in the slot a lookup of this hash reads first (kNoVertex if none), whose key it will compare.
  Vertex firstCandidate(std::size_t hash) const { return slots_.empty() ? kNoVertex : slots_[hash & mask_].vertex; }

  std::size_t size() const { return size_; }

  void clear() {
    slots_.clear();
    mask_ = 0;
    size_ = 0;
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    Vertex vertex = kNoVertex;
  };

  void place(std::size_t hash, Vertex v) {
    std::size_t i = hash & mask_;
    while (slots_[i].vertex != kNoVertex) i = (i + 1) & mask_;
    slots_[i] = Slot{hash, v};
  }

  void rehash(std::size_t capacity) {  // capacity is a power of two
    std::vector<Slot> old;
    old.reserve(capacity);
    adviseHugePages(old.data(), capacity * sizeof(Slot));
    old.resize(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    for (const Slot& slot : old) {
      if (slot.vertex != kNoVertex) place(slot.hash, slot.vertex);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// Append-only storage for vertex keys, which never change and whose vertices are never removed: one allocation per
// block instead of one per key (a 1M-entity build otherwise makes 1.2M small allocations just for keys). Blocks never
// move, so the views handed out stay valid until clear().
class KeyArena {
 public:
  std::string_view store(std::string_view text) {
    if (blocks_.empty() || text.size() > capacity_ - used_) {
      capacity_ = std::max(kBlockSize, text.size());
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(capacity_));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    std::copy(text.begin(), text.end(), at);
    used_ += text.size();
    return {at, text.size()};
  }

  void clear() {
    blocks_.clear();
    capacity_ = 0;
    used_ = 0;
  }

 private:
  static constexpr std::size_t kBlockSize = std::size_t{1} << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
};

std::size_t hashKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

struct CreditGraph::Impl {
  // std::shared_mutex is a glibc rwlock that prefers readers: under a steady stream of derive() calls a writer could
  // wait indefinitely (the concurrency test saw 16 ms per write with three readers). Both sides take `turnstile`
  // while acquiring, and a waiting writer holds it, so new readers queue behind the writer.
  mutable std::mutex turnstile;
  mutable std::shared_mutex mutex;
  std::atomic<std::uint64_t> version{0};
  Graph g;
  std::array<KeyIndex, kVertexKinds> index;
  std::vector<std::string> relationNames;
  std::unordered_map<std::string, std::uint32_t> relationIds;
  std::vector<MeasureRow> measures;       // by VertexProps::slot of a measure vertex
  std::vector<MemorandumRow> memoranda;  // by VertexProps::slot of a memorandum vertex
  KeyArena keys;
  std::vector<MembershipDetail> entries;  // by EdgeProps::ref of an on_list edge
  std::vector<std::uint32_t> freeEntries;  // rows of entries no edge refers to, reused first
  std::size_t liveMemoranda = 0;
  std::size_t deadVertices = 0;

  std::shared_lock<std::shared_mutex> readLock() const {
    std::lock_guard turn(turnstile);
    return std::shared_lock(mutex);
  }
  // Every write takes this lock, and so moves the version on before it changes anything.
  std::unique_lock<std::shared_mutex> writeLock() {
    std::lock_guard turn(turnstile);
    std::unique_lock lock(mutex);
    version.fetch_add(1, std::memory_order_acq_rel);
    return lock;
  }

  std::optional<Vertex> find(VertexKind kind, const std::string& key, std::size_t hash) const {
    return index[kindIndex(kind)].find(key, hash, [this](Vertex v) { return g[v].key; });
  }
  std::optional<Vertex> find(VertexKind kind, const std::string& key) const { return find(kind, key, hashKey(key)); }

  // A subject or party key: "P:" names a person, anything else an entity. The other index is tried as well so that
  // a caller who registered a person without the prefix still finds it.
  std::optional<Vertex> findSubject(const std::string& key, std::size_t hash) const {
    bool person = hasPersonPrefix(key);
    if (auto v = find(person ? VertexKind::person : VertexKind::entity, key, hash)) return v;
    return find(person ? VertexKind::entity : VertexKind::person, key, hash);
  }
  std::optional<Vertex> findSubject(const std::string& key) const { return findSubject(key, hashKey(key)); }
  const KeyIndex& subjectIndex(const std::string& key) const {
    return index[kindIndex(hasPersonPrefix(key) ? VertexKind::person : VertexKind::entity)];
  }

  // findSubject for many keys (kNoVertex: absent). A lookup is three dependent cache misses (index slot, vertex, key
  // text), and a bulk build is bound by them when they are taken one after another: each pass below starts one level
  // for a run of keys before the next pass needs it, so the misses of different keys overlap.
  void findSubjects(const std::vector<const std::string*>& keys, std::vector<Vertex>& found) const {
    constexpr std::size_t kRun = 256;  // keys in flight: their slots, vertices and key texts stay in cache
    std::array<std::size_t, kRun> hashes;
    std::array<Vertex, kRun> candidates;
    found.resize(keys.size());
    for (std::size_t begin = 0; begin < keys.size(); begin += kRun) {
      std::size_t n = std::min(kRun, keys.size() - begin);
      for (std::size_t i = 0; i < n; ++i) {
        hashes[i] = hashKey(*keys[begin + i]);
        subjectIndex(*keys[begin + i]).prefetch(hashes[i]);
      }
      for (std::size_t i = 0; i < n; ++i) {
        candidates[i] = subjectIndex(*keys[begin + i]).firstCandidate(hashes[i]);
        if (candidates[i] != kNoVertex) __builtin_prefetch(&g[candidates[i]].key);
      }
      for (std::size_t i = 0; i < n; ++i) {
        if (candidates[i] != kNoVertex) __builtin_prefetch(g[candidates[i]].key.data());
      }
      for (std::size_t i = 0; i < n; ++i) {
        found[begin + i] = findSubject(*keys[begin + i], hashes[i]).value_or(kNoVertex);
      }
    }
  }

  /// Finds or creates; `label` is used only when creating.
  Vertex ensure(VertexKind kind, const std::string& key, const std::string& label) {
    std::size_t hash = hashKey(key);
    if (auto v = find(kind, key, hash)) return *v;
    Vertex v = boost::add_vertex(g);
    VertexProps& p = g[v];
    p.key = keys.store(key);
    p.label = label;
    p.kind = kind;
    index[kindIndex(kind)].insert(hash, v);
    return v;
  }

  Vertex ensureSubject(const std::string& key, const std::string& label) {
    if (auto v = findSubject(key)) {
      if (g[*v].label.empty() && !label.empty()) g[*v].label = label;
      return *v;
    }
    return ensure(hasPersonPrefix(key) ? VertexKind::person : VertexKind::entity, key, label);
  }

  // A list vertex is created with the department that keeps it (the part of the key before ':').
  Vertex ensureList(const std::string& key) {
    if (auto v = find(VertexKind::list, key)) return *v;
    Vertex list = ensure(VertexKind::list, key, key);
    auto colon = key.find(':');
    if (colon != std::string::npos && colon > 0) {
      std::string code = key.substr(0, colon);
      Vertex department = ensure(VertexKind::department, code, code);
      boost::add_edge(department, list, EdgeProps{EdgeKind::keeps, 0}, g);
    }
    return list;
  }

  std::uint32_t internRelation(const std::string& name) {
    auto [it, inserted] = relationIds.try_emplace(name, static_cast<std::uint32_t>(relationNames.size()));
    if (inserted) relationNames.push_back(name);
    return it->second;
  }

  // setRelations for one entity, given what its key and its parties' keys named before any change (findSubjects).
  void replaceRelations(const std::string& entity, const std::vector<Relation>& relations, Vertex subject,
                        const Vertex* parties) {
    Vertex v = subject != kNoVertex ? subject : ensureSubject(entity, "");
    boost::remove_out_edge_if(v, [this](const Edge& e) { return g[e].kind == EdgeKind::related; }, g);
    // One allocation for the new out-edges instead of a growth series (out_edge_list is adjacency_list's own vector).
    g.out_edge_list(v).reserve(boost::out_degree(v, g) + relations.size());
    for (std::size_t i = 0; i < relations.size(); ++i) {
      const Relation& relation = relations[i];
      if (relation.partyKey == entity) continue;  // nobody is their own party; a loop would list it twice
      Vertex party = parties[i];
      // Absent before: created now, or by an earlier row of the batch, or named twice (ensureSubject finds it then).
      if (party == kNoVertex) party = ensureSubject(relation.partyKey, relation.partyName);
      if (g[party].label.empty() && !relation.partyName.empty()) g[party].label = relation.partyName;
      // A party's in-edges start at room for kFirstInEdges instead of growing 1 -> 2 -> 4: most parties have a few,
      // and each growth step re-reads the old array, a cache miss (about a sixth of a bulk build in a profile).
      auto& in = boost::in_edge_list(g, party);
      if (in.capacity() == 0) in.reserve(kFirstInEdges);
      boost::add_edge(v, party, EdgeProps{EdgeKind::related, internRelation(relation.relation)}, g);
    }
  }

  std::uint32_t addEntry(const Membership& membership) {
    MembershipDetail detail{membership.entryId, membership.since, membership.ground};
    if (freeEntries.empty()) {
      entries.push_back(std::move(detail));
      return static_cast<std::uint32_t>(entries.size() - 1);
    }
    std::uint32_t row = freeEntries.back();
    freeEntries.pop_back();
    entries[row] = std::move(detail);
    return row;
  }

  void setAlive(Vertex v, bool alive) {
    if (g[v].alive == alive) return;
    g[v].alive = alive;
    if (alive) {
      --deadVertices;
    } else {
      ++deadVertices;
    }
  }

  // Removes the memorandum's edges and those of its measures; the vertices stay (vecS descriptors must remain
  // valid) and are marked dead until the memorandum is upserted again.
  void detachMemorandum(Vertex memo) {
    std::vector<Vertex> provided;
    for (auto e : boost::make_iterator_range(boost::out_edges(memo, g))) {
      if (g[e].kind == EdgeKind::provides) provided.push_back(boost::target(e, g));
    }
    for (Vertex measure : provided) {
      boost::clear_vertex(measure, g);
      setAlive(measure, false);
    }
    boost::clear_vertex(memo, g);
  }

  std::optional<Vertex> departmentOf(Vertex measure) const {
    for (auto e : boost::make_iterator_range(boost::out_edges(measure, g))) {
      if (g[e].kind == EdgeKind::carriedOutBy) return boost::target(e, g);
    }
    return std::nullopt;
  }

  // Measures reached from `listed` -> on_list -> list -> bound_by -> memorandum -> provides whose subject is
  // `subject` (kEntitySubject for the listed entity itself, a relation id for its parties).
  void collect(Vertex listed, Vertex via, std::uint32_t subject, std::vector<Hit>& hits) const {
    for (auto onList : boost::make_iterator_range(boost::out_edges(listed, g))) {
      const EdgeProps& entry = g[onList];
      if (entry.kind != EdgeKind::onList) continue;
      Vertex list = boost::target(onList, g);
      for (auto boundBy : boost::make_iterator_range(boost::out_edges(list, g))) {
        if (g[boundBy].kind != EdgeKind::boundBy) continue;
        Vertex memo = boost::target(boundBy, g);
        for (auto provides : boost::make_iterator_range(boost::out_edges(memo, g))) {
          if (g[provides].kind != EdgeKind::provides) continue;
          Vertex measure = boost::target(provides, g);
          if (measures[g[measure].slot].subject != subject) continue;
          hits.push_back(Hit{list, &entries[entry.ref], measure, via, via == kNoVertex ? 0 : subject});
        }
      }
    }
  }

  PathStep step(Vertex v, std::string edge) const {
    const VertexProps& p = g[v];
    return PathStep{kVertexKindNames[kindIndex(p.kind)], std::string(p.key), p.label, std::move(edge)};
  }

  DerivedMeasure render(Vertex subject, const Hit& hit) const {
    const MeasureRow& row = measures[g[hit.measure].slot];
    const MemorandumRow& memo = memoranda[g[row.memorandum].slot];
    DerivedMeasure d;
    d.measure = row.spec;
    if (d.measure.basis.empty()) d.measure.basis = memo.basis;
    d.memorandumId = memo.id;
    d.memorandumNumber = memo.number;
    d.memorandumTitle = memo.title;
    d.list = g[hit.list].key;
    d.entryId = hit.entry->entryId;
    d.path.reserve(6);
    d.path.push_back(step(subject, ""));
    if (hit.via != kNoVertex) {
      d.via = relationNames[hit.relation];
      d.viaEntity = g[hit.via].key;
      d.path.push_back(step(hit.via, "related:" + d.via));
    }
    d.path.push_back(step(hit.list, "on_list"));
    d.path.push_back(step(row.memorandum, "bound_by"));
    d.path.push_back(step(hit.measure, "provides"));
    if (auto department = departmentOf(hit.measure)) d.path.push_back(step(*department, "carried_out_by"));
    return d;
  }

  std::string nodeId(Vertex v) const {
    const VertexProps& p = g[v];
    std::string id = kVertexKindNames[kindIndex(p.kind)];
    id.append(1, ':').append(p.key);
    return id;
  }

  std::string edgeKindName(const EdgeProps& e) const {
    std::string name = kEdgeKindNames[static_cast<std::size_t>(e.kind)];
    if (e.kind == EdgeKind::related) name.append(1, ':').append(relationNames[e.ref]);
    return name;
  }
};

CreditGraph::CreditGraph() : impl_(std::make_unique<Impl>()) {}
CreditGraph::~CreditGraph() = default;

void CreditGraph::reserve(std::size_t entities, std::size_t persons, std::size_t edges) {
  auto lock = impl_->writeLock();
  // adjacency_list has no reserve(); m_vertices is its (public) vertex vector. The edges live in a std::list and in
  // per-vertex vectors whose sizes are not known yet, so `edges` has nothing to size.
  (void)edges;
  constexpr std::size_t kSmallKinds = 4096;  // departments, lists, memoranda, measures
  impl_->g.m_vertices.reserve(entities + persons + kSmallKinds);
  adviseHugePages(impl_->g.m_vertices.data(), impl_->g.m_vertices.capacity() * sizeof(impl_->g.m_vertices[0]));
  impl_->index[kindIndex(VertexKind::entity)].reserve(entities);
  impl_->index[kindIndex(VertexKind::person)].reserve(persons);
}

void CreditGraph::clear() {
  auto lock = impl_->writeLock();
  Impl& m = *impl_;
  m.g.clear();
  for (auto& keys : m.index) keys.clear();
  m.keys.clear();
  m.entries.clear();
  m.freeEntries.clear();
  m.relationNames.clear();
  m.relationIds.clear();
  m.measures.clear();
  m.memoranda.clear();
  m.liveMemoranda = 0;
  m.deadVertices = 0;
}

void CreditGraph::upsertDepartment(const std::string& code, const std::string& name) {
  auto lock = impl_->writeLock();
  Vertex v = impl_->ensure(VertexKind::department, code, name);
  impl_->g[v].label = name;
}

void CreditGraph::upsertEntity(const std::string& code, const std::string& name) {
  auto lock = impl_->writeLock();
  Vertex v = impl_->ensure(VertexKind::entity, code, name);
  impl_->g[v].label = name;
}

void CreditGraph::upsertPerson(const std::string& key, const std::string& label) {
  auto lock = impl_->writeLock();
  Vertex v = impl_->ensure(VertexKind::person, key, label);
  impl_->g[v].label = label;
}

void CreditGraph::setMemberships(const std::string& entity, const std::vector<Membership>& memberships) {
  auto lock = impl_->writeLock();
  Impl& m = *impl_;
  Vertex v = m.ensureSubject(entity, "");
  for (auto e : boost::make_iterator_range(boost::out_edges(v, m.g))) {
    if (m.g[e].kind == EdgeKind::onList) m.freeEntries.push_back(m.g[e].ref);
  }
  boost::remove_out_edge_if(v, [&m](const Edge& e) { return m.g[e].kind == EdgeKind::onList; }, m.g);
  for (const Membership& membership : memberships) {
    Vertex list = m.ensureList(membership.list);
    boost::add_edge(v, list, EdgeProps{EdgeKind::onList, m.addEntry(membership)}, m.g);
  }
}

void CreditGraph::setRelations(const std::string& entity, const std::vector<Relation>& relations) {
  auto lock = impl_->writeLock();
  Impl& m = *impl_;
  std::vector<const std::string*> keys{&entity};
  for (const Relation& relation : relations) keys.push_back(&relation.partyKey);
  std::vector<Vertex> found;
  m.findSubjects(keys, found);
  m.replaceRelations(entity, relations, found[0], found.data() + 1);
}

void CreditGraph::setRelations(std::span<const EntityRelations> rows) {
  auto lock = impl_->writeLock();
  Impl& m = *impl_;
  // Rows are looked up a run at a time, so that the keys of the run are fetched together (findSubjects) and are
  // still in cache when the run is applied.
  constexpr std::size_t kRowsPerRun = 64;
  std::vector<const std::string*> keys;
  std::vector<Vertex> found;
  for (std::size_t begin = 0; begin < rows.size(); begin += kRowsPerRun) {
    auto run = rows.subspan(begin, std::min(kRowsPerRun, rows.size() - begin));
    keys.clear();
    for (const EntityRelations& row : run) {
      keys.push_back(&row.entity);
      for (const Relation& relation : row.relations) keys.push_back(&relation.partyKey);
    }
    m.findSubjects(keys, found);
    // Where each found vertex's next in-edge will go, fetched for the whole run like the keys (a subject's own slot is
    // fetched needlessly; an empty list's null data pointer is only a hint, never dereferenced).
    for (Vertex v : found) {
      if (v == kNoVertex) continue;
      const auto& in = boost::in_edge_list(m.g, v);
      __builtin_prefetch(in.data() + in.size());
    }
    const Vertex* at = found.data();
    for (const EntityRelations& row : run) {
      m.replaceRelations(row.entity, row.relations, at[0], at + 1);
      at += 1 + row.relations.size();
    }
  }
}

void CreditGraph::upsertMemorandum(const MemorandumSpec& memorandum) {
  auto lock = impl_->writeLock();
  Impl& m = *impl_;
  const std::string key = std::to_string(memorandum.id);
  Vertex memo;
  if (auto existing = m.find(VertexKind::memorandum, key)) {
    memo = *existing;
    m.detachMemorandum(memo);
    if (!m.g[memo].alive) {
      m.setAlive(memo, true);
      ++m.liveMemoranda;
    }
  } else {
    memo = m.ensure(VertexKind::memorandum, key, memorandum.title);
    m.g[memo].slot = static_cast<std::uint32_t>(m.memoranda.size());
    m.memoranda.emplace_back();
    ++m.liveMemoranda;
  }
  m.g[memo].label = memorandum.title;
  m.memoranda[m.g[memo].slot] = MemorandumRow{memorandum.id, memorandum.number, memorandum.title,
                                               memorandum.initiator, memorandum.basis};

  std::vector<Vertex> bound;
  for (const std::string& list : memorandum.lists) {
    Vertex v = m.ensureList(list);
    if (std::find(bound.begin(), bound.end(), v) != bound.end()) continue;  // a list named twice binds once
    bound.push_back(v);
    boost::add_edge(v, memo, EdgeProps{EdgeKind::boundBy, 0}, m.g);
  }

  for (const MeasureSpec& spec : memorandum.measures) {
    std::string measureKey = key;
    measureKey.append(1, '/').append(spec.code);
    Vertex measure;
    if (auto existing = m.find(VertexKind::measure, measureKey)) {
      measure = *existing;
      // detachMemorandum marked every measure of this memorandum dead: alive here means a repeated code.
      if (m.g[measure].alive) continue;
      m.setAlive(measure, true);
    } else {
      measure = m.ensure(VertexKind::measure, measureKey, spec.name);
      m.g[measure].slot = static_cast<std::uint32_t>(m.measures.size());
      m.measures.emplace_back();
    }
    m.g[measure].label = spec.name;
    MeasureRow& row = m.measures[m.g[measure].slot];
    row.spec = spec;
    row.subject = spec.subject == "entity" ? kEntitySubject : m.internRelation(spec.subject);
    row.memorandum = memo;
    boost::add_edge(memo, measure, EdgeProps{EdgeKind::provides, 0}, m.g);
    if (!spec.department.empty()) {
      Vertex department = m.ensure(VertexKind::department, spec.department, spec.department);
      boost::add_edge(measure, department, EdgeProps{EdgeKind::carriedOutBy, 0}, m.g);
    }
  }
}

void CreditGraph::removeMemorandum(std::int64_t id) {
  auto lock = impl_->writeLock();
  Impl& m = *impl_;
  auto memo = m.find(VertexKind::memorandum, std::to_string(id));
  if (!memo || !m.g[*memo].alive) return;
  m.detachMemorandum(*memo);
  m.setAlive(*memo, false);
  --m.liveMemoranda;
}

std::vector<DerivedMeasure> CreditGraph::derive(const std::string& subject) const {
  auto lock = impl_->readLock();
  const Impl& m = *impl_;
  auto s = m.findSubject(subject);
  if (!s) return {};

  std::vector<Hit> hits;
  m.collect(*s, kNoVertex, kEntitySubject, hits);
  // One hop: every E with E --related(r)--> subject; only measures naming r reach the subject.
  for (auto e : boost::make_iterator_range(boost::in_edges(*s, m.g))) {
    const EdgeProps& edge = m.g[e];
    if (edge.kind != EdgeKind::related) continue;
    Vertex listed = boost::source(e, m.g);
    m.collect(listed, listed, edge.ref, hits);
  }
  if (hits.empty()) return {};

  const Graph& g = m.g;
  constexpr std::string_view kNone;
  // Direct first, then list, memorandum id, measure code; relation, related entity and entry break the remaining
  // ties so that the order never depends on the order edges were added in.
  auto sortKey = [&](const Hit& h) {
    const MeasureRow& row = m.measures[g[h.measure].slot];
    bool direct = h.via == kNoVertex;
    return std::make_tuple(!direct, g[h.list].key, m.memoranda[g[row.memorandum].slot].id, std::cref(row.spec.code),
                           direct ? kNone : std::string_view(m.relationNames[h.relation]),
                           direct ? kNone : g[h.via].key, h.entry->entryId);
  };
  std::sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) { return sortKey(a) < sortKey(b); });

  std::vector<DerivedMeasure> out;
  out.reserve(hits.size());
  for (const Hit& hit : hits) out.push_back(m.render(*s, hit));
  return out;
}

std::vector<Membership> CreditGraph::memberships(const std::string& entity) const {
  auto lock = impl_->readLock();
  const Impl& m = *impl_;
  std::vector<Membership> out;
  auto v = m.findSubject(entity);
  if (!v) return out;
  for (auto e : boost::make_iterator_range(boost::out_edges(*v, m.g))) {
    const EdgeProps& edge = m.g[e];
    if (edge.kind != EdgeKind::onList) continue;
    Membership membership;
    const MembershipDetail& entry = m.entries[edge.ref];
    membership.list = m.g[boost::target(e, m.g)].key;
    membership.entryId = entry.entryId;
    membership.since = entry.since;
    membership.ground = entry.ground;
    out.push_back(std::move(membership));
  }
  return out;
}

std::vector<CreditGraph::Related> CreditGraph::related(const std::string& subject) const {
  auto lock = impl_->readLock();
  const Impl& m = *impl_;
  std::vector<Related> out;
  auto v = m.findSubject(subject);
  if (!v) return out;
  for (auto e : boost::make_iterator_range(boost::out_edges(*v, m.g))) {
    if (m.g[e].kind != EdgeKind::related) continue;
    const VertexProps& party = m.g[boost::target(e, m.g)];
    out.push_back(Related{m.relationNames[m.g[e].ref], std::string(party.key), party.label, "party"});
  }
  for (auto e : boost::make_iterator_range(boost::in_edges(*v, m.g))) {
    if (m.g[e].kind != EdgeKind::related) continue;
    const VertexProps& of = m.g[boost::source(e, m.g)];
    out.push_back(Related{m.relationNames[m.g[e].ref], std::string(of.key), of.label, "of"});
  }
  // Parties first, then what the subject is a party of; by relation and key within each (not by insertion order,
  // which depends on the order the rows were loaded in).
  std::sort(out.begin(), out.end(), [](const Related& a, const Related& b) {
    bool aOf = a.direction == "of";
    bool bOf = b.direction == "of";
    return std::tie(aOf, a.relation, a.key) < std::tie(bOf, b.relation, b.key);
  });
  return out;
}

std::uint64_t CreditGraph::version() const { return impl_->version.load(std::memory_order_acquire); }

bool CreditGraph::contains(const std::string& subject) const {
  auto lock = impl_->readLock();
  return impl_->findSubject(subject).has_value();
}

std::optional<std::string> CreditGraph::name(const std::string& subject) const {
  auto lock = impl_->readLock();
  auto v = impl_->findSubject(subject);
  if (!v) return std::nullopt;
  return impl_->g[*v].label;
}

Neighbourhood CreditGraph::neighbourhood(const std::string& subject, int depth, std::size_t maxNodes) const {
  auto lock = impl_->readLock();
  const Impl& m = *impl_;
  const Graph& g = m.g;
  Neighbourhood out;
  auto s = m.findSubject(subject);
  if (!s) return out;
  if (maxNodes == 0) {
    out.truncated = true;
    return out;
  }

  std::vector<Vertex> order{*s};  // BFS order doubles as the queue
  std::vector<int> distance{0};
  std::unordered_map<Vertex, std::size_t> included{{*s, 0}};
  auto visit = [&](Vertex w, int d) {
    if (included.count(w) != 0) return;
    if (order.size() >= maxNodes) {
      out.truncated = true;
      return;
    }
    included.emplace(w, order.size());
    order.push_back(w);
    distance.push_back(d);
  };
  for (std::size_t i = 0; i < order.size() && !out.truncated; ++i) {
    if (distance[i] >= depth) continue;
    Vertex u = order[i];
    for (auto e : boost::make_iterator_range(boost::out_edges(u, g))) {
      visit(boost::target(e, g), distance[i] + 1);
      if (out.truncated) break;
    }
    for (auto e : boost::make_iterator_range(boost::in_edges(u, g))) {
      if (out.truncated) break;
      visit(boost::source(e, g), distance[i] + 1);
    }
  }

  std::vector<std::string> ids;
  ids.reserve(order.size());
  out.nodes.reserve(order.size());
  for (Vertex v : order) {
    const VertexProps& p = g[v];
    ids.push_back(m.nodeId(v));
    out.nodes.push_back(GraphNode{ids.back(), kVertexKindNames[kindIndex(p.kind)], std::string(p.key), p.label});
  }
  // Every edge between two included nodes, once: it is found from its source only.
  for (std::size_t i = 0; i < order.size(); ++i) {
    for (auto e : boost::make_iterator_range(boost::out_edges(order[i], g))) {
      auto it = included.find(boost::target(e, g));
      if (it == included.end()) continue;
      out.edges.push_back(GraphEdge{ids[i], ids[it->second], m.edgeKindName(g[e])});
    }
  }
  return out;
}

GraphStats CreditGraph::stats() const {
  auto lock = impl_->readLock();
  const Impl& m = *impl_;
  GraphStats s;
  s.vertices = boost::num_vertices(m.g) - m.deadVertices;
  s.edges = boost::num_edges(m.g);
  s.entities = m.index[kindIndex(VertexKind::entity)].size();
  s.persons = m.index[kindIndex(VertexKind::person)].size();
  s.memoranda = m.liveMemoranda;
  return s;
}

}  // namespace cw::credit
