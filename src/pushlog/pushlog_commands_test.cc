// The reference's pushlog web behaviours (spec/hosting.md §1.7-1.12) pinned
// on a real hg repository with a pushlog written through PushlogDb: every
// query mode, bounds, paging, full, tipsonly, v1/v2 bytes, error bodies,
// hidden changesets, empty pushes, only-replicated pushes, and that reading
// never creates the database.
#include "pushlog/pushlog_commands.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "hg/replicated_data.h"
#include "hg/revlog_index.h"
#include "pushlog/push_query.h"
#include "pushlog/pushlog_db.h"
#include "test_support.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using test::PlainHg;
using test::ScratchDir;
using test::Sh;

class PushlogCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "repo";
    // Six changesets; 4 and 5 on branch "stable", 5 a merge-free head.
    ASSERT_TRUE(PlainHg("init " + root_).ok());
    ASSERT_TRUE(PlainHg("-R " + root_ + " debugbuilddag -n '+4 @stable +2'").ok());
    ChangelogIndex index = ChangelogIndex::Load(root_);
    for (int r = 0; r <= index.tip_rev(); ++r) n_.push_back(index.NodeHex(r));
    auto db = PushlogDb::OpenForWrite(root_);
    db->RecordPush("alice@example.com", 1000, {0, 1}, {n_[0], n_[1]});
    db->RecordPush("bob@example.com", 2000, {2}, {n_[2]});
    db->RecordPush("carol@example.com", 2500, {}, {});  // an empty push
    db->RecordPush("alice@example.com", 3000, {3, 4}, {n_[3], n_[4]});
    db->RecordPush("bob@example.com", 4000, {5}, {n_[5]});
    RegisterPushlogCommands(commands_);
  }

  RepoResponse Get(const std::string& command, QueryParams query = {}, const std::string& arg = "",
                   const std::string& root = "") {
    RepoRequest req;
    req.repo_name = "repo";
    req.repo_root = root.empty() ? root_ : root;
    req.command = command;
    req.path_arg = arg;
    req.query = std::move(query);
    req.base_url = "http://hg.example.com/";
    RepoResponse res;
    const RepoCommandHandler* h = commands_.Find(command);
    EXPECT_NE(h, nullptr) << command;
    (*h)(req, res);
    return res;
  }

  std::string Push(int id, const std::string& user, int64_t date, const std::vector<int>& revs) {
    std::string nodes, git;
    for (size_t i = 0; i < revs.size(); ++i) {
      nodes += (i ? ", \"" : "\"") + n_[static_cast<size_t>(revs[i])] + "\"";
      git += i ? ", null" : "null";
    }
    return fmt::format(
        "\"{}\": {{\"changesets\": [{}], \"date\": {}, \"git_changesets\": [{}], \"user\": "
        "\"{}\"}}",
        id, nodes, date, git, user);
  }

  ScratchDir dir_;
  std::string root_;
  std::vector<std::string> n_;
  RepoCommands commands_;
};

