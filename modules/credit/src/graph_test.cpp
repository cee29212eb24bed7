#include "cw/credit/graph.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace cw::credit {
namespace {

MeasureSpec measure(std::string code, std::string department, std::string subject = "entity",
                    std::string effect = "restrict") {
  MeasureSpec m;
  m.code = code;
  m.name = "measure " + code;
  m.action = code;
  m.effect = std::move(effect);
  m.department = std::move(department);
  m.basis = "basis of " + code;
  m.subject = std::move(subject);
  return m;
}

// Memorandum 1 binds the MZ blacklist: two measures on the listed entity, one on its legal representative, one on
// its operator. Memorandum 2 binds the MZ red list with a reward.
MemorandumSpec blacklistMemorandum() {
  MemorandumSpec m;
  m.id = 1;
  m.number = "发改财金〔2016〕1";
  m.title = "失信联合惩戒备忘录";
  m.initiator = "MZ";
  m.basis = "memorandum basis";
  m.lists = {listKey("MZ", "blacklist")};
  m.measures = {measure("subsidy", "CZ"), measure("procurement", "CZ"),
                measure("appointment", "SJ", "legal_representative"), measure("bidding", "FG", "operator")};
  return m;
}

MemorandumSpec redlistMemorandum() {
  MemorandumSpec m;
  m.id = 2;
  m.number = "发改财金〔2017〕2";
  m.title = "守信联合激励备忘录";
  m.initiator = "MZ";
  m.basis = "red list basis";
  m.lists = {listKey("MZ", "redlist")};
  m.measures = {measure("green_channel", "SJ", "entity", "reward")};
  return m;
}

// E1 is on the MZ blacklist; P:alice is its legal representative and E2 its operator; P:bob is the legal
// representative of E2 (a party of a party of the listed entity).
void load(CreditGraph& g) {
  g.upsertDepartment("MZ", "民政局");
  g.upsertDepartment("CZ", "财政局");
  g.upsertDepartment("SJ", "市场监管局");
  g.upsertDepartment("FG", "发展改革委");
  g.upsertEntity("E1", "幸福养老院");
  g.upsertEntity("E2", "康乐养老服务公司");
  g.upsertPerson("P:alice", "张某");
  g.upsertPerson("P:bob", "李某");
  g.upsertMemorandum(blacklistMemorandum());
  g.upsertMemorandum(redlistMemorandum());
  g.setRelations("E1", {{"legal_representative", "P:alice", "张某"}, {"operator", "E2", "康乐养老服务公司"}});
  g.setRelations("E2", {{"legal_representative", "P:bob", "李某"}});
  g.setMemberships("E1", {{listKey("MZ", "blacklist"), 101, "2026-03-01", "拒不整改重大火灾隐患"}});
}

std::vector<std::string> codes(const std::vector<DerivedMeasure>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.measure.code);
  return out;
}

std::vector<std::string> steps(const DerivedMeasure& d) {
  std::vector<std::string> out;
  for (const auto& s : d.path) out.push_back(s.edge + ">" + s.kind + ":" + s.key);
  return out;
}

TEST(CreditGraph, ListKeyJoinsDepartmentAndKind) { EXPECT_EQ(listKey("MZ", "blacklist"), "MZ:blacklist"); }

TEST(CreditGraph, ListedEntityGetsItsDirectMeasuresWithFullPathAndBasis) {
  CreditGraph g;
  load(g);
  auto ds = g.derive("E1");
  ASSERT_EQ(codes(ds), (std::vector<std::string>{"procurement", "subsidy"}));
  const DerivedMeasure& d = ds[1];
  EXPECT_EQ(d.measure.basis, "basis of subsidy");
  EXPECT_EQ(d.measure.effect, "restrict");
  EXPECT_EQ(d.measure.department, "CZ");
  EXPECT_EQ(d.memorandumId, 1);
  EXPECT_EQ(d.memorandumNumber, "发改财金〔2016〕1");
  EXPECT_EQ(d.memorandumTitle, "失信联合惩戒备忘录");
  EXPECT_EQ(d.list, "MZ:blacklist");
  EXPECT_EQ(d.entryId, 101);
  EXPECT_EQ(d.via, "");
  EXPECT_EQ(d.viaEntity, "");
  EXPECT_EQ(steps(d), (std::vector<std::string>{">entity:E1", "on_list>list:MZ:blacklist", "bound_by>memorandum:1",
                                                "provides>measure:1/subsidy", "carried_out_by>department:CZ"}));
  EXPECT_EQ(d.path.front().label, "幸福养老院");
  EXPECT_EQ(d.path.back().label, "财政局");
}

