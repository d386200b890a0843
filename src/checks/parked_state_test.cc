// ReadParkedState on the state file format of docs/formats.md.
#include "checks/parked_state.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_support.h"

namespace hgc {
namespace {

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(CheckParkedStateTest, MissingFileMeansNothingParked) {
  test::ScratchDir dir;
  auto s = ReadParkedState(ConsumerStateFile(dir.path(), "g"));
  EXPECT_TRUE(s.entries.empty());
  EXPECT_TRUE(s.error.empty());
}

TEST(CheckParkedStateTest, ReadsAndSortsEntries) {
  test::ScratchDir dir;
  std::string path = ConsumerStateFile(dir.path(), "mirror1");
  EXPECT_EQ(path, dir.path() + "/consumer-mirror1.json");
  Write(path, R"({"parked": [
      {"repo": "{moz}/b", "partition": 3, "offset": 17, "attempts": 6, "error": "e1",
       "since": 1700000000.0},
      {"repo": "{moz}/a", "partition": 1, "offset": 2, "attempts": 7, "error": "e2",
       "since": 1700000000.0}], "updated": 1700000000.0})");
  auto s = ReadParkedState(path);
  EXPECT_TRUE(s.error.empty()) << s.error;
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[0].repo, "{moz}/a");
  EXPECT_EQ(s.entries[0].partition, 1);
  EXPECT_EQ(s.entries[0].offset, 2);
  EXPECT_EQ(s.entries[0].attempts, 7);
  EXPECT_EQ(s.entries[0].error, "e2");
  EXPECT_EQ(s.entries[1].repo, "{moz}/b");
}

TEST(CheckParkedStateTest, DamagedFileIsAnErrorNotAnException) {
  test::ScratchDir dir;
  std::string path = ConsumerStateFile(dir.path(), "g");
  Write(path, "{\"parked\": [{\"repo\": 3}");
  auto s = ReadParkedState(path);
  EXPECT_TRUE(s.entries.empty());
  EXPECT_FALSE(s.error.empty());
}

}  // namespace
}  // namespace hgc