TEST_F(PushlogCommandsTest, StartIdZeroListsEveryPushWithChangesetsInV1Bytes) {
  RepoResponse r = Get("json-pushes", {{"startID", "0"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  // Push 3 has no changesets: no web view shows it.
  EXPECT_EQ(r.body, "{" + Push(1, "alice@example.com", 1000, {0, 1}) + ", " +
                        Push(2, "bob@example.com", 2000, {2}) + ", " +
                        Push(4, "alice@example.com", 3000, {3, 4}) + ", " +
                        Push(5, "bob@example.com", 4000, {5}) + "}");
}

TEST_F(PushlogCommandsTest, BoundsAreExclusiveStartInclusiveEnd) {
  EXPECT_EQ(Get("json-pushes", {{"startID", "1"}, {"endID", "2"}}).body,
            "{" + Push(2, "bob@example.com", 2000, {2}) + "}");
  EXPECT_EQ(Get("json-pushes", {{"startdate", "1000"}, {"enddate", "3000"}}).body,
            "{" + Push(2, "bob@example.com", 2000, {2}) + "}");
  EXPECT_EQ(Get("json-pushes", {{"fromchange", n_[1]}, {"tochange", n_[4].substr(0, 12)}}).body,
            "{" + Push(2, "bob@example.com", 2000, {2}) + ", " +
                Push(4, "alice@example.com", 3000, {3, 4}) + "}");
  // A bookmark-less symbol: "tip" and a branch name resolve too.
  EXPECT_EQ(Get("json-pushes", {{"fromchange", "4"}, {"tochange", "tip"}}).body,
            "{" + Push(5, "bob@example.com", 4000, {5}) + "}");
}

TEST_F(PushlogCommandsTest, CountModeIsTheLastTenPagedByPathAndIgnoresEndBounds) {
  auto db = PushlogDb::OpenForWrite(root_);
  for (int i = 0; i < 10; ++i) db->RecordPush("x", 5000 + i, {}, {});
  // Pushes 6..15 are empty: the newest page shows nothing.
  EXPECT_EQ(Get("json-pushes").body, "{}");
  EXPECT_EQ(Get("json-pushes", {{"endID", "1"}}).body, "{}");
  // Page 2 = pushes 5..1 (newest first; empty push 3 not shown).
  EXPECT_EQ(Get("json-pushes", {}, "2").body,
            "{" + Push(1, "alice@example.com", 1000, {0, 1}) + ", " +
                Push(2, "bob@example.com", 2000, {2}) + ", " +
                Push(4, "alice@example.com", 3000, {3, 4}) + ", " +
                Push(5, "bob@example.com", 4000, {5}) + "}");
  EXPECT_EQ(Get("json-pushes", {}, "notanumber").body, "{}");
}

TEST_F(PushlogCommandsTest, UserAndChangesetFiltersAreOrs) {
  EXPECT_EQ(Get("json-pushes", {{"user", "bob@example.com"}}).body,
            "{" + Push(2, "bob@example.com", 2000, {2}) + ", " +
                Push(5, "bob@example.com", 4000, {5}) + "}");
  EXPECT_EQ(Get("json-pushes", {{"user", "alice@example.com"}, {"user", "nobody"}}).body,
            "{" + Push(1, "alice@example.com", 1000, {0, 1}) + ", " +
                Push(4, "alice@example.com", 3000, {3, 4}) + "}");
  EXPECT_EQ(Get("json-pushes", {{"changeset", n_[0]}, {"changeset", n_[5].substr(0, 8)}}).body,
            "{" + Push(1, "alice@example.com", 1000, {0, 1}) + ", " +
                Push(5, "bob@example.com", 4000, {5}) + "}");
}

TEST_F(PushlogCommandsTest, Version2AddsLastPushIdOnFourLines) {
  EXPECT_EQ(
      Get("json-pushes", {{"startID", "4"}, {"version", "2"}}).body,
      "{\n\"lastpushid\": 5,\n\"pushes\": {" + Push(5, "bob@example.com", 4000, {5}) + "}\n}");
  EXPECT_EQ(Get("json-pushes", {{"startID", "5"}, {"version", "2"}}).body,
            "{\n\"lastpushid\": 5,\n\"pushes\": {}\n}");
}

TEST_F(PushlogCommandsTest, ErrorsUseTheJsonErrorTemplateAndStatus) {
  RepoResponse v = Get("json-pushes", {{"version", "x"}});
  EXPECT_EQ(v.status, 500);
  EXPECT_EQ(v.body, "{\n\"error\": \"version parameter must be an integer\"\n}");
  RepoResponse v3 = Get("json-pushes", {{"version", "3"}});
  EXPECT_EQ(v3.status, 500);
  EXPECT_EQ(v3.body, "{\n\"error\": \"version parameter must be 1 or 2\"\n}");
  RepoResponse unknown = Get("json-pushes", {{"fromchange", "deadbeefdead"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "{\n\"error\": \"unknown revision 'deadbeefdead'\"\n}");
  RepoResponse branch = Get("json-pushes", {{"branch", "nope"}});
  EXPECT_EQ(branch.status, 404);
  EXPECT_EQ(branch.body, "{\n\"error\": \"unknown revision 'nope'\"\n}");
  // Fixed reference bugs: a bad date or id is a 400 that says what to send.
  RepoResponse date = Get("json-pushes", {{"startdate", "next blue moon"}});
  EXPECT_EQ(date.status, 400);
  EXPECT_NE(date.body.find("invalid date 'next blue moon'"), std::string::npos) << date.body;
  RepoResponse id = Get("json-pushes", {{"startID", "one"}});
  EXPECT_EQ(id.status, 400);
  EXPECT_NE(id.body.find("startID must be an integer"), std::string::npos) << id.body;
}

// What a client sent is echoed whole and as valid JSON: a NUL does not cut
// the message off, bytes that are not UTF-8 become U+FFFD (not lone
// surrogates a strict JSON parser rejects), a long value is shortened.
TEST_F(PushlogCommandsTest, ErrorsEchoClientValuesWholeAndAsValidJson) {
  RepoResponse nul = Get("json-pushes", {{"fromchange", std::string("ab\0cd", 5)}});
  EXPECT_EQ(nul.status, 404);
  EXPECT_EQ(nul.body, "{\n\"error\": \"unknown revision 'ab\\u0000cd'\"\n}");
  RepoResponse bytes = Get("json-pushes", {{"changeset", "\xff\xfe"}});
  EXPECT_EQ(bytes.status, 404);
  EXPECT_EQ(bytes.body, "{\n\"error\": \"unknown revision '\\ufffd\\ufffd'\"\n}");
  RepoResponse id = Get("json-pushes", {{"startID",
                                         "\xff"
                                         "1"}});
  EXPECT_EQ(id.status, 400);
  EXPECT_NE(id.body.find("(got '\\ufffd1')"), std::string::npos) << id.body;
  RepoResponse date = Get("json-pushes", {{"startdate", "\xc3"}});
  EXPECT_NE(date.body.find("invalid date '\\ufffd'"), std::string::npos) << date.body;
  RepoResponse long_one = Get("json-pushes", {{"fromchange", std::string(5000, 'a')}});
  EXPECT_LT(long_one.body.size(), 300u);
  for (const auto* r : {&nul, &bytes, &id, &date, &long_one}) {
    EXPECT_TRUE(nlohmann::json::accept(r->body)) << r->body;
  }
}

TEST_F(PushlogCommandsTest, TipsonlyKeepsTheHighestRevOfEachPush) {
  std::string body = Get("json-pushes", {{"startID", "0"}, {"tipsonly", "1"}}).body;
  EXPECT_EQ(body, "{" + Push(1, "alice@example.com", 1000, {1}) + ", " +
                      Push(2, "bob@example.com", 2000, {2}) + ", " +
                      Push(4, "alice@example.com", 3000, {4}) + ", " +
                      Push(5, "bob@example.com", 4000, {5}) + "}");
  // Only exactly "1" enables it.
  EXPECT_NE(Get("json-pushes", {{"startID", "3"}, {"tipsonly", "true"}}).body.find(n_[3]),
            std::string::npos);
}

TEST_F(PushlogCommandsTest, FullGivesChangesetObjectsWithSortedKeys) {
  std::string body = Get("json-pushes", {{"startID", "4"}, {"full", "0"}}).body;
  std::string expected = fmt::format(
      "{{\"5\": {{\"changesets\": [{{\"author\": \"debugbuilddag\", \"branch\": \"stable\", "
      "\"desc\": \"r5\", \"files\": [\"nf5\"], \"git_node\": null, \"git_parents\": [null], "
      "\"node\": \"{}\", \"parents\": [\"{}\"], \"tags\": [\"tip\"]}}], \"date\": 4000, "
      "\"git_changesets\": [null], \"user\": \"bob@example.com\"}}}}",
      n_[5], n_[4]);
  EXPECT_EQ(body, expected);
}

TEST_F(PushlogCommandsTest, BranchKeepsOnlyItsChangesetsAndDropsEmptiedPushes) {
  EXPECT_EQ(Get("json-pushes", {{"startID", "0"}, {"branch", "stable"}}).body,
            "{" + Push(4, "alice@example.com", 3000, {4}) + ", " +
                Push(5, "bob@example.com", 4000, {5}) + "}");
}

TEST_F(PushlogCommandsTest, HiddenChangesetsAreListedAsObsolete) {
  ASSERT_TRUE(
      PlainHg("-R " + root_ + " --config experimental.evolution=all debugobsolete " + n_[5]).ok());
  std::string body = Get("json-pushes", {{"startID", "4"}}).body;
  EXPECT_EQ(body, "{" + Push(5, "bob@example.com", 4000, {}).substr(0, 0) + "\"5\": " +
                      "{\"changesets\": [], \"date\": 4000, \"obsoletechangesets\": [\"" + n_[5] +
                      "\"], \"user\": \"bob@example.com\"}}");
  // Symbols may name the hidden changeset.
  EXPECT_EQ(Get("json-pushes", {{"changeset", n_[5]}}).status, 200);
}

TEST_F(PushlogCommandsTest, OnlyFullyReplicatedPushesAreShown) {
  WriteReplicatedData(root_, EncodeReplicatedData({n_[2]}, 2));
  EXPECT_EQ(Get("json-pushes", {{"startID", "0"}, {"version", "2"}}).body,
            "{\n\"lastpushid\": 2,\n\"pushes\": {" + Push(1, "alice@example.com", 1000, {0, 1}) +
                ", " + Push(2, "bob@example.com", 2000, {2}) + "}\n}");
  EXPECT_EQ(Get("json-pushes").body, "{" + Push(1, "alice@example.com", 1000, {0, 1}) + ", " +
                                         Push(2, "bob@example.com", 2000, {2}) + "}");
}

TEST_F(PushlogCommandsTest, ARepositoryWithoutPushlogAnswersEmptyAndGetsNoFile) {
  std::string bare = dir_ / "bare";
  ASSERT_TRUE(PlainHg("init " + bare).ok());
  ASSERT_TRUE(PlainHg("-R " + bare + " debugbuilddag '+2'").ok());
  EXPECT_EQ(Get("json-pushes", {}, "", bare).body, "{}");
  EXPECT_EQ(Get("json-pushes", {{"version", "2"}}, "", bare).body,
            "{\n\"lastpushid\": 0,\n\"pushes\": {}\n}");
  EXPECT_EQ(Get("pushlog", {}, "", bare).status, 200);
  EXPECT_EQ(Get("pushloghtml", {}, "", bare).status, 200);
  EXPECT_FALSE(fs::exists(bare + "/.hg/pushlog2.db"));
}

TEST_F(PushlogCommandsTest, AtomFeedHasOneEntryPerVisibleChangesetNewestFirst) {
  RepoResponse r = Get("pushlog", {{"startID", "3"}});
  EXPECT_EQ(r.content_type, "application/atom+xml");
  size_t p5 = r.body.find("<title>Changeset " + n_[5] + "</title>");
  size_t p4 = r.body.find("<title>Changeset " + n_[4] + "</title>");
  size_t p3 = r.body.find("<title>Changeset " + n_[3] + "</title>");
  ASSERT_NE(p5, std::string::npos) << r.body;
  EXPECT_LT(p5, p4);
  EXPECT_LT(p4, p3);
  EXPECT_NE(r.body.find("<title>repo Pushlog</title>"), std::string::npos);
  EXPECT_NE(r.body.find("<link rel=\"self\" href=\"http://hg.example.com/repo/pushlog\"/>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<updated>1970-01-01T01:06:40Z</updated>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<li class=\"file\">nf5</li>"), std::string::npos);
}

TEST_F(PushlogCommandsTest, PushlogHtmlDescribesTheQuery) {
  RepoResponse r = Get("pushloghtml", {{"startID", "1"}, {"user", "bob@example.com"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Changes pushed after push ID 1, by user bob@example.com"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("pushlogentry parity0  id5"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("pushlogentry parity1  id2"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace hgc
