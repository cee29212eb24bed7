#include "static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cw::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("cw-static-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "assets");
    std::ofstream(root_ / "index.html") << "<html></html>";
    std::ofstream(root_ / "assets" / "app-abc.js") << "x";
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(StaticFilesTest, ClientRoutesFallBackToIndex) {
  StaticFiles files(root_.string());
  auto f = files.resolve("/admin/users");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(fs::path(f->path).filename(), "index.html");
  EXPECT_EQ(f->cacheControl, "no-cache");
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutable) {
  StaticFiles files(root_.string());
  auto f = files.resolve("/assets/app-abc.js");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->contentType, "text/javascript; charset=utf-8");
  EXPECT_NE(f->cacheControl.find("immutable"), std::string::npos);
}

TEST_F(StaticFilesTest, MissingFileWithExtensionAndTraversalAreNotServed) {
  StaticFiles files(root_.string());
  EXPECT_FALSE(files.resolve("/assets/gone.js").has_value());
  auto traversal = files.resolve("/../etc/passwd");
  EXPECT_FALSE(traversal.has_value());
}

}  // namespace
}  // namespace cw::http