TEST(CreditGraph, MeasureWithoutItsOwnBasisCarriesTheMemorandumBasis) {
  CreditGraph g;
  load(g);
  MemorandumSpec m = blacklistMemorandum();
  m.measures = {measure("subsidy", "CZ")};
  m.measures[0].basis.clear();
  g.upsertMemorandum(m);
  auto ds = g.derive("E1");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].measure.basis, "memorandum basis");
}

TEST(CreditGraph, LegalRepresentativeOfAListedEntityGetsTheMeasuresNamingThatRelation) {
  CreditGraph g;
  load(g);
  auto ds = g.derive("P:alice");
  ASSERT_EQ(codes(ds), (std::vector<std::string>{"appointment"}));
  const DerivedMeasure& d = ds[0];
  EXPECT_EQ(d.via, "legal_representative");
  EXPECT_EQ(d.viaEntity, "E1");
  EXPECT_EQ(d.list, "MZ:blacklist");
  EXPECT_EQ(d.entryId, 101);
  EXPECT_EQ(d.measure.subject, "legal_representative");
  EXPECT_EQ(steps(d),
            (std::vector<std::string>{">person:P:alice", "related:legal_representative>entity:E1",
                                      "on_list>list:MZ:blacklist", "bound_by>memorandum:1",
                                      "provides>measure:1/appointment", "carried_out_by>department:SJ"}));
}

TEST(CreditGraph, RelationMeasuresNeverApplyToTheListedEntityItself) {
  CreditGraph g;
  load(g);
  for (const auto& d : g.derive("E1")) {
    EXPECT_EQ(d.measure.subject, "entity") << d.measure.code;
    EXPECT_EQ(d.via, "");
  }
}

TEST(CreditGraph, APartyOfAPartyGetsNothing) {
  CreditGraph g;
  load(g);
  // P:bob represents E2, which is only the operator of the listed E1.
  EXPECT_TRUE(g.derive("P:bob").empty());
  // Not even along the relation the measure names: E4 operates E2, which operates the listed E1.
  g.setRelations("E2", {{"legal_representative", "P:bob", "李某"}, {"operator", "E4", ""}});
  ASSERT_EQ(codes(g.derive("E2")), (std::vector<std::string>{"bidding"}));
  EXPECT_TRUE(g.derive("E4").empty());
}

TEST(CreditGraph, MeasuresTravelOnlyAlongTheRelationTheyName) {
  CreditGraph g;
  load(g);
  // E2 is the operator of E1: it gets the operator measure, not the legal representative's nor the entity's.
  auto ds = g.derive("E2");
  ASSERT_EQ(codes(ds), (std::vector<std::string>{"bidding"}));
  EXPECT_EQ(ds[0].via, "operator");
  // Alice as E1's parent instead of its legal representative gets nothing.
  g.setRelations("E1", {{"parent", "P:alice", "张某"}});
  EXPECT_TRUE(g.derive("P:alice").empty());
  EXPECT_TRUE(g.derive("E2").empty());
}

TEST(CreditGraph, RemovingAMembershipLiftsItsMeasures) {
  CreditGraph g;
  load(g);
  ASSERT_FALSE(g.derive("E1").empty());
  g.setMemberships("E1", {});
  EXPECT_TRUE(g.derive("E1").empty());
  EXPECT_TRUE(g.derive("P:alice").empty());
  EXPECT_TRUE(g.memberships("E1").empty());
}

