// Global tags read from hg's own cache, against the real hg: what `hg tags`
// lists, a cache made stale by a commit or by a hidden changeset is not
// trusted, a deleted tag is gone, and damage is refused with its line.
#include "hg/tags_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::Sh;

class TagsCacheTest : public testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "hgrc") << "[experimental]\nevolution = all\n";
    env_ = {{"HGRCPATH", dir_ / "hgrc"}, {"HGPLAIN", "1"}, {"HGUSER", "test"}};
  }

  std::string Hg(const std::string& args) {
    auto r = Sh("cd " + repo_ + " && hg " + args, env_);
    EXPECT_TRUE(r.ok()) << args << "\n" << r.out << r.err;
    return r.out;
  }

  // What hg lists as global tags ("tip" and local tags left out).
  std::map<std::string, std::string> HgGlobalTags() {
    std::map<std::string, std::string> tags;
    for (const auto& tag : nlohmann::json::parse(Hg("tags -T json"))) {
      std::string name = tag["tag"];
      if (name != "tip" && tag["type"] != "local") tags[name] = tag["node"];
    }
    return tags;
  }

  std::optional<std::map<std::string, std::string>> Native() {
    ChangelogIndex index = ChangelogIndex::Load(repo_);
    return ReadGlobalTags(repo_, index, RepoVisibility::Load(repo_, index));
  }

  ScratchDir dir_;
  std::map<std::string, std::string> env_;
  std::string repo_ = dir_ / "repo";
};

TEST_F(TagsCacheTest, MatchesHgTagsAndTrustsOnlyACurrentCache) {
  ASSERT_TRUE(Sh("hg init " + repo_, env_).ok());
  Hg("debugbuilddag '+3'");
  auto none = Native();
  ASSERT_TRUE(none.has_value()) << "no .hgtags file log: no global tags, known without hg";
  EXPECT_TRUE(none->empty());

  Hg("up -q 2 && hg tag -q -r 0 FIREFOX_1_0_RELEASE && hg tag -q -r 1 'two words'");
  Hg("tag -q -r 1 moved && hg tag -q -f -r 0 moved && hg tag -q -r 2 gone");
  Hg("tag -q --remove gone && hg tag -q -l localonly");
  std::filesystem::remove(repo_ + "/.hg/cache/tags2-visible");
  EXPECT_FALSE(Native().has_value()) << "no cache: unknown, not empty";

  std::map<std::string, std::string> expected = HgGlobalTags();  // also writes the cache
  ASSERT_EQ(expected.size(), 3u);
  auto native = Native();
  ASSERT_TRUE(native.has_value()) << ReadFileOrEmpty(repo_ + "/.hg/cache/tags2-visible");
  EXPECT_EQ(*native, expected);
  EXPECT_EQ(native->at("moved"), Hg("log -r 0 -T '{node}'")) << "the newest entry wins";
  EXPECT_EQ(native->count("gone"), 0u) << "a removed tag points at null";

  Hg("up -q tip && echo x > x && hg commit -qAm x");
  EXPECT_FALSE(Native().has_value()) << "a new tip makes the cache stale";
  EXPECT_EQ(HgGlobalTags(), expected);
  EXPECT_EQ(Native(), expected) << "hg rewrote it";

  // Hiding a changeset keeps tip rev and node: only the filtered hash tells.
  Hg("up -q null && hg phase -q -f -d tip && hg debugobsolete -q $(hg log -r tip -T '{node}')");
  ASSERT_EQ(Hg("log --hidden -r 'hidden()' -T '{rev}'"), Hg("log --hidden -r tip -T '{rev}'"));
  EXPECT_FALSE(Native().has_value()) << "what is hidden changed";
  EXPECT_EQ(HgGlobalTags(), expected);
  EXPECT_EQ(Native(), expected);
  EXPECT_FALSE(
      ParseTagsCache(ReadFileOrEmpty(repo_ + "/.hg/cache/tags2-visible")).filtered_hash.empty());
}

TEST(TagsCacheParse, RefusesDamageNamingTheLine) {
  std::string node(40, 'a');
  auto cache = ParseTagsCache("7 " + node + "\n" + node + " v1\n" + std::string(40, '0') + " v1\n");
  EXPECT_EQ(cache.tip_rev, 7);
  EXPECT_TRUE(cache.tags.empty()) << "the last entry of v1 deletes it";
  for (const std::string& text :
       std::vector<std::string>{"", "x " + node + "\n", "7\n", "7 " + node + " zz\n",
                                "7 " + node + "\n" + node + "v1\n", "7 " + node + "\nshort v1\n"}) {
    EXPECT_THROW(ParseTagsCache(text), Error) << text;
  }
  try {
    ParseTagsCache("7 " + node + "\n" + node + " ok\nnot a line\n");
    ADD_FAILURE() << "accepted a damaged line";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(FilteredRevsHash({}, 10), "");
  EXPECT_EQ(FilteredRevsHash({12}, 10), "");
  // hg: hashlib.sha1(b'3;5;').hexdigest()
  EXPECT_EQ(FilteredRevsHash({5, 3, 12}, 10), "d069c0a9ffc188bcb01031923d81d73e29720167");
}

}  // namespace
}  // namespace hgc
