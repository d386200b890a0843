// hg.mozilla.org's web API on a real hg repository with a pushlog written
// through PushlogDb: automation relevance (push members up to the revision,
// bugs, reviewers, backouts by short node and by git revert, backedoutby,
// git and landing metadata, Try's draft ancestors), changed files,
// isancestor, repoinfo, the reference's error bodies, and that a mirror
// names nothing it does not serve yet.
#include "pushlog/hgmo_commands.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "hg/replicated_data.h"
#include "hg/revlog_index.h"
#include "pushlog/pushlog_db.h"
#include "test_support.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;
using test::Sh;

constexpr const char* kGit = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";

class HgmoCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "repo";
    // An extension of the test's own that commits [testextra] items as
    // changeset extras (hg has no command-line option for them).
    ext_ = dir_ / "testextra.py";
    std::ofstream(ext_) << "def reposetup(ui, repo):\n"
                           "    class extrarepo(repo.__class__):\n"
                           "        def commitctx(self, ctx, *args, **kwargs):\n"
                           "            for k, v in self.ui.configitems(b'testextra'):\n"
                           "                ctx.extra()[k] = v\n"
                           "            return super().commitctx(ctx, *args, **kwargs)\n"
                           "    repo.__class__ = extrarepo\n";
    ASSERT_TRUE(Hg("init " + root_).ok());
    Commit("a", "initial");                                                  // 0, push 1
    Commit("a", "Bug 1234567 - Change a r=alice,bob");                      // 1, push 2
    Commit("b", "Bug 1234568 - Add b; r?carol",
           {{"git_commit", kGit}, {"moz-landing-system", "lando"}});       // 2, push 2
    ChangelogIndex index = ChangelogIndex::Load(root_);
    Commit("b", "Backed out changeset " + index.NodeHex(2).substr(0, 12) +
                    " (bug 1234568) for bustage");                          // 3, push 3
    Commit("c", std::string("Revert \"Bug 1234568 - Add b\"\n\nThis reverts commit ") + kGit +
                    ".");                                                    // 4, push 4
    index = ChangelogIndex::Load(root_);
    for (int r = 0; r <= index.tip_rev(); ++r) n_.push_back(index.NodeHex(r));
    auto db = PushlogDb::OpenForWrite(root_);
    db->RecordPush("pusher@example.com", 1000, {0}, {n_[0]});
    db->RecordPush("lando@example.com", 2000, {1, 2}, {n_[1], n_[2]});
    db->RecordPush("sheriff@example.com", 3000, {3}, {n_[3]});
    db->RecordPush("sheriff@example.com", 4000, {4}, {n_[4]});
    RegisterHgmoCommands(commands_);
  }

  ProcessResult Hg(const std::string& args) {
    return Sh("hg " + args, {{"HGRCPATH", ""}, {"HGUSER", "Pat <pat@example.com>"}, {"HGPLAIN", "1"}});
  }

  void Commit(const std::string& file, const std::string& message,
              const std::vector<std::pair<std::string, std::string>>& extras = {}) {
    std::ofstream(root_ + "/" + file, std::ios::app) << message << "\n";
    std::ofstream(dir_ / "msg", std::ios::trunc) << message;
    std::string config;
    for (const auto& [k, v] : extras) config += " --config testextra." + k + "=" + v;
    auto r = Hg("-R " + root_ + " --config extensions.testextra=" + ext_ + config +
                " commit -A -d '1500 -3600' -l " + (dir_ / "msg"));
    ASSERT_TRUE(r.ok()) << r.err;
  }

  RepoResponse Get(const std::string& command, const std::string& arg = "",
                   std::vector<std::pair<std::string, std::string>> query = {}) {
    RepoRequest req;
    req.repo_name = "repo";
    req.repo_root = root_;
    req.command = command;
    req.path_arg = arg;
    req.query = std::move(query);
    req.base_url = "http://hg.example.com/";
    RepoResponse res;
    const RepoCommandHandler* h = commands_.Find(command);
    EXPECT_NE(h, nullptr) << command;
    (*h)(req, res);
    EXPECT_EQ(res.content_type, "application/json");
    return res;
  }

  nlohmann::json Json(const RepoResponse& r) { return nlohmann::json::parse(r.body); }

  std::vector<std::string> Nodes(const nlohmann::json& body) {
    std::vector<std::string> nodes;
    for (const auto& c : body["changesets"]) nodes.push_back(c["node"]);
    return nodes;
  }

  ScratchDir dir_;
  std::string root_;
  std::string ext_;
  std::vector<std::string> n_;
  RepoCommands commands_;
};

