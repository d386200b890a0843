// ComputeRepoDigest on real hg repositories and CompareRepoDigests: a clone
// digests like its source; a moved bookmark, a missing changeset or a
// changed phase is named; obsolescence markers alone are not a difference.
#include "hg/repo_digest.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::Sh;

class RepoDigestTest : public testing::Test {
 protected:
  void SetUp() override {
    // Non-publishing, as try-like leader repositories are: clones keep drafts.
    std::ofstream(dir_ / "hgrc") << "[experimental]\nevolution = all\n[phases]\npublish = false\n";
    env_ = {{"HGRCPATH", dir_ / "hgrc"}, {"HGPLAIN", "1"}, {"HGUSER", "test"}};
    leader_ = dir_ / "leader";
    Run("hg init " + leader_ + " && cd " + leader_ +
        " && echo a > a && hg commit -qAm a && hg phase -p ."
        " && echo b > b && hg commit -qAm b && hg bookmark -q feat"
        " && hg up -q 0 && echo c > c && hg commit -qAm c");
  }
  std::string Run(const std::string& cmd) {
    auto r = Sh(cmd, env_);
    EXPECT_TRUE(r.ok()) << cmd << "\n" << r.out << r.err;
    return r.out;
  }
  std::string Clone(const std::string& name) {
    std::string to = dir_ / name;
    Run("hg clone -q -U " + leader_ + " " + to);
    return to;
  }
  ScratchDir dir_;
  std::map<std::string, std::string> env_;
  std::string leader_;
};

TEST_F(RepoDigestTest, DigestsWhatTheRepositoryServes) {
  auto d = ComputeRepoDigest(leader_, 7);
  EXPECT_EQ(d["changesets"], 3);
  EXPECT_EQ(d["heads"].size(), 2u);
  EXPECT_EQ(d["drafts"], 2);
  EXPECT_EQ(d["last_push_id"], 7);
  EXPECT_EQ(d["bookmarks"]["feat"], Run("hg -R " + leader_ + " log -r feat -T '{node}'"));
  EXPECT_TRUE(ComputeRepoDigest(leader_, std::nullopt)["last_push_id"].is_null());
  // Heads come sorted, the same as hg's visible heads.
  auto heads = d["heads"].get<std::vector<std::string>>();
  EXPECT_TRUE(std::is_sorted(heads.begin(), heads.end()));
  std::string hg_heads = Run("hg -R " + leader_ + " log -r 'heads(all())' -T '{node}\\n'");
  for (const auto& h : heads) EXPECT_NE(hg_heads.find(h), std::string::npos) << h;
}

TEST_F(RepoDigestTest, ACloneAgreesAndEachDifferenceIsNamed) {
  std::string mirror = Clone("mirror");
  auto leader = ComputeRepoDigest(leader_, 2);
  EXPECT_EQ(CompareRepoDigests(leader, ComputeRepoDigest(mirror, 2)), std::vector<std::string>{});

  Run("hg -R " + mirror + " bookmark -f -r 0 feat");
  auto diff = CompareRepoDigests(leader, ComputeRepoDigest(mirror, 2));
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0].rfind("bookmarks: leader has", 0), 0u) << diff[0];

  std::string partial = dir_ / "partial";
  Run("hg clone -q -U -r 1 " + leader_ + " " + partial);
  diff = CompareRepoDigests(leader, ComputeRepoDigest(partial, 1));
  std::string all;
  for (const auto& line : diff) all += line + "\n";
  for (const char* field : {"heads:", "changesets:", "drafts:", "drafts_sha256:", "last_push_id:"}) {
    EXPECT_NE(all.find(field), std::string::npos) << field << " in\n" << all;
  }
}

TEST_F(RepoDigestTest, PhaseIsComparedButObsoleteMarkersAloneAreNot) {
  std::string mirror = Clone("mirror");
  Run("hg -R " + mirror + " phase -p 1");
  auto diff = CompareRepoDigests(ComputeRepoDigest(leader_, 1), ComputeRepoDigest(mirror, 1));
  ASSERT_FALSE(diff.empty());
  EXPECT_EQ(diff[0].rfind("drafts:", 0), 0u) << diff[0];

  // A marker for a changeset the mirror never had changes nothing it serves.
  std::string other = Clone("other");
  Run("hg -R " + other + " debugobsolete -q " + std::string(40, 'a'));
  EXPECT_EQ(CompareRepoDigests(ComputeRepoDigest(leader_, 1), ComputeRepoDigest(other, 1)),
            std::vector<std::string>{});
  EXPECT_EQ(ComputeRepoDigest(other, 1)["obsmarkers"], 1);
}

TEST_F(RepoDigestTest, FieldsTheLeaderDidNotSendAreNotCompared) {
  nlohmann::json leader = {{"changesets", 3}};
  EXPECT_TRUE(CompareRepoDigests(leader, ComputeRepoDigest(leader_, 99)).empty());
  leader["changesets"] = 4;
  EXPECT_EQ(CompareRepoDigests(leader, ComputeRepoDigest(leader_, 99)).size(), 1u);
}

}  // namespace
}  // namespace hgc