TEST(CreditGraph, MembershipsKeepTheirEntryDetails) {
  CreditGraph g;
  load(g);
  auto ms = g.memberships("E1");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].list, "MZ:blacklist");
  EXPECT_EQ(ms[0].entryId, 101);
  EXPECT_EQ(ms[0].since, "2026-03-01");
  EXPECT_EQ(ms[0].ground, "拒不整改重大火灾隐患");
}

TEST(CreditGraph, ReplacingAMemorandumChangesItsMeasures) {
  CreditGraph g;
  load(g);
  MemorandumSpec m = blacklistMemorandum();
  m.title = "修订后的备忘录";
  m.measures = {measure("subsidy", "YB"), measure("inspection_ratio", "XF")};
  g.upsertMemorandum(m);
  auto ds = g.derive("E1");
  ASSERT_EQ(codes(ds), (std::vector<std::string>{"inspection_ratio", "subsidy"}));
  EXPECT_EQ(ds[1].measure.department, "YB");
  EXPECT_EQ(ds[1].path.back().key, "YB");
  EXPECT_EQ(ds[1].memorandumTitle, "修订后的备忘录");
  EXPECT_TRUE(g.derive("P:alice").empty());
  EXPECT_EQ(g.stats().memoranda, 2u);
}

TEST(CreditGraph, RemovingAMemorandumRemovesItsMeasures) {
  CreditGraph g;
  load(g);
  g.removeMemorandum(1);
  EXPECT_TRUE(g.derive("E1").empty());
  EXPECT_TRUE(g.derive("P:alice").empty());
  EXPECT_EQ(g.stats().memoranda, 1u);
  // It can come back, and its measure vertices are reused rather than duplicated.
  auto before = g.stats().vertices;
  g.upsertMemorandum(blacklistMemorandum());
  EXPECT_EQ(codes(g.derive("E1")), (std::vector<std::string>{"procurement", "subsidy"}));
  EXPECT_EQ(g.stats().vertices, before + 5);  // the memorandum and its four measures are alive again
}

TEST(CreditGraph, AMeasureBoundToTheRedListIsAReward) {
  CreditGraph g;
  load(g);
  g.setMemberships("E2", {{listKey("MZ", "redlist"), 202, "2026-01-01", "连续三年等级评定为五级"}});
  auto ds = g.derive("E2");
  // Direct red-list reward first, then the operator measure reached through E1.
  ASSERT_EQ(codes(ds), (std::vector<std::string>{"green_channel", "bidding"}));
  EXPECT_EQ(ds[0].measure.effect, "reward");
  EXPECT_EQ(ds[0].list, "MZ:redlist");
  EXPECT_EQ(ds[0].entryId, 202);
  EXPECT_EQ(ds[0].via, "");
}

TEST(CreditGraph, DerivationOrderIsDirectFirstThenListMemorandumAndCode) {
  CreditGraph g;
  load(g);
  MemorandumSpec later = blacklistMemorandum();
  later.id = 7;
  later.lists = {listKey("MZ", "watchlist"), listKey("MZ", "blacklist")};
  later.measures = {measure("z_last", "CZ", "operator"), measure("a_first", "CZ")};
  g.upsertMemorandum(later);
  // Added in the reverse of the expected order.
  g.setMemberships("E1", {{listKey("MZ", "watchlist"), 102, "2026-02-01", ""},
                          {listKey("MZ", "blacklist"), 101, "2026-03-01", ""}});
  g.setMemberships("E2", {{listKey("MZ", "watchlist"), 303, "2026-02-01", ""}});
  auto ds = g.derive("E2");
  std::vector<std::string> seen;
  for (const auto& d : ds) seen.push_back(d.via + "|" + d.list + "|" + std::to_string(d.memorandumId) + "|" +
                                          d.measure.code);
  EXPECT_EQ(seen, (std::vector<std::string>{"|MZ:watchlist|7|a_first", "operator|MZ:blacklist|1|bidding",
                                            "operator|MZ:blacklist|7|z_last", "operator|MZ:watchlist|7|z_last"}));
}

