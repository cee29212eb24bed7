// The directory search and the bulk writer against the real database: the bigram name index gives exactly what
// LIKE gives, region filters include sub-regions, totals are capped, relations are linked whichever side is
// registered first, and bulk-written institutions look like any other.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "cw/core/time.hpp"
#include "cw/registry/bulk.hpp"
#include "cw/registry/codes.hpp"
#include "cw/server/app.hpp"
#include "cw/server/seed_demo.hpp"
#include "integration/app_config.hpp"
#include "support/test_db.hpp"

namespace cw {
namespace {

using registry::SearchQuery;

class RegistrySearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = std::filesystem::temp_directory_path() / ("cw-search-" + database.name());
    server::Config config = testing::appConfig(database.config(), storage_.string());
    app_ = std::make_unique<server::App>(config, [](const std::string&) {});
    server::seedReferenceData(*app_);  // departments and the regions of 九江市
    officer_.userId = 1;
    officer_.role = "officer";
    officer_.departmentCode = "MZ";
    admin_.role = "admin";
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(storage_);
  }

  // Generated institutions written with the bulk writer, names replaced where given.
  std::vector<std::int64_t> bulkWrite(std::uint64_t firstSeq, std::size_t count,
                                      const std::vector<std::string>& names = {}) {
    core::Day today = core::shanghaiDay(std::chrono::system_clock::now());
    std::vector<registry::BulkInstitution> rows;
    for (std::size_t k = 0; k < count; ++k) {
      server::SyntheticSpec spec;
      spec.sector = "elderly";
      auto inst = server::syntheticInstitution(firstSeq + k, spec, today);
      registry::BulkInstitution row;
      row.record = inst.record;
      if (k < names.size()) row.record.set("name", names[k]);
      std::string id = *row.record.get("legal_rep_id_number");
      row.record.set("legal_rep_id_number", registry::maskResidentId(id));
      row.record.set("legal_rep_id_cipher", std::string("v1.test"));
      row.record.set("legal_rep_id_index", std::string(64, 'a'));
      row.filingNo = "MZ-2026-" + std::to_string(900000 + firstSeq + k);
      row.createdAt = core::formatSqlDateTime(inst.filedAt);
      rows.push_back(std::move(row));
    }
    auto lease = app_->pool().acquire();
    db::Transaction tx(*lease);
    registry::BulkWriter writer("seed", std::nullopt);
    auto ids = writer.write(*lease, rows);
    tx.commit();
    return ids;
  }

  std::multiset<std::string> namesFound(const std::string& text) {
    SearchQuery q;
    q.text = text;
    q.limit = 100;
    auto page = app_->registry().search(admin_, q);
    EXPECT_TRUE(page) << (page ? "" : page.error().message);
    std::multiset<std::string> out;
    for (const auto& inst : page->items) out.insert(*inst.record.get("name"));
    EXPECT_EQ(page->total, static_cast<std::int64_t>(out.size()));
    return out;
  }

  // What a plain LIKE scan of the table gives: the reference the index must reproduce.
  std::multiset<std::string> namesByLike(const std::string& text) {
    std::string escaped;
    for (char ch : text) {
      if (ch == '%' || ch == '_' || ch == '\\') escaped += '\\';
      escaped += ch;
    }
    std::multiset<std::string> out;
    auto lease = app_->pool().acquire();
    for (const auto& row : lease->query("SELECT name FROM institutions WHERE name LIKE ?", "%" + escaped + "%")) {
      out.insert(row.str("name"));
    }
    return out;
  }

  testing::TestDatabase database;
  std::filesystem::path storage_;
  std::unique_ptr<server::App> app_;
  http::Principal officer_;
  http::Principal admin_;
};

TEST_F(RegistrySearchTest, NameSearchThroughBigramsFindsExactlyWhatLikeFinds) {
  bulkWrite(0, 40,
            {"浔阳区康乐养老院", "濂溪区康乐颐养中心", "柴桑区乐康护理院", "Sunrise 养老 Home", "SUNRISE颐养",
             "百分之100%关怀中心", "下划_线养老院", "康", "瑞昌市幸福院"});
  for (const std::string text : {"康乐", "康乐养", "乐康", "sunrise", "Sunrise 养", "100%", "_线", "%", "康", "养老院",
                                 "不存在的名字", "福院", "区"}) {
    EXPECT_EQ(namesFound(text), namesByLike(text)) << "q=" << text;
  }
  EXPECT_EQ(namesFound("康乐").count("濂溪区康乐颐养中心"), 1u);
  EXPECT_EQ(namesFound("sunrise").size(), 2u);  // the collation ignores case, as LIKE does
  EXPECT_TRUE(namesFound("不存在的名字").empty());
}

TEST_F(RegistrySearchTest, RenamingRewritesTheBigrams) {
  auto ids = bulkWrite(100, 1, {"湖口县旧名养老院"});
  registry::RecordChanges changes;
  changes.values.set("name", std::string("湖口县新桥颐养院"));
  auto edited = app_->registry().editDirect(audit::Actor::system("test", "test"), officer_, ids[0], changes);
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_TRUE(namesFound("旧名").empty());
  EXPECT_EQ(namesFound("新桥"), std::multiset<std::string>{"湖口县新桥颐养院"});
  auto lease = app_->pool().acquire();
  EXPECT_EQ(lease->query("SELECT COUNT(*) AS n FROM institution_name_grams WHERE institution_id = ?", ids[0])[0].i64("n"),
            7);  // 8 characters, 7 distinct bigrams
}

