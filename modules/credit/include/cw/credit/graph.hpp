#pragma once
// The joint reward / punishment graph (联合奖惩): a typed directed graph of departments, lists, memoranda
// (联合奖惩备忘录), measures, entities (institutions and companies, keyed by unified social credit code) and
// persons (keyed by the blind index of their resident ID number, never the number itself).
//
// Edges:
//   entity  --on_list-->      list        (an entry in force: blacklist, watch list, red list of one department)
//   list    --bound_by-->     memorandum  (the memorandum designates the initiating department's list)
//   memorandum --provides-->  measure
//   measure --carried_out_by--> department (the implementing department)
//   department --keeps-->     list        (the initiating department)
//   entity  --related(r)-->   party       (r = legal_representative | operator | parent | branch; the party is an
//                                          entity or a person: "party is the r of entity")
//
// Derivation (derive()): the measures that apply to a subject are
//   1. measures with subject "entity" reachable subject -> on_list -> list -> bound_by -> memorandum -> provides;
//   2. one hop along a related edge, only where the measure names that relation as its subject: if entity E is on a
//      list and party P is "the legal_representative of E", a measure with subject "legal_representative" applies
//      to P. Never more than one hop, never along a relation the measure does not name.
// Every derived measure carries the path that caused it and the legal basis.
//
// The graph is a cache of the database (credit_list_entries, credit_memoranda, institution_relations): the
// service builds it at start and applies every change; a restart rebuilds the same graph.
//
// Thread-safety: every member function may be called from any thread; readers share a lock, writers take it
// exclusively. Boost.Graph types stay inside the implementation.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cw::credit {

/// One measure of a memorandum: what an implementing department does to (or for) a listed subject.
struct MeasureSpec {
  std::string code;        // unique within its memorandum, e.g. "subsidy"
  std::string name;        // 限制申请财政补贴
  std::string action;      // what it governs: subsidy, procurement, government_investment, inspection_ratio, ...
  std::string effect;      // restrict | reward
  std::string department;  // implementing department code, e.g. "CZ"
  std::string basis;       // legal basis of this measure
  std::string subject = "entity";  // entity, or the relation whose parties it reaches one hop away
};

struct MemorandumSpec {
  std::int64_t id = 0;
  std::string number;     // 文号
  std::string title;
  std::string initiator;  // initiating department code
  std::string basis;
  std::vector<std::string> lists;  // list keys it binds, "MZ:blacklist"
  std::vector<MeasureSpec> measures;
};

/// A list key is "<department>:<kind>", kind = blacklist | watchlist | redlist.
std::string listKey(const std::string& department, const std::string& kind);

struct Membership {
  std::string list;  // list key
  std::int64_t entryId = 0;
  std::string since;  // YYYY-MM-DD
  std::string ground;
};

/// A party related to an entity: either another entity (credit code) or a person (blind index).
struct Relation {
  std::string relation;  // legal_representative | operator | parent | branch
  std::string partyKey;  // entity code, or "P:" + blind index for a person
  std::string partyName;
};

/// One entity's related parties, a row of the bulk form of CreditGraph::setRelations.
struct EntityRelations {
  std::string entity;
  std::vector<Relation> relations;
};

struct PathStep {
  std::string kind;   // entity | person | list | memorandum | measure | department
  std::string key;
  std::string label;
  std::string edge;   // the edge that led here from the previous step ("" for the first): on_list, related:<r>, ...
};

struct DerivedMeasure {
  MeasureSpec measure;  // basis: the measure's own, or the memorandum's when the measure names none
  std::int64_t memorandumId = 0;
  std::string memorandumNumber;
  std::string memorandumTitle;
  std::string list;         // list key that caused it
  std::int64_t entryId = 0;  // the list entry
  std::string via;          // "" when the subject itself is listed; otherwise the relation name
  std::string viaEntity;    // the listed entity when via is set
  std::vector<PathStep> path;  // subject -> [related entity ->] list -> memorandum -> measure -> department
};

struct GraphNode {
  std::string id;  // "<kind>:<key>"
  std::string kind;
  std::string key;
  std::string label;
};
struct GraphEdge {
  std::string from;  // GraphNode::id
  std::string to;
  std::string kind;  // on_list, bound_by, provides, carried_out_by, keeps, related:<relation>
};
struct Neighbourhood {
  std::vector<GraphNode> nodes;
  std::vector<GraphEdge> edges;
  bool truncated = false;  // more nodes than the limit were reachable
};

struct GraphStats {
  std::size_t vertices = 0;  // live ones: a removed memorandum's vertices are kept for reuse but not counted
  std::size_t edges = 0;
  std::size_t entities = 0;
  std::size_t persons = 0;
  std::size_t memoranda = 0;
};

class CreditGraph {
 public:
  CreditGraph();
  ~CreditGraph();
  CreditGraph(const CreditGraph&) = delete;
  CreditGraph& operator=(const CreditGraph&) = delete;

  /// Capacity hints before a bulk build.
  void reserve(std::size_t entities, std::size_t persons, std::size_t edges);
  /// Drops everything (a rebuild starts from here).
  void clear();

  void upsertDepartment(const std::string& code, const std::string& name);
  /// Creates the entity if missing; updates its name otherwise.
  void upsertEntity(const std::string& code, const std::string& name);
  void upsertPerson(const std::string& key, const std::string& label);

  /// Subject and party keys beginning "P:" name persons, any other an entity (here and in every member below).
  /// Replaces the lists the entity is on (creating the entity and the list vertices as needed).
  void setMemberships(const std::string& entity, const std::vector<Membership>& memberships);
  /// Replaces the entity's outgoing related edges (parties are created as needed, as entities or persons by key).
  void setRelations(const std::string& entity, const std::vector<Relation>& relations);
  /// setRelations for each row in order, as one write: the same graph as the calls one by one (a later row for the
  /// same entity replaces an earlier one), faster for a bulk build because the key lookups of neighbouring rows
  /// overlap instead of waiting on each other's cache misses. Rows may come in batches of any size.
  void setRelations(std::span<const EntityRelations> rows);
  /// Adds or replaces a memorandum with its bound lists and measures.
  void upsertMemorandum(const MemorandumSpec& memorandum);
  void removeMemorandum(std::int64_t id);

  /// Measures applying to the subject (entity code or "P:" + blind index), in a stable order (direct first, then
  /// by list, memorandum id and measure code). Empty for an unknown subject.
  std::vector<DerivedMeasure> derive(const std::string& subject) const;
  /// The lists the entity is on.
  std::vector<Membership> memberships(const std::string& entity) const;
  /// Parties related to the entity and entities the subject is a party of: (relation, key, name, direction
  /// "party" when the returned key is the subject's party, "of" when the subject is the party of the key).
  /// Parties first, then "of"; by relation and key within each.
  struct Related {
    std::string relation;
    std::string key;
    std::string name;
    std::string direction;
  };
  std::vector<Related> related(const std::string& subject) const;
  bool contains(const std::string& subject) const;
  /// Moves on with every write (taken before the write changes anything): whatever was read from the graph after
  /// version() returned v is current while version() still returns v.
  std::uint64_t version() const;
  std::optional<std::string> name(const std::string& subject) const;

  /// Breadth-first neighbourhood of the subject up to `depth` hops over all edge kinds in both directions, at
  /// most `maxNodes` nodes (then truncated = true). Node ids are "<kind>:<key>" (memorandum key = its id).
  Neighbourhood neighbourhood(const std::string& subject, int depth, std::size_t maxNodes = 300) const;
  GraphStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cw::credit
