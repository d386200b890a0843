// A mirror's hgweb pages behave as hg.mozilla.org's (issue: what Firefox
// tooling calls works on every mirror): diffs are git diffs, so `hg import
// --exact URL/raw-rev/X` recreates a changeset with a binary file and the
// same node; raw files carry their MIME type; archives download; logs show
// 20 changes a page; HEAD is answered like GET, without a body; the index
// shows each repository's description and contact.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cluster_fixture.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

TEST(HgwebSettingsE2E, GitDiffsMimeTypesArchivesAndTwentyChangesAPage) {
  ClusterOptions options;
  options.mirrors = 1;
  Cluster c(options);
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  for (int i = 0; i < 24; ++i) {
    WriteFileAtomic(client + "/a.txt", fmt::format("line {}\n", i));
    ASSERT_EQ(c.Hg(fmt::format("-R {} commit -qA -m 'change {}'", client, i)).exit_code, 0);
  }
  {
    std::ofstream png(client + "/logo.png", std::ios::binary);
    png << std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\x01\xff", 20);
  }
  ASSERT_EQ(c.Hg("-R " + client + " commit -qA -m 'binary logo'").exit_code, 0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  std::string tip = c.Hg("-R " + client + " log -r tip -T '{node}'").out;

  auto status = c.Status();
  std::string base = status["mirrors"][0]["http"].get<std::string>() + "repo/";
  httplib::Client web("127.0.0.1", status["mirrors"][0]["http_port"].get<int>());

  // A git diff of the binary file: `hg import --exact` gives the same node.
  std::string target = work / "target";
  std::string parent = c.Hg("-R " + client + " log -r 'tip~1' -T '{node}'").out;
  ASSERT_EQ(c.Hg(fmt::format("clone -q -r {} {} {}", parent, client, target)).exit_code, 0);
  auto imported = c.Hg(fmt::format("-R {} import --exact {}raw-rev/{}", target, base, tip));
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_EQ(c.Hg("-R " + target + " log -r tip -T '{node}'").out, tip);
  auto rawrev = web.Get(("/repo/raw-rev/" + tip).c_str());
  ASSERT_TRUE(rawrev);
  EXPECT_NE(rawrev->body.find("diff --git a/logo.png b/logo.png"), std::string::npos)
      << rawrev->body;
  EXPECT_NE(rawrev->body.find("GIT binary patch"), std::string::npos) << rawrev->body;

  auto raw = web.Get("/repo/raw-file/tip/logo.png");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 200);
  EXPECT_EQ(raw->get_header_value("Content-Type"), "image/png");

  auto zip = web.Get("/repo/archive/tip.zip");
  ASSERT_TRUE(zip);
  EXPECT_EQ(zip->status, 200) << zip->body.substr(0, 300);
  EXPECT_EQ(zip->body.substr(0, 2), "PK");

  auto log = web.Get("/repo/json-log");
  ASSERT_TRUE(log);
  ASSERT_EQ(log->status, 200) << log->body.substr(0, 300);
  EXPECT_EQ(nlohmann::json::parse(log->body)["changesets"].size(), 20u) << log->body.substr(0, 300);

  // Feeds link to the mirror's front, not to an hg worker's own port.
  auto atom = web.Get("/repo/atom-log");
  ASSERT_TRUE(atom);
  EXPECT_EQ(atom->status, 200);
  EXPECT_NE(atom->body.find("href=\"" + base + "rev/"), std::string::npos) << atom->body;
  EXPECT_EQ(atom->body.find("localhost:"), std::string::npos) << atom->body;

  // The index page's style sheet and images, at the root.
  auto css = web.Get("/static/style-paper.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css");
  auto logo = web.Get("/static/hglogo.png");
  ASSERT_TRUE(logo);
  EXPECT_EQ(logo->status, 200);
  EXPECT_EQ(web.Get("/static/../cluster.json")->status, 404);

  auto head = web.Head("/repo/rev/tip");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());

  // The index says what a repository is and whom to ask, from the
  // [web] settings `repo create` writes on the leader and replicates: the
  // description escaped, the contact through hgweb's obfuscate filter.
  auto created = Hgcluster({"repo", "create", "--root", c.root(), "described", "--description",
                            "Firefox <main> tree", "--contact", "Sheriffs <s@example.org>"});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  EXPECT_NE(created.out.find("recorded hgrc in replication log"), std::string::npos)
      << created.out;
  std::string contact;
  for (unsigned char ch : std::string("Sheriffs <s@example.org>")) {
    contact += fmt::format("&#{};", static_cast<int>(ch));
  }
  std::string index;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto page = web.Get("/");
        index = page ? page->body : "";
        return index.find("<td>Firefox &lt;main&gt; tree</td>") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << index;
  EXPECT_NE(index.find("<td>" + contact + "</td>"), std::string::npos) << index;
  auto refused = Hgcluster({"repo", "create", "--root", c.root(), "bad", "--description",
                            std::string("two\x01words")});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("--description must contain only printable characters"),
            std::string::npos)
      << refused.err;
  EXPECT_FALSE(std::filesystem::exists(c.LeaderRepo("bad")));
}

}  // namespace
}  // namespace hgc::test
