#include "cw/core/blob_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cw/core/crypto.hpp"

namespace cw::core {
namespace {

namespace fs = std::filesystem;

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = fs::temp_directory_path() / ("cw-blobs-" + std::to_string(::getpid())); }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(BlobStoreTest, StoresByHashOnceAndReadsBack) {
  BlobStore store(root_.string());
  std::string pdf = "%PDF-1.7 test document";
  auto a = store.put(pdf);
  auto b = store.put(pdf);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, sha256Hex(pdf));
  EXPECT_EQ(*store.get(*a), pdf);
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(BlobStoreTest, DamagedFileIsReportedNotServed) {
  BlobStore store(root_.string());
  auto sha = *store.put("%PDF-original");
  for (const auto& e : fs::recursive_directory_iterator(root_)) {
    if (e.is_regular_file()) std::ofstream(e.path()) << "%PDF-tampered";
  }
  auto read = store.get(sha);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::FailedPrecondition);
  EXPECT_EQ(store.get(std::string(64, 'a')).error().code, ErrorCode::NotFound);
}

TEST(DocumentType, RecognisedByContentNotName) {
  EXPECT_EQ(sniffDocumentType("%PDF-1.4"), "application/pdf");
  EXPECT_EQ(sniffDocumentType(std::string("\x89PNG\r\n\x1a\n....", 12)), "image/png");
  EXPECT_EQ(sniffDocumentType(std::string("\xFF\xD8\xFF\xE0", 4)), "image/jpeg");
  EXPECT_EQ(sniffDocumentType("RIFF1234WEBPVP8 "), "image/webp");
  EXPECT_FALSE(sniffDocumentType("MZ\x90\x00 an executable").has_value());
  EXPECT_FALSE(sniffDocumentType("<html>").has_value());
}

}  // namespace
}  // namespace cw::core
