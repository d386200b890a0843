// Mirrors trust no path from the log. Anyone who can write to the log (a
// Kafka client on a cluster without ACLs) could otherwise make every mirror
// create a repository, write an .hg/hgrc with hooks, or delete a directory
// anywhere on the host. Here messages of every type name repositories
// outside the mirrors' repos roots — by '..', by an absolute path, by a
// symbolic link below the root, by a dot-prefixed segment — and carry a
// newline meant to forge a line of the consumer's log. Every mirror (and
// its heads consumer) must change nothing outside its root, park each
// message at once with an error that names the path, report it in `status`
// and `check_vcsreplicator_lag`, and keep replicating other repositories.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "cluster_fixture.h"
#include "consumer/consumer_state.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "log/log.h"
#include "routing/partition_map.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

// Every file and directory under `dir` with its contents ("" for dirs).
std::map<std::string, std::string> Tree(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string rel = fs::relative(e.path(), dir).string();
    if (e.is_regular_file()) {
      std::ifstream in(e.path(), std::ios::binary);
      out[rel] = std::string(std::istreambuf_iterator<char>(in), {});
    } else {
      out[rel] = "";
    }
  }
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(HostileLogE2E, PathsOutsideTheReposRootChangeNothingAndAreParkedWithAClearError) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("good");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+2'").exit_code, 0);
  ASSERT_EQ(c.Push(client, "good", "-r 0").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("good")) << c.Explain("good");
  std::string node = ChangelogIndex::Load(client).NodeHex(0);

  // What an attacker would like to create, overwrite or delete: a directory
  // beside the cluster, holding a repository of its own, and a link to it
  // from inside each mirror's repos root.
  fs::path outside = work / "outside";
  fs::create_directories(outside / "keep");
  ASSERT_EQ(c.Hg("init " + (outside / "victim").string()).exit_code, 0);
  WriteFileAtomic(outside / "keep" / "precious", "do not delete\n");
  for (int m : {1, 2}) {
    fs::create_directory_symlink(outside, fs::path(c.MirrorRepo(m, "")) / "link");
  }
  const auto before = Tree(outside);
  // From a mirror's root (root/mirrors/mirrorN/repos) up and over to `outside`.
  const std::string up = fs::relative(outside / "victim", fs::path(c.MirrorRepo(1, ""))).string();
  ASSERT_EQ(up.rfind("../", 0), 0u) << up;

  const std::vector<std::string> paths = {
      "{moz}/" + up,                          // '..' segments
      (outside / "victim").string(),          // absolute: matches no [path_rewrites] rule
      "{moz}/link/victim",                    // a symbolic link below the root
      "{moz}/link/keep",
      "{moz}/.hg",                            // dot-prefixed segment
      "{moz}/forged\nvcsreplicator.consumer FORGED LINE",
  };
  const std::string hooks = "[hooks]\\npretxnopen.pwn = touch " + (outside / "pwned").string() +
                            "\\n";
  std::vector<std::string> bodies, heads_bodies;
  for (const auto& p : paths) {
    nlohmann::json path = p;
    std::string q = path.dump();  // a JSON string, quotes included
    bodies.push_back(R"({"name": "hg-repo-init-2", "generaldelta": true, "path": )" + q + "}");
    bodies.push_back(R"({"name": "hg-hgrc-update-1", "content": ")" + hooks + R"(", "path": )" +
                     q + "}");
    bodies.push_back(R"({"name": "hg-changegroup-2", "heads": [")" + node +
                     R"("], "nodecount": 1, "source": "serve", "path": )" + q + "}");
    bodies.push_back(R"({"name": "hg-pushkey-1", "namespace": "bookmarks", "key": "b", "old": "", )"
                     R"("new": ")" + node + R"(", "ret": 1, "path": )" + q + "}");
    bodies.push_back(R"({"name": "hg-repo-sync-2", "heads": [], "hgrc": ")" + hooks +
                     R"(", "requirements": ["store"], "bootstrap": false, "reclone": true, )"
                     R"("path": )" + q + "}");
    heads_bodies.push_back(R"({"name": "hg-heads-1", "heads": [")" + node +
                     R"("], "last_push_id": 1, "path": )" + q + "}");
    bodies.push_back(R"({"name": "hg-repo-verify-1", "digest": {}, "path": )" + q + "}");
    bodies.push_back(R"({"name": "hg-repo-delete-1", "path": )" + q + "}");
  }
  auto log = OpenLog("sqlite://" + c.root() + "/log/log.db");
  std::set<std::pair<int, std::string>> hostile;  // (partition, path)
  for (size_t i = 0; i < bodies.size(); ++i) {
    const std::string& p = paths[i / 7];
    int partition = Md5Mod(p, 8);
    hostile.insert({partition, p});
    log->Append("pushdata", partition,
                "1\n{\"_created\": " + std::to_string(1.7e9 + i) + ", " + bodies[i].substr(1));
  }
  // The heads consumers read what the aggregator copies once every mirror
  // applied it — never a parked message — so a hostile writer writes there
  // directly.
  for (const auto& body : heads_bodies) {
    log->Append("replicatedpushdatapending", 0, "1\n{\"_created\": 1.7e9, " + body.substr(1));
  }

  // Other repositories keep replicating while the hostile ones are parked.
  ASSERT_EQ(c.Push(client, "good", "-r 1").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("good")) << c.Explain("good");

  auto parked_paths = [&](const std::string& file) {
    std::set<std::string> out;
    for (const auto& p : ReadConsumerState(file).state.parked) out.insert(p.repo);
    return out;
  };
  std::set<std::string> want;
  for (const auto& [partition, p] : hostile) want.insert(p);
  auto status = c.Status();
  for (int m : {1, 2}) {
    std::string dir = c.root() + "/mirrors/mirror" + std::to_string(m);
    std::string group = status["mirrors"][m - 1]["group"];
    std::string consumer = ConsumerStateFile(dir, group), heads = ConsumerStateFile(dir, group, true);
    ASSERT_TRUE(WaitFor([&] { return parked_paths(consumer) == want; }, std::chrono::seconds(60)))
        << "mirror" << m << " consumer parked: " << ReadAll(consumer);
    ASSERT_TRUE(WaitFor([&] { return parked_paths(heads) == want; }, std::chrono::seconds(60)))
        << "mirror" << m << " heads consumer parked: " << ReadAll(heads);
    for (const auto& p : ReadConsumerState(consumer).state.parked) {
      // Parked at the first attempt, never retried into a repair.
      EXPECT_EQ(p.attempts, 1) << p.repo;
      EXPECT_NE(p.error.find("Refused: refusing repository path"), std::string::npos) << p.error;
      EXPECT_NE(p.error.find("nothing was changed"), std::string::npos) << p.error;
      EXPECT_EQ(p.error.find('\n'), std::string::npos) << p.error;
    }
  }
  // Nothing outside the roots was created, written, moved or deleted.
  EXPECT_EQ(Tree(outside), before);
  EXPECT_FALSE(fs::exists(outside / "pwned"));
  for (int m : {1, 2}) {
    EXPECT_TRUE(fs::is_symlink(fs::path(c.MirrorRepo(m, "")) / "link"));
    EXPECT_FALSE(fs::exists(fs::path(c.MirrorRepo(m, "")) / ".hg"));
  }

  // The operator sees each refusal in status and in the Nagios check.
  auto now = c.Status();
  for (int m : {0, 1}) {
    std::set<std::string> shown;
    for (const auto& p : now["mirrors"][m]["parked"]) shown.insert(p["repo"].get<std::string>());
    EXPECT_EQ(shown, want) << now.dump(2);
  }
  auto check = Hgcluster({"check_vcsreplicator_lag", c.root() + "/mirrors/mirror1/consumer.ini"});
  EXPECT_EQ(check.exit_code, 2) << check.out << check.err;
  EXPECT_NE(check.out.find("refusing repository path '{moz}/link/victim'"), std::string::npos)
      << check.out;
  // Each CRITICAL line stays one line: the forged newline is escaped.
  EXPECT_NE(check.out.find("{moz}/forged\\nvcsreplicator.consumer FORGED LINE"), std::string::npos)
      << check.out;

  // The consumer's own log cannot be forged through a path either.
  std::string mirror_log = c.MirrorLog(1);
  EXPECT_EQ(mirror_log.find("\nvcsreplicator.consumer FORGED LINE"), std::string::npos);
  EXPECT_NE(mirror_log.find("forged\\nvcsreplicator.consumer FORGED LINE"), std::string::npos);
}