TEST(CreditGraph, UnknownSubjectDerivesNothing) {
  CreditGraph g;
  load(g);
  EXPECT_TRUE(g.derive("NO-SUCH-CODE").empty());
  EXPECT_TRUE(g.derive("P:nobody").empty());
  EXPECT_FALSE(g.contains("NO-SUCH-CODE"));
  EXPECT_FALSE(g.name("P:nobody").has_value());
  EXPECT_TRUE(g.neighbourhood("NO-SUCH-CODE", 3).nodes.empty());
}

TEST(CreditGraph, NamesAndContainment) {
  CreditGraph g;
  load(g);
  EXPECT_TRUE(g.contains("E1"));
  EXPECT_TRUE(g.contains("P:alice"));
  EXPECT_EQ(g.name("E2"), "康乐养老服务公司");
  EXPECT_EQ(g.name("P:bob"), "李某");
}

TEST(CreditGraph, RelatedListsPartiesAndWhatTheSubjectIsAPartyOf) {
  CreditGraph g;
  load(g);
  auto e2 = g.related("E2");
  ASSERT_EQ(e2.size(), 2u);
  EXPECT_EQ(e2[0].relation, "legal_representative");
  EXPECT_EQ(e2[0].key, "P:bob");
  EXPECT_EQ(e2[0].name, "李某");
  EXPECT_EQ(e2[0].direction, "party");
  EXPECT_EQ(e2[1].relation, "operator");
  EXPECT_EQ(e2[1].key, "E1");
  EXPECT_EQ(e2[1].name, "幸福养老院");
  EXPECT_EQ(e2[1].direction, "of");
  // setRelations replaces: E1 no longer has an operator, so E2 is nobody's party.
  g.setRelations("E1", {{"legal_representative", "P:alice", "张某"}});
  ASSERT_EQ(g.related("E2").size(), 1u);
}

TEST(CreditGraph, NeighbourhoodStopsAtTheDepth) {
  CreditGraph g;
  load(g);
  auto one = g.neighbourhood("E1", 1);
  EXPECT_FALSE(one.truncated);
  std::vector<std::string> ids;
  for (const auto& n : one.nodes) ids.push_back(n.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"entity:E1", "person:P:alice", "entity:E2", "list:MZ:blacklist"}));
  ASSERT_EQ(one.edges.size(), 3u);
  EXPECT_EQ(one.edges[0].from, "entity:E1");
  EXPECT_EQ(one.edges[0].to, "person:P:alice");
  EXPECT_EQ(one.edges[0].kind, "related:legal_representative");
  EXPECT_EQ(one.edges[2].kind, "on_list");
  EXPECT_EQ(one.nodes[0].label, "幸福养老院");

  auto two = g.neighbourhood("E1", 2);
  std::vector<std::string> more;
  for (const auto& n : two.nodes) more.push_back(n.id);
  // Depth 2 adds E2's representative, the list's keeper and the memorandum; not the memorandum's measures.
  EXPECT_EQ(more, (std::vector<std::string>{"entity:E1", "person:P:alice", "entity:E2", "list:MZ:blacklist",
                                            "person:P:bob", "memorandum:1", "department:MZ"}));
  EXPECT_EQ(g.neighbourhood("E1", 0).nodes.size(), 1u);
}

TEST(CreditGraph, NeighbourhoodIsTruncatedAtMaxNodes) {
  CreditGraph g;
  load(g);
  auto n = g.neighbourhood("E1", 5, 3);
  EXPECT_TRUE(n.truncated);
  ASSERT_EQ(n.nodes.size(), 3u);
  for (const auto& e : n.edges) {
    bool fromIn = false;
    bool toIn = false;
    for (const auto& node : n.nodes) {
      fromIn = fromIn || node.id == e.from;
      toIn = toIn || node.id == e.to;
    }
    EXPECT_TRUE(fromIn && toIn) << e.from << " -> " << e.to;
  }
  EXPECT_FALSE(g.neighbourhood("E1", 5, 1000).truncated);
}

