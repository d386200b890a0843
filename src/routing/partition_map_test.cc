// PartitionMap against the vectors of spec §2.3 (verified against the
// reference's transcripts) and its configuration errors.
#include "routing/partition_map.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

// Given in reverse so the test also proves entries are sorted by name.
PartitionMap Production() {
  return PartitionMap::FromEntries({{"2main", "0,1,2,3:.*"},
                                    {"1user", "5,6,7:\\{moz\\}\\/users\\/.*"},
                                    {"0try", "4:\\{moz\\}\\/try"}});
}

TEST(PartitionMapTest, SpecVectors) {
  const PartitionMap map = Production();
  const std::pair<const char*, int> cases[] = {
      {"{moz}/mozilla-central", 2},
      {"{moz}/mozilla-unified", 0},
      {"{moz}/projects/ash", 0},
      {"{moz}/deleterepo", 0},
      {"{moz}/filterrepo", 0},
      {"{moz}/testrepo", 2},
      {"{moz}/mc2", 2},
      {"{moz}/obs", 2},
      {"{moz}/try", 4},
      {"{moz}/try-comm-central", 4},  // prefix-anchored, not a full match
      {"{moz}/users/foo", 7},
      {"{moz}/users/cosheehan_mozilla.com/vct", 5},
  };
  for (const auto& [path, partition] : cases) EXPECT_EQ(map.PartitionFor(path), partition) << path;
}

TEST(PartitionMapTest, Md5IsBigEndianModulo) {
  // md5("{moz}/mozilla-central") = 58e70cc9ab8fc5905bd4610d6ef77df2
  EXPECT_EQ(Md5Mod("{moz}/mozilla-central", 4), 2);
  EXPECT_EQ(Md5Mod("{moz}/mozilla-central", 3), 2);
  EXPECT_EQ(Md5Mod("{moz}/mozilla-central", 7), 5);
  EXPECT_EQ(Md5Mod("{moz}/users/cosheehan_mozilla.com/vct", 3), 0);
  EXPECT_EQ(Md5Mod("{moz}/\xc3\xa9", 7), 4);  // hashed as UTF-8 bytes
  EXPECT_EQ(Md5Mod("anything", 1), 0);
}

TEST(PartitionMapTest, RegexMatchesAtStartOnly) {
  const PartitionMap map = PartitionMap::FromEntries({{"a", "1:try"}, {"b", "2:.*"}});
  EXPECT_EQ(map.PartitionFor("try/x"), 1);
  EXPECT_EQ(map.PartitionFor("x/try"), 2);
}

TEST(PartitionMapTest, AllPartitionsIsSortedUnion) {
  EXPECT_EQ(Production().AllPartitions(), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(PartitionMap::FromEntries({{"x", "3, 1 ,3:a"}, {"y", " 1:b"}}).AllPartitions(),
            (std::vector<int>{1, 3}));
  EXPECT_TRUE(PartitionMap().empty());
  EXPECT_FALSE(Production().empty());
}

TEST(PartitionMapTest, PatternTakenVerbatimAfterFirstColon) {
  // Everything after the first ':' is the regex, including a ':' and spaces.
  const PartitionMap map = PartitionMap::FromEntries({{"a", "1:x:y"}, {"b", "2: z"}});
  EXPECT_EQ(map.PartitionFor("x:y"), 1);
  EXPECT_EQ(map.PartitionFor(" z"), 2);
  EXPECT_THROW(map.PartitionFor("z"), Error);
}

TEST(PartitionMapTest, NoMatchTellsHowToFix) {
  const PartitionMap map = PartitionMap::FromEntries({{"0try", "4:\\{moz\\}\\/try"}});
  try {
    map.PartitionFor("{moz}/other");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    const std::string what = e.what();
    EXPECT_NE(what.find("unable to map repo to partition"), std::string::npos);
    EXPECT_NE(what.find("{moz}/other"), std::string::npos);
    EXPECT_NE(what.find("(define a partition map with a \".*\" fallback)"), std::string::npos);
  }
}

TEST(PartitionMapTest, BadEntriesNamed) {
  for (const char* value : {"0,1", ":.*", "a:.*", "1,,2:.*", "-1:.*", "1:(", "1:[a"}) {
    try {
      PartitionMap::FromEntries({{"bad", value}});
      ADD_FAILURE() << value;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConfig);
      EXPECT_NE(std::string(e.what()).find("partitionmap.bad"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace hgc