TEST_F(RegistrySearchTest, RegionIncludesSubRegionsAndStreets) {
  auto ids = bulkWrite(200, 30);
  auto lease = app_->pool().acquire();
  lease->execute("INSERT INTO regions (code, name, parent_code, level) VALUES ('360402001', '甘棠街道', '360402', 'street')");
  lease->execute("UPDATE institutions SET region_code = '360402001' WHERE id = ?", ids[0]);
  std::int64_t inDistrict =
      lease->query("SELECT COUNT(*) AS n FROM institutions WHERE region_code LIKE '360402%'")[0].i64("n");
  SearchQuery q;
  q.region = "360402";
  q.limit = 100;
  auto page = app_->registry().search(admin_, q);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, inDistrict);
  EXPECT_TRUE(std::any_of(page->items.begin(), page->items.end(), [&](const auto& i) { return i.id == ids[0]; }));
  q.region = "360402001";
  page = app_->registry().search(admin_, q);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].id, ids[0]);
  q.region = "360499";  // a well-formed code that is not a region
  page = app_->registry().search(admin_, q);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 0);
}

TEST_F(RegistrySearchTest, TotalIsCappedAndPagesStillOrdered) {
  bulkWrite(1000, static_cast<std::size_t>(registry::SearchPage::kCountCap) + 5);
  SearchQuery q;
  q.limit = 50;
  q.offset = 0;
  auto first = app_->registry().search(admin_, q);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->totalCapped);
  EXPECT_EQ(first->total, registry::SearchPage::kCountCap);
  ASSERT_EQ(first->items.size(), 50u);
  for (std::size_t k = 1; k < first->items.size(); ++k) {
    EXPECT_LE(*first->items[k - 1].record.get("name"), *first->items[k].record.get("name"));
  }
  q.sector = "elderly";
  q.capacityMin = 0;
  q.capacityMax = 5;  // generated capacities start at 10: nothing
  auto none = app_->registry().search(admin_, q);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->totalCapped);
  EXPECT_EQ(none->total, 0);

  // Every match once, in order; a cap below the count is refused with the reason.
  SearchQuery all;
  std::size_t seen = 0;
  std::string last;
  auto n = app_->registry().forEachMatch(admin_, all, 20'000, [&](const registry::Institution& inst) {
    EXPECT_LE(last, *inst.record.get("name"));
    last = *inst.record.get("name");
    ++seen;
  });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, seen);
  EXPECT_GT(seen, static_cast<std::size_t>(registry::SearchPage::kCountCap));
  auto refused = app_->registry().forEachMatch(admin_, all, 100, [](const registry::Institution&) {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("more than 100"), std::string::npos);
}

TEST_F(RegistrySearchTest, RelationsAreLinkedWhicheverSideComesFirst) {
  core::Day today = core::shanghaiDay(std::chrono::system_clock::now());
  server::SyntheticSpec spec;
  spec.sector = "elderly";
  auto parent = server::syntheticInstitution(5000, spec, today).record;
  auto child = server::syntheticInstitution(5001, spec, today).record;
  auto early = server::syntheticInstitution(5002, spec, today).record;
  // The child names its parent before the parent is registered; `early` names the child, already registered.
  child.relations.push_back({"parent", *parent.get("name"), parent.get("credit_code"), "2024-01-01", std::nullopt});
  early.relations.push_back({"branch", *child.get("name"), child.get("credit_code"), "2024-01-01", std::nullopt});
  auto audit = audit::Actor::system("test", "test");
  auto childInst = app_->registry().registerDirect(audit, officer_, child);
  ASSERT_TRUE(childInst) << childInst.error().message;
  auto parentInst = app_->registry().registerDirect(audit, officer_, parent);
  ASSERT_TRUE(parentInst) << parentInst.error().message;
  auto earlyInst = app_->registry().registerDirect(audit, officer_, early);
  ASSERT_TRUE(earlyInst) << earlyInst.error().message;
  auto lease = app_->pool().acquire();
  auto linked = [&](std::int64_t from, const std::string& relation) {
    return lease->query("SELECT related_institution_id FROM institution_relations WHERE institution_id = ? AND relation = ?",
                        from, relation)[0]
        .optI64("related_institution_id");
  };
  EXPECT_EQ(linked(childInst->id, "parent"), parentInst->id);
  EXPECT_EQ(linked(earlyInst->id, "branch"), childInst->id);
}

TEST_F(RegistrySearchTest, BulkWrittenInstitutionsLookLikeFiledOnes) {
  auto ids = bulkWrite(7000, 3, {"都昌县湖滨养老院"});
  auto inst = app_->registry().get(admin_, ids[0]);
  ASSERT_TRUE(inst) << inst.error().message;
  EXPECT_EQ(*inst->record.get("name"), "都昌县湖滨养老院");
  EXPECT_EQ(inst->filingState, "filed");
  EXPECT_EQ(inst->version, 1);
  auto versions = app_->registry().versions(admin_, ids[0]);
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].source, "seed");
  EXPECT_EQ(*(*versions)[0].record.get("name"), "都昌县湖滨养老院");
  EXPECT_EQ(namesFound("湖滨"), std::multiset<std::string>{"都昌县湖滨养老院"});
  auto lease = app_->pool().acquire();
  EXPECT_EQ(lease->query("SELECT COUNT(*) AS n FROM institution_relations WHERE institution_id = ? AND relation ="
                         " 'legal_representative'",
                         ids[0])[0]
                .i64("n"),
            1);
}

}  // namespace
}  // namespace cw
