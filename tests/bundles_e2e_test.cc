// Clone bundles on a real cluster: `hgcluster bundles generate` on the
// leader, the manifest replicated to every mirror by replicatesync, bundle
// files served by the mirrors' web fronts, stock `hg clone` applying them,
// the runbook's "drop the stream entries" and "restore .old", and
// check_hg_bundle_generate_age. Each mirror advertises its own bundle URLs:
// a clone from mirror 2 works while mirror 1 is stopped.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "cluster_fixture.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string Manifest(const std::string& repo) {
  return ReadFileOrEmpty(repo + "/.hg/clonebundles.manifest");
}

bool MirrorsHaveManifest(Cluster& c, const std::string& name, const std::string& want) {
  return WaitFor([&] {
    for (int m = 1; m <= 2; ++m) {
      if (Manifest(c.MirrorRepo(m, name)) != want) return false;
    }
    return true;
  });
}

std::string Heads(Cluster& c, const std::string& repo) {
  return c.Hg("-R " + repo + " heads -T '{node}\\n'").out;
}

// Both mirrors' web fronts serve the leader's tip (the replicatedserved view
// shows a push only once every mirror has it).
bool MirrorsServeTip(Cluster& c, const std::string& name) {
  std::string tip = c.Hg("-R " + c.LeaderRepo(name) + " log -r tip -T '{node}'").out;
  return WaitFor([&] {
    for (int m = 0; m < 2; ++m) {
      std::string url = c.Status()["mirrors"][m]["http"].get<std::string>() + name;
      if (c.Hg("id -r " + tip + " " + url).exit_code != 0) return false;
    }
    return true;
  });
}

// A client repo with `n` more commits, pushed to the leader.
void PushCommits(Cluster& c, const std::string& client, int n, int start) {
  for (int i = start; i < start + n; ++i) {
    WriteFileAtomic(client + "/f" + std::to_string(i % 5), "line " + std::to_string(i) + "\n");
    ASSERT_TRUE(c.Hg("-R " + client + " commit -qAm 'c" + std::to_string(i) + "'").ok());
  }
  auto p = c.Push(client, "repo");
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
}