// A symbolic link below a mirror's repos root (put there by hand, or by an
// old bug) is not followed by the web front or listed by its hg workers.
TEST(HostileLogE2E, SymlinksBelowAMirrorsRootAreNotServedOrListed) {
  ClusterOptions options;
  options.mirrors = 1;
  Cluster c(options);
  ScratchDir work;
  c.CreateRepo("good");
  fs::path outside = work / "outside";
  ASSERT_EQ(c.Hg("init " + (outside / "victim").string()).exit_code, 0);
  fs::create_directory_symlink(outside, fs::path(c.MirrorRepo(1, "")) / "link");
  fs::create_directory_symlink(outside / "victim", fs::path(c.MirrorRepo(1, "")) / "direct");
  ASSERT_TRUE(c.WaitConverged("good")) << c.Explain("good");
  auto status = c.Status();
  httplib::Client web("127.0.0.1", status["mirrors"][0]["http_port"].get<int>());
  for (const char* path : {"/link/victim/json-pushes", "/direct/json-pushes", "/direct",
                           "/link/victim?cmd=capabilities", "/direct/raw-file/tip/x"}) {
    auto r = web.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path << ": " << r->body;
  }
  auto good = web.Get("/good/json-pushes");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200) << good->body;
  auto index = web.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("good"), std::string::npos) << index->body;
  EXPECT_EQ(index->body.find("victim"), std::string::npos) << index->body;
  EXPECT_EQ(index->body.find("direct"), std::string::npos) << index->body;
  auto clone = c.Hg("clone " + status["mirrors"][0]["http"].get<std::string>() + "direct " +
                    (work / "stolen"));
  EXPECT_NE(clone.exit_code, 0) << clone.out << clone.err;
}

}  // namespace
}  // namespace hgc::test
