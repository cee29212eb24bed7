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

std::size_t regularFiles(const fs::path& root) {
  std::size_t files = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(root, ec)) files += e.is_regular_file();
  return files;
}

TEST_F(BlobStoreTest, StreamedWriteIsHashedAndRenamedOnlyOnCommit) {
  BlobStore store(root_.string());
  std::string data = "%PDF-1.7 ";
  for (int i = 0; i < 300000; ++i) data += static_cast<char>('a' + i % 26);
  auto writer = store.begin();
  ASSERT_TRUE(writer.ok());
  for (std::size_t at = 0; at < data.size(); at += 65536) ASSERT_TRUE(writer->write(std::string_view(data).substr(at, 65536)));
  EXPECT_EQ(writer->size(), data.size());
  EXPECT_EQ(writer->head(), data.substr(0, BlobWriter::kHeadBytes));
  EXPECT_FALSE(store.exists(sha256Hex(data)));  // nothing under the final name before commit
  auto stored = writer->commit();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->sha256, sha256Hex(data));
  EXPECT_TRUE(stored->created);
  EXPECT_EQ(*store.get(stored->sha256), data);

  auto again = store.begin();
  ASSERT_TRUE(again->write(data));
  auto second = again->commit();
  EXPECT_FALSE(second->created);  // deduplicated
  EXPECT_EQ(regularFiles(root_), 1u);
}

TEST_F(BlobStoreTest, AnAbandonedWriteLeavesNothing) {
  BlobStore store(root_.string());
  {
    auto writer = store.begin();
    ASSERT_TRUE(writer->write("%PDF-half"));
  }
  auto aborted = store.begin();
  ASSERT_TRUE(aborted->write("%PDF-other"));
  aborted->abort();
  EXPECT_FALSE(aborted->commit().ok());
  EXPECT_EQ(regularFiles(root_), 0u);
}

TEST_F(BlobStoreTest, StaleTemporariesAreSweptFreshOnesKept) {
  BlobStore store(root_.string());
  auto live = store.begin();
  ASSERT_TRUE(live->write("in progress"));
  fs::path stale = root_ / ".incoming" / "upload-killed";
  std::ofstream(stale) << "left by a killed process";
  fs::last_write_time(stale, fs::file_time_type::clock::now() - std::chrono::hours(2));
  EXPECT_EQ(store.removeStaleTemporaries(std::chrono::hours(1)), 1);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_EQ(regularFiles(root_), 1u);
}

TEST(EvidenceType, JpegPngPdfAndMp4Only) {
  EXPECT_EQ(sniffEvidenceType("%PDF-1.4"), "application/pdf");
  EXPECT_EQ(sniffEvidenceType(std::string("\x89PNG\r\n\x1a\n....", 12)), "image/png");
  EXPECT_EQ(sniffEvidenceType(std::string("\xFF\xD8\xFF\xE1", 4)), "image/jpeg");
  EXPECT_EQ(sniffEvidenceType(std::string("\0\0\0\x20" "ftypisom\0\0\2\0", 16)), "video/mp4");
  EXPECT_EQ(sniffEvidenceType(std::string("\0\0\0\x18" "ftypmp42\0\0\0\0", 16)), "video/mp4");
  EXPECT_FALSE(sniffEvidenceType(std::string("\0\0\0\x18" "ftypheic\0\0\0\0", 16)));  // HEIF photo
  EXPECT_FALSE(sniffEvidenceType(std::string("\0\0\0\x14" "ftypqt  \0\0\0\0", 16)));  // QuickTime
  EXPECT_FALSE(sniffEvidenceType("RIFF1234WEBPVP8 "));
  EXPECT_FALSE(sniffEvidenceType("<html><script>"));
  EXPECT_FALSE(sniffEvidenceType(""));
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
