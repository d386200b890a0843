#include "cluster_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "hg/repo_state.h"

namespace hgc::test {

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {
  root_ = options_.root.empty() ? dir_ / "cluster" : options_.root;
  std::vector<std::string> args{"up",        "--detach",
                                "--root",    root_,
                                "--mirrors", std::to_string(options_.mirrors),
                                "--workers", std::to_string(options_.workers)};
  args.insert(args.end(), options_.up_args.begin(), options_.up_args.end());
  if (options_.kafka) {
    kafka_ = std::make_unique<KafkaCluster>(options_.kafka_brokers);
    args.push_back("--log");
    args.push_back("kafka://" + kafka_->bootstrap());
  }
  auto r = Hgcluster(args, options_.env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

Cluster::~Cluster() {
  auto r = Hgcluster({"down", "--root", root_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

nlohmann::json Cluster::Status() {
  auto r = Hgcluster({"status", "--root", root_, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

std::string Cluster::LeaderRepo(const std::string& name) const {
  return root_ + "/leader/repos/" + name;
}
std::string Cluster::MirrorRepo(int mirror, const std::string& name) const {
  return root_ + "/mirrors/mirror" + std::to_string(mirror) + "/repos/" + name;
}
std::string Cluster::MirrorLog(int mirror) const {
  return ReadFileOrEmpty(root_ + "/mirrors/mirror" + std::to_string(mirror) + "/consumer.log");
}
std::string Cluster::PushUrl(const std::string& name) const {
  return "ssh://leader/" + LeaderRepo(name);
}
std::string Cluster::SshCommand() const { return HgclusterBin() + " local-ssh"; }

void Cluster::CreateRepo(const std::string& name) {
  auto r = Hgcluster({"repo", "create", "--root", root_, name});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

ProcessResult Cluster::Hg(const std::string& args) {
  return Sh("hg " + args,
            {{"HGRCPATH", ""}, {"HGUSER", "Test User <test@example.com>"}, {"HGPLAIN", "1"}});
}

ProcessResult Cluster::Push(const std::string& client, const std::string& name,
                            const std::string& extra) {
  return Hg("-R " + client + " push --ssh '" + SshCommand() + "' " + extra + " " + PushUrl(name));
}

ProcessResult Cluster::PushVia(const std::string& host, const std::string& client,
                              const std::string& name, const std::string& extra,
                              const std::map<std::string, std::string>& env) {
  std::string url = "ssh://" + host + "/" + LeaderRepo(name);
  std::map<std::string, std::string> e{{"HGRCPATH", ""}, {"HGUSER", "Test <test@example.com>"}};
  for (const auto& [k, v] : env) e[k] = v;
  return Sh("hg -R " + client + " push --ssh '" + SshCommand() + "' " + extra + " " + url, e);
}

bool Cluster::WaitConverged(const std::string& name, std::chrono::milliseconds timeout) {
  // Fingerprints cost an hg process each: recompute one only when inotify
  // saw its files change (and every repo once a second, in case a change
  // escaped the watched directories).
  std::vector<std::string> repos{LeaderRepo(name)};
  for (int m = 1; m <= options_.mirrors; ++m) repos.push_back(MirrorRepo(m, name));
  std::vector<std::string> prints(repos.size());
  std::vector<bool> stale(repos.size(), true);
  DirWatch watch;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    bool converged = true;
    for (size_t i = 0; i < repos.size(); ++i) {
      for (const auto& dir : RepoFingerprintDirs(repos[i])) watch.Add(dir, static_cast<int>(i));
      if (i > 0 && !std::filesystem::exists(repos[i] + "/.hg")) {
        converged = false;
        continue;
      }
      if (stale[i]) {
        stale[i] = false;
        prints[i] = RepoFingerprint(repos[i]);
      }
      if (prints[i] != prints[0]) converged = false;
    }
    if (converged) return true;
    auto now = std::chrono::steady_clock::now();
    if (now > deadline) return false;
    auto wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                         std::chrono::milliseconds(1000));
    auto changed = watch.Wait(wait);
    for (size_t i = 0; i < stale.size(); ++i) {
      if (changed.empty() || changed.count(static_cast<int>(i))) stale[i] = true;
    }
  }
}

std::string Cluster::Explain(const std::string& name) {
  std::string out = "leader:\n" + RepoFingerprint(LeaderRepo(name));
  for (int m = 1; m <= options_.mirrors; ++m) {
    out += "mirror" + std::to_string(m) + ":\n" + RepoFingerprint(MirrorRepo(m, name));
    std::string log = MirrorLog(m);
    if (log.size() > 4000) log = log.substr(log.size() - 4000);
    out += "consumer log tail:\n" + log;
  }
  return out;
}

}  // namespace hgc::test