TEST(CloneBundlesE2eTest, GenerateReplicateCloneRunbookAndCheck) {
  Cluster c;
  ScratchDir dir;
  c.CreateRepo("repo");
  ASSERT_TRUE(c.Hg("init " + dir / "client").ok());
  PushCommits(c, dir / "client", 12, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  ASSERT_TRUE(MirrorsServeTip(c, "repo"));
  nlohmann::json status = c.Status();
  std::string m1 = status["mirrors"][0]["http"], m2 = status["mirrors"][1]["http"];
  std::string tip = c.Hg("-R " + c.LeaderRepo("repo") + " log -r tip -T '{node}'").out;

  // Before any generation the check is CRITICAL (no lastrun).
  auto age = Hgcluster({"check-bundle-age", "--root", c.root()});
  EXPECT_EQ(age.exit_code, 2) << age.out << age.err;
  EXPECT_EQ(age.out.rfind("CRITICAL - no bundle generation recorded: " + c.root() +
                              "/bundles/lastrun does not exist\n",
                          0),
            0u)
      << age.out;

  auto gen = Hgcluster({"bundles", "generate", "--root", c.root(), "--no-upload", "repo"});
  ASSERT_EQ(gen.exit_code, 0) << gen.out << gen.err;
  EXPECT_NE(gen.out.find("tip of repo is " + tip), std::string::npos) << gen.out;
  for (const char* type : {"zstd", "gzip-v2", "stream-v2"}) {
    EXPECT_NE(
        gen.out.find("bundle generated: " + c.root() + "/bundles/repo/" + tip + "." + type + ".hg"),
        std::string::npos)
        << gen.out;
  }
  EXPECT_NE(gen.out.find("wrote synchronization message into replication log"), std::string::npos);
  std::string manifest = Manifest(c.LeaderRepo("repo"));
  std::string base = m1 + "bundles/repo/" + tip;
  std::vector<std::string> lines;
  std::istringstream in(manifest);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 3u) << manifest;
  EXPECT_EQ(lines[0], base + ".zstd.hg BUNDLESPEC=zstd-v2 cdn=true");
  EXPECT_EQ(lines[1], base + ".gzip-v2.hg BUNDLESPEC=gzip-v2 cdn=true");
  EXPECT_EQ(lines[2].rfind(base + ".stream-v2.hg BUNDLESPEC=none-v2;stream=v2;requirements%3D", 0),
            0u);
  EXPECT_NE(manifest.back(), '\n');
  EXPECT_FALSE(fs::exists(c.LeaderRepo("repo") + "/.hg/clonebundles.manifest.old"));
  EXPECT_TRUE(fs::exists(c.root() + "/bundles/lastrun"));
  auto json = nlohmann::json::parse(ReadFileOrEmpty(c.root() + "/bundles/bundles.json"));
  EXPECT_EQ(json["repo"]["gzip-v2"]["path"], "repo/" + tip + ".gzip-v2.hg");
  EXPECT_EQ(json["repo"]["zstd"]["size"],
            fs::file_size(c.root() + "/bundles/repo/" + tip + ".zstd.hg"));
  ASSERT_TRUE(MirrorsHaveManifest(c, "repo", manifest)) << c.MirrorLog(1);

  // The web front serves the bundle directory from disk.
  httplib::Client web("127.0.0.1", status["mirrors"][1]["http_port"].get<int>());
  auto index = web.Get("/bundles/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("Mercurial Bundles"), std::string::npos);
  auto missing = web.Get("/bundles/repo/nope.hg");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(web.Get("/bundles/../cluster.json")->status, 404);

  // A stock clone from mirror 2 applies the zstd bundle, then finds nothing
  // more. Mirror 2 advertises its own bundle URLs (the manifest names
  // mirror 1's), so the clone works with mirror 1 stopped.
  int m1_pid = status["mirrors"][0]["http_pid"].get<int>();
  ASSERT_GT(m1_pid, 0);
  ASSERT_EQ(kill(m1_pid, SIGSTOP), 0);
  // (http.timeout: a clone that did go to mirror 1 fails instead of hanging.)
  auto clone = c.Hg("clone --config http.timeout=20 " + m2 + "repo " + dir / "clone1");
  kill(m1_pid, SIGCONT);
  ASSERT_EQ(clone.exit_code, 0) << clone.out << clone.err;
  const std::string base2 = m2 + "bundles/repo/" + tip;
  EXPECT_NE(clone.out.find("applying clone bundle from " + base2 + ".zstd.hg"), std::string::npos)
      << clone.out;
  EXPECT_NE(clone.out.find("finished applying clone bundle"), std::string::npos);
  EXPECT_EQ(Heads(c, dir / "clone1"), Heads(c, c.LeaderRepo("repo")));

  // A client preferring uncompressed bundles takes the stream bundle.
  auto stream = c.Hg("clone --config ui.clonebundleprefers=COMPRESSION=none " + m1 + "repo " +
                     dir / "clone2");
  ASSERT_EQ(stream.exit_code, 0) << stream.out << stream.err;
  EXPECT_NE(stream.out.find("applying clone bundle from " + base + ".stream-v2.hg"),
            std::string::npos)
      << stream.out;
  EXPECT_NE(stream.out.find("files to transfer"), std::string::npos) << stream.out;
  EXPECT_EQ(Heads(c, dir / "clone2"), Heads(c, c.LeaderRepo("repo")));

  // More pushes, a second generation: the first manifest becomes .old.
  PushCommits(c, dir / "client", 3, 12);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  ASSERT_TRUE(MirrorsServeTip(c, "repo"));
  gen = Hgcluster({"bundles", "generate", "--root", c.root(), "--no-upload", "repo"});
  ASSERT_EQ(gen.exit_code, 0) << gen.out << gen.err;
  EXPECT_EQ(ReadFileOrEmpty(c.LeaderRepo("repo") + "/.hg/clonebundles.manifest.old"), manifest);
  std::string second = Manifest(c.LeaderRepo("repo"));
  ASSERT_NE(second, manifest);
  ASSERT_TRUE(MirrorsHaveManifest(c, "repo", second));

  // Runbook: stream bundles misbehave; drop their entries and replicatesync.
  std::string no_stream;
  std::istringstream in2(second);
  for (std::string l; std::getline(in2, l);) {
    if (l.find("stream=v2") == std::string::npos) no_stream += (no_stream.empty() ? "" : "\n") + l;
  }
  WriteFileAtomic(c.LeaderRepo("repo") + "/.hg/clonebundles.manifest", no_stream);
  auto sync = Sh("command hg -R " + c.LeaderRepo("repo") + " replicatesync", {{"HGRCPATH", ""}});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ASSERT_TRUE(MirrorsHaveManifest(c, "repo", no_stream));
  auto nostream = c.Hg("clone --config ui.clonebundleprefers=COMPRESSION=none " + m2 + "repo " +
                       dir / "clone3");
  ASSERT_EQ(nostream.exit_code, 0) << nostream.out << nostream.err;
  EXPECT_EQ(nostream.out.find("stream-v2.hg"), std::string::npos) << nostream.out;
  EXPECT_NE(nostream.out.find("applying clone bundle from"), std::string::npos) << nostream.out;

  // Runbook: restore the backup and replicate, in one command.
  auto restore = Hgcluster({"bundles", "restore-old", "--root", c.root(), "repo"});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  EXPECT_NE(restore.out.find("restored " + c.LeaderRepo("repo") + "/.hg/clonebundles.manifest"),
            std::string::npos)
      << restore.out;
  EXPECT_EQ(Manifest(c.LeaderRepo("repo")), manifest);
  ASSERT_TRUE(MirrorsHaveManifest(c, "repo", manifest));
  // The restored manifest's files are still served (kept for one generation).
  auto old_clone = c.Hg("clone " + m1 + "repo " + dir / "clone4");
  ASSERT_EQ(old_clone.exit_code, 0) << old_clone.out << old_clone.err;
  EXPECT_NE(old_clone.out.find("applying clone bundle from " + base + ".zstd.hg"),
            std::string::npos)
      << old_clone.out;
  EXPECT_EQ(Heads(c, dir / "clone4"), Heads(c, c.LeaderRepo("repo")))
      << old_clone.out << old_clone.err;

  // The age check, under its own name and under the reference's.
  age = Hgcluster({"check-bundle-age", "--root", c.root()});
  EXPECT_EQ(age.exit_code, 0) << age.out << age.err;
  EXPECT_TRUE(std::regex_search(
      age.out, std::regex("^OK - clone bundles last generated [0-9]+s ago \\([0-9T:.-]+Z\\)\n")))
      << age.out;
  std::string alias = fs::path(HgclusterBin()).parent_path() / "check_hg_bundle_generate_age";
  auto aliased = Sh(alias + " --root " + c.root() + " --warning 0");
  EXPECT_EQ(aliased.exit_code, 1) << aliased.out << aliased.err;
  EXPECT_EQ(aliased.out.rfind("WARNING - clone bundles last generated ", 0), 0u) << aliased.out;
}

}  // namespace
}  // namespace hgc::test
