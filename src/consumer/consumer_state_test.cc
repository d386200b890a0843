// The consumer state file format of docs/formats.md: round trip, reading the
// reference layout, and damage reported instead of thrown.
#include "consumer/consumer_state.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "test_support.h"

namespace hgc {
namespace {

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(ConsumerStateTest, FileNames) {
  EXPECT_EQ(ConsumerStateFile("/s", "mirror1"), "/s/consumer-mirror1.json");
  EXPECT_EQ(ConsumerStateFile("/s", "mirror1", true), "/s/heads-mirror1.json");
}

TEST(ConsumerStateTest, RoundTrips) {
  test::ScratchDir dir;
  ConsumerState state;
  state.updated = 1700000123.25;
  state.parked.push_back({"{moz}/a", 1, 2, 7, "CommandError: (1, b'False', b'')", 1700000000.5});
  state.parked.push_back({"poison:pushdata/3", 3, 17, 6, "malformed: x", 1700000001.0});
  state.lost.push_back({5, 10, 42, 1700000002.0});
  std::string path = ConsumerStateFile(dir.path(), "g");
  WriteConsumerState(path, state);
  auto read = ReadConsumerState(path);
  EXPECT_TRUE(read.exists);
  EXPECT_TRUE(read.error.empty()) << read.error;
  EXPECT_EQ(read.state, state);
  EXPECT_EQ(ParseConsumerState(FormatConsumerState(state)), state);
}

TEST(ConsumerStateTest, MissingFileMeansNothingParked) {
  test::ScratchDir dir;
  auto s = ReadConsumerState(ConsumerStateFile(dir.path(), "g"));
  EXPECT_FALSE(s.exists);
  EXPECT_TRUE(s.state.parked.empty());
  EXPECT_TRUE(s.error.empty());
}

TEST(ConsumerStateTest, ReadsAndSortsEntries) {
  test::ScratchDir dir;
  std::string path = ConsumerStateFile(dir.path(), "mirror1");
  Write(path, R"({"parked": [
      {"repo": "{moz}/b", "partition": 3, "offset": 17, "attempts": 6, "error": "e1",
       "since": 1700000000.0},
      {"repo": "{moz}/a", "partition": 1, "offset": 2, "attempts": 7, "error": "e2",
       "since": 1700000000.0}], "updated": 1700000000.0})");
  auto s = ReadConsumerState(path);
  EXPECT_TRUE(s.error.empty()) << s.error;
  ASSERT_EQ(s.state.parked.size(), 2u);
  EXPECT_EQ(s.state.parked[0].repo, "{moz}/a");
  EXPECT_EQ(s.state.parked[0].partition, 1);
  EXPECT_EQ(s.state.parked[0].offset, 2);
  EXPECT_EQ(s.state.parked[0].attempts, 7);
  EXPECT_EQ(s.state.parked[0].error, "e2");
  EXPECT_EQ(s.state.parked[1].repo, "{moz}/b");
  EXPECT_EQ(s.state.updated, 1700000000.0);
}

TEST(ConsumerStateTest, DamagedFileIsAnErrorNotAnException) {
  test::ScratchDir dir;
  std::string path = ConsumerStateFile(dir.path(), "g");
  Write(path, "{\"parked\": [{\"repo\": 3}");
  auto s = ReadConsumerState(path);
  EXPECT_TRUE(s.exists);
  EXPECT_TRUE(s.state.parked.empty());
  EXPECT_FALSE(s.error.empty());
  EXPECT_THROW(ParseConsumerState("[1, 2]"), Error);
}

}  // namespace
}  // namespace hgc

namespace hgc {
TEST(ConsumerStateTest, ALostRangeSaysWhatWasLostAndHowToRecover) {
  std::string line = DescribeLostRange({3, 12, 15, 0}, "pushdata", "/etc/c.ini");
  EXPECT_NE(line.find("partition 3 of pushdata: offsets 12 to 14 (3 events) were deleted by the "
                      "log's retention"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("`hgcluster bootstrap hgweb /etc/c.ini DOC`"), std::string::npos) << line;
  EXPECT_NE(line.find("`hgcluster consume /etc/c.ini --accept-lost`"), std::string::npos) << line;
  // A file written before lost ranges existed still reads.
  EXPECT_TRUE(ParseConsumerState(R"({"parked": [], "updated": 1})").lost.empty());
}
}  // namespace hgc