TEST(CreditGraph, RebuildingFromTheSameInputsGivesTheSameDerivation) {
  auto flatten = [](CreditGraph& g, const std::string& subject) {
    std::string out;
    for (const auto& d : g.derive(subject)) {
      out += d.measure.code + "|" + d.list + "|" + std::to_string(d.memorandumId) + "|" + d.via + "|" +
             d.viaEntity + "|" + std::to_string(d.entryId) + "|";
      for (const auto& s : d.path) out += s.kind + ":" + s.key + ":" + s.label + ":" + s.edge + ";";
      out += "\n";
    }
    return out;
  };
  CreditGraph g;
  load(g);
  std::vector<std::string> before;
  for (const char* s : {"E1", "E2", "P:alice", "P:bob"}) before.push_back(flatten(g, s));
  g.clear();
  EXPECT_EQ(g.stats().vertices, 0u);
  EXPECT_TRUE(g.derive("E1").empty());
  load(g);
  std::vector<std::string> after;
  for (const char* s : {"E1", "E2", "P:alice", "P:bob"}) after.push_back(flatten(g, s));
  EXPECT_EQ(before, after);
  EXPECT_FALSE(before[0].empty());
}

TEST(CreditGraph, BulkSetRelationsGivesTheSameGraphAsOneCallPerEntity) {
  // Rows that depend on each other: E3 names a party (E4) that the first row creates, and E1 comes twice.
  std::vector<EntityRelations> rows = {
      {"E1", {{"legal_representative", "P:alice", "张某"}, {"operator", "E4", "新机构"}}},
      {"E3", {{"parent", "E4", ""}, {"legal_representative", "P:carol", "王某"}, {"operator", "E3", ""}}},
      {"E1", {{"legal_representative", "P:alice", "张某"}, {"operator", "E2", "康乐养老服务公司"}}},
  };
  CreditGraph one;
  CreditGraph bulk;
  load(one);
  load(bulk);
  for (const EntityRelations& row : rows) one.setRelations(row.entity, row.relations);
  bulk.setRelations(rows);

  for (const char* subject : {"E1", "E2", "E3", "E4", "P:alice", "P:carol"}) {
    SCOPED_TRACE(subject);
    auto expected = one.related(subject);
    auto actual = bulk.related(subject);
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(actual[i].relation, expected[i].relation);
      EXPECT_EQ(actual[i].key, expected[i].key);
      EXPECT_EQ(actual[i].name, expected[i].name);
      EXPECT_EQ(actual[i].direction, expected[i].direction);
    }
    EXPECT_EQ(bulk.derive(subject).size(), one.derive(subject).size());
  }
  EXPECT_EQ(bulk.name("E4"), "新机构");
  EXPECT_EQ(bulk.stats().edges, one.stats().edges);
  EXPECT_EQ(bulk.stats().vertices, one.stats().vertices);
}

TEST(CreditGraph, StatsCountLiveVerticesAndEdges) {
  CreditGraph g;
  load(g);
  auto s = g.stats();
  EXPECT_EQ(s.entities, 2u);
  EXPECT_EQ(s.persons, 2u);
  EXPECT_EQ(s.memoranda, 2u);
  // 4 departments, 2 lists, 2 memoranda, 5 measures, 2 entities, 2 persons.
  EXPECT_EQ(s.vertices, 17u);
  // keeps 2, bound_by 2, provides 5, carried_out_by 5, related 3, on_list 1.
  EXPECT_EQ(s.edges, 18u);
}

TEST(CreditGraph, ConcurrentReadersAndAWriterDoNotRace) {
  CreditGraph g;
  load(g);
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      started.fetch_add(1);
      while (!stop.load()) {
        auto ds = g.derive("P:alice");
        EXPECT_LE(ds.size(), 1u);
        g.neighbourhood("E1", 2);
        g.related("E2");
      }
    });
  }
  while (started.load() < 3) std::this_thread::yield();
  for (int i = 0; i < 50; ++i) {
    g.setMemberships("E1", {});
    g.setMemberships("E1", {{listKey("MZ", "blacklist"), 101 + i, "2026-03-01", ""}});
    if (i % 10 == 0) g.upsertMemorandum(blacklistMemorandum());
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(codes(g.derive("P:alice")), (std::vector<std::string>{"appointment"}));
}

}  // namespace
}  // namespace cw::credit