TEST_F(HgmoCommandsTest, AChangesetAloneInItsPushInTheReferenceBytes) {
  RepoResponse r = Get("json-automationrelevance", n_[0]);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, fmt::format("{{\n\"changesets\": [{{\"author\": \"Pat \\u003cpat@example.com\\u003e\", "
                                "\"backsoutnodes\": [], \"bugs\": [], \"date\": [1500.0, -3600], "
                                "\"desc\": \"initial\", \"extra\": {{\"branch\": \"default\"}}, "
                                "\"files\": [\"a\"], \"node\": \"{0}\", \"parents\": [], "
                                "\"phase\": \"draft\", \"pushdate\": [1000, 0], \"pushhead\": "
                                "\"{0}\", \"pushid\": 1, \"pushuser\": \"pusher@example.com\", "
                                "\"rev\": 0, \"reviewers\": []}}],\n\"visible\": true\n}}",
                                n_[0]));
}

TEST_F(HgmoCommandsTest, ThePushUpToTheRevisionWithBugsReviewersAndGitData) {
  nlohmann::json tip = Json(Get("json-automationrelevance", n_[2]));
  EXPECT_EQ(Nodes(tip), (std::vector<std::string>{n_[1], n_[2]}));
  const auto& first = tip["changesets"][0];
  EXPECT_EQ(first["bugs"], nlohmann::json::parse(
                               R"([{"no": "1234567", "url": "https://bugzilla.mozilla.org/show_bug.cgi?id=1234567"}])"));
  EXPECT_EQ(first["reviewers"],
            nlohmann::json::parse(R"j([{"name": "alice", "revset": "reviewer(alice)"},)j"
                                  R"j( {"name": "bob", "revset": "reviewer(bob)"}])j"));
  EXPECT_EQ(first["pushid"], 2);
  EXPECT_EQ(first["pushuser"], "lando@example.com");
  EXPECT_EQ(first["pushhead"], n_[2]);
  EXPECT_EQ(first["parents"], nlohmann::json::array({n_[0]}));
  EXPECT_FALSE(first.contains("git_commit"));
  const auto& second = tip["changesets"][1];
  EXPECT_EQ(second["git_commit"], kGit);
  EXPECT_EQ(second["git_repo_url"], "https://github.com/mozilla-firefox/firefox");
  EXPECT_EQ(second["landingsystem"], "lando");
  EXPECT_EQ(second["extra"]["moz-landing-system"], "lando");
  EXPECT_EQ(second["reviewers"][0]["name"], "carol");
  EXPECT_FALSE(second.contains("backedoutby"));  // only with backouts=1
  EXPECT_EQ(tip["visible"], true);
  // The bottom of a push is alone; ?node= works as the path does.
  EXPECT_EQ(Nodes(Json(Get("json-automationrelevance", "", {{"node", n_[1].substr(0, 12)}}))),
            (std::vector<std::string>{n_[1]}));
  EXPECT_EQ(Json(Get("json-pushchangedfiles", n_[2])),
            nlohmann::json::parse(R"({"files": ["a", "b"]})"));
}

TEST_F(HgmoCommandsTest, BackoutsAreFoundBothWays) {
  nlohmann::json backout = Json(Get("json-automationrelevance", n_[3]));
  EXPECT_EQ(backout["changesets"][0]["backsoutnodes"],
            nlohmann::json::parse(fmt::format(R"([{{"node": "{}"}}])", n_[2])));
  EXPECT_EQ(backout["changesets"][0]["bugs"][0]["no"], "1234568");
  nlohmann::json revert = Json(Get("json-automationrelevance", n_[4]));
  EXPECT_EQ(revert["changesets"][0]["backsoutnodes"],
            nlohmann::json::parse(fmt::format(R"([{{"node": "{}"}}])", n_[2])));
  nlohmann::json with = Json(Get("json-automationrelevance", n_[2], {{"backouts", "1"}}));
  EXPECT_EQ(with["changesets"][1]["backedoutby"], n_[3]);
  EXPECT_FALSE(with["changesets"][0].contains("backedoutby"));
}

TEST_F(HgmoCommandsTest, ErrorsAreTheReferenceTemplates) {
  RepoResponse missing = Get("json-automationrelevance");
  EXPECT_EQ(missing.status, 200);
  EXPECT_EQ(missing.body, "{\n\"error\": \"missing parameter 'node'\"\n}");
  RepoResponse unknown = Get("json-automationrelevance", "deadbeef0000");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "{\n\"error\": \"unknown revision 'deadbeef0000'\"\n}");
  EXPECT_EQ(Get("json-isancestor", "", {{"node", "0"}}).body,
            "{\n\"error\": \"missing parameter 'head'\"\n}");
  RepoResponse head = Get("json-isancestor", "", {{"head", "nope"}, {"node", "0"}});
  EXPECT_EQ(head.status, 404);
  EXPECT_EQ(head.body, "{\n\"error\": \"unknown head revision nope\"\n}");
}

TEST_F(HgmoCommandsTest, IsAncestorCountsItselfAndLooksDownOnly) {
  EXPECT_EQ(Get("json-isancestor", "", {{"head", n_[3]}, {"node", n_[1]}}).body,
            fmt::format("{{\n\"headnode\": \"{}\",\n\"testnode\": \"{}\",\n"
                        "\"isancestor\": true\n}}",
                        n_[3], n_[1]));
  EXPECT_EQ(Json(Get("json-isancestor", "", {{"head", "1"}, {"node", "3"}}))["isancestor"], false);
  EXPECT_EQ(Json(Get("json-isancestor", "", {{"head", "2"}, {"node", "2"}}))["isancestor"], true);
}

TEST_F(HgmoCommandsTest, SecretChangesetsAreInvisibleAsInHgwebsServedView) {
  ASSERT_TRUE(Hg("-R " + root_ + " phase --secret --force -r 4").ok());
  EXPECT_EQ(Get("json-isancestor", "", {{"head", "tip"}, {"node", "0"}}).body,
            fmt::format("{{\n\"headnode\": \"{}\",\n\"testnode\": \"{}\",\n\"isancestor\": true\n}}",
                        n_[3], n_[0]));
  EXPECT_EQ(Get("json-isancestor", "", {{"head", "3"}, {"node", n_[4]}}).status, 404);
  // Automation may still ask about it (the reference asks the unfiltered
  // repository) and learns that it is not visible.
  nlohmann::json body = Json(Get("json-automationrelevance", n_[4]));
  EXPECT_EQ(Nodes(body), (std::vector<std::string>{n_[4]}));
  EXPECT_EQ(body["visible"], false);
}

TEST_F(HgmoCommandsTest, AMirrorNamesOnlyWhatItServes) {
  // Every mirror has applied pushes 1 and 2 only.
  {
    std::ofstream out(root_ + "/.hg/replicated-data", std::ios::binary);
    out << EncodeReplicatedData({n_[2]}, 2);
  }
  EXPECT_EQ(Get("json-automationrelevance", n_[3]).status, 404);
  EXPECT_EQ(Get("json-pushchangedfiles", "4").status, 404);
  EXPECT_EQ(Nodes(Json(Get("json-automationrelevance", "tip"))),
            (std::vector<std::string>{n_[1], n_[2]}));
  // backedoutby does not look at what is not served.
  EXPECT_FALSE(Json(Get("json-automationrelevance", n_[2], {{"backouts", "1"}}))["changesets"][1]
                   .contains("backedoutby"));
  EXPECT_EQ(Get("json-isancestor", "", {{"head", n_[4]}, {"node", "0"}}).status, 404);
}

TEST_F(HgmoCommandsTest, RepositorySettingsFromItsHgrc) {
  ASSERT_TRUE(Hg("-R " + root_ + " phase --public -r 1").ok());
  {
    std::ofstream hgrc(root_ + "/.hg/hgrc");
    hgrc << "[mozilla]\ntreeherder_repo = try\ngit_repo_url = https://git.example.com/ff\n"
            "[hgmo]\nautomationrelevantdraftancestors = true\n";
  }
  std::ofstream(root_ + "/.hg/moz-owner") << "scm_level_1\n";
  // Try: the revision's non-public ancestors and the non-public members of
  // its push; 1 is public now, so it drops out although it is in the push.
  nlohmann::json body = Json(Get("json-automationrelevance", n_[4]));
  EXPECT_EQ(Nodes(body), (std::vector<std::string>{n_[2], n_[3], n_[4]}));
  EXPECT_EQ(body["changesets"][0]["treeherderrepo"], "try");
  EXPECT_EQ(body["changesets"][0]["treeherderrepourl"], "https://treeherder.mozilla.org/jobs?repo=try");
  EXPECT_EQ(body["changesets"][0]["git_repo_url"], "https://git.example.com/ff");
  EXPECT_EQ(Get("json-repoinfo").body, "{\n\"group_owner\": \"scm_level_1\"\n}");
}

}  // namespace
}  // namespace hgc
