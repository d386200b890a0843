#include "cluster/repo_lifecycle.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "common/subprocess.h"
#include "common/utc_stamp.h"
#include "hg/hg_runner.h"
#include "hg/revlog_index.h"
#include "layout/cluster_layout.h"
#include "leader/producer.h"
#include "leader/replicate.h"
#include "log/log.h"
#include "master/act_as_master.h"
#include "message/message.h"
#include "pushlog/pushlog_db.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

struct Target {
  ClusterLayout layout;
  ClusterState state;
  std::string path;  // leader repository
};

Target Resolve(const std::string& root, const std::string& name) {
  Target t{ClusterLayoutAsMaster(root), {}, ""};
  t.state = t.layout.LoadState();
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) {
    throw Error(ErrorKind::kUsage, fmt::format("invalid repository name '{}'", name));
  }
  t.path = t.layout.leader_repos() + "/" + name;
  if (!fs::exists(t.path + "/.hg")) {
    throw Error(ErrorKind::kNotFound,
                fmt::format("no repository {} on the leader ({})", name, t.path));
  }
  return t;
}

// Waits until every mirror's consumer group has committed past `offset` of
// `partition` (it applied the event), printing each mirror as it does.
void WaitForMirrors(const Target& t, int partition, int64_t offset, const std::string& what) {
  auto log = OpenLog(t.state.log.url, "hgcluster-repo");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  for (const auto& m : t.state.mirrors) {
    while (true) {
      auto committed = log->Committed(m.group, "pushdata", {partition});
      auto it = committed.find(partition);
      if (it != committed.end() && it->second > offset) break;
      if (std::chrono::steady_clock::now() > deadline) {
        throw Error(ErrorKind::kLogUnavailable,
                    fmt::format("mirror {} has not applied the event after 10 minutes; see "
                                "`hgcluster status` (is its consumer running or parked?)",
                                m.name));
      }
      log->WaitForChange(std::chrono::milliseconds(200));
    }
    std::cout << fmt::format("  {}: {}", m.name, what) << std::endl;
  }
}

template <typename F>
int Guard(const char* command, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    std::cerr << "hgcluster repo " << command << ": " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace

int RepoDelete(const std::string& root, const std::string& name) {
  return Guard("delete", [&] {
    Target t = Resolve(root, name);
    Producer producer(ProducerConfig::Load(t.layout.leader_hgrc()));
    std::string wire = producer.WirePath(t.path);
    int partition = producer.PartitionFor(wire);
    int64_t offset = producer.Send(MakeRepoDelete(wire, WallNow()), partition);
    std::cout << "wrote delete message for " << name << " into the replication log" << std::endl;
    fs::path staging = t.path + ".todelete";
    fs::remove_all(staging);
    fs::rename(t.path, staging);
    fs::remove_all(staging);
    std::cout << "deleted " << t.path << " on the leader" << std::endl;
    WaitForMirrors(t, partition, offset, "deleted");
    return 0;
  });
}

int RepoRetire(const std::string& root, const std::string& name) {
  return Guard("retire", [&] {
    Target t = Resolve(root, name);
    Producer producer(ProducerConfig::Load(t.layout.leader_hgrc()));
    std::string wire = producer.WirePath(t.path);
    int partition = producer.PartitionFor(wire);
    std::string retired = t.layout.leader_dir() + "/retired/" + name + "." + UtcStamp();
    fs::create_directories(fs::path(retired).parent_path());
    fs::rename(t.path, retired);
    std::cout << "moved " << t.path << " to " << retired << std::endl;
    int64_t offset = producer.Send(MakeRepoDelete(wire, WallNow()), partition);
    std::cout << "wrote delete message for " << name << " into the replication log" << std::endl;
    WaitForMirrors(t, partition, offset, "deleted");
    std::cout << "retired " << name << "; restore it with: mv " << retired << " " << t.path
              << " && hg -R " << t.path << " replicatesync" << std::endl;
    return 0;
  });
}

int RepoReclone(const std::string& root, const std::vector<std::string>& names) {
  return Guard("reclone", [&] {
    for (const auto& name : names) {
      Target t = Resolve(root, name);
      Producer producer(ProducerConfig::Load(t.layout.leader_hgrc()));
      std::string wire = producer.WirePath(t.path);
      int partition = producer.PartitionFor(wire);
      nlohmann::json sync = MakeSyncOf(t.path, wire, false);
      sync["reclone"] = true;
      int64_t offset = producer.Send(sync, partition);
      std::cout << "wrote reclone request for " << name << " into the replication log" << std::endl;
      WaitForMirrors(t, partition, offset, "recloned " + name);
    }
    return 0;
  });
}

int RepoStrip(const std::string& root, const std::string& name,
              const std::vector<std::string>& revs) {
  return Guard("strip", [&] {
    Target t = Resolve(root, name);
    auto hg = PlainHg(LeaderHgrcPath(t.layout));
    std::string revset;
    for (const auto& r : revs) revset += (revset.empty() ? "(" : " or (") + r + ")::";
    ProcessResult doomed = hg->Run(t.path, {"log", "-r", revset, "--hidden", "-T", "{node}\n"});
    if (!doomed.ok()) {
      throw Error(ErrorKind::kHgFailed, "cannot resolve the revisions to strip: " + doomed.err);
    }
    std::vector<std::string> nodes;
    std::istringstream in(doomed.out);
    for (std::string line; std::getline(in, line);) {
      if (line.size() == 40) nodes.push_back(line);
    }
    if (nodes.empty()) throw Error(ErrorKind::kNotFound, "no changesets match " + revset);
    std::cout << "stripping " << nodes.size() << " changesets from " << name << " on the leader"
              << std::endl;
    std::vector<std::string> strip{"--config", "extensions.strip=", "strip", "--hidden"};
    for (const auto& n : nodes) strip.push_back("-r" + n);
    ProcessResult stripped = hg->Run(t.path, strip);
    std::cout << stripped.out;
    if (!stripped.ok()) throw Error(ErrorKind::kHgFailed, "hg strip failed: " + stripped.err);
    // The pushlog follows the changelog (spec §1.3).
    if (auto db = PushlogDb::OpenForWrite(t.path)) {
      std::vector<std::string> renumbered;
      auto deleted = db->RepairAfterStrip(ChangelogIndex::Load(t.path), &renumbered);
      for (const auto& n : deleted)
        std::cout << "changeset will be deleted from pushlog: " << n << "\n";
      for (const auto& n : renumbered)
        std::cout << "changeset rev will be updated in pushlog: " << n << "\n";
    }
    Producer producer(ProducerConfig::Load(t.layout.leader_hgrc()));
    std::string wire = producer.WirePath(t.path);
    int partition = producer.PartitionFor(wire);
    nlohmann::json sync = MakeSyncOf(t.path, wire, false);
    sync["strip"] = nodes;
    int64_t offset = producer.Send(sync, partition);
    producer.Send(
        MakeHeads(wire, sync["heads"].get<std::vector<std::string>>(),
                  PushlogDb::OpenReadOnly(t.path)
                      ? std::optional<int64_t>(PushlogDb::OpenReadOnly(t.path)->LastPushId())
                      : std::optional<int64_t>(0),
                  WallNow()),
        partition);
    std::cout << "wrote strip of " << nodes.size() << " changesets into the replication log"
              << std::endl;
    WaitForMirrors(t, partition, offset, "stripped");
    return 0;
  });
}

void RegisterRepoLifecycleCommands(CLI::App& repo) {
  auto root = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto names = std::make_shared<std::vector<std::string>>();
  auto revs = std::make_shared<std::vector<std::string>>();

  auto* del = repo.add_subcommand("delete", "delete a repository on the leader and every mirror");
  del->add_option("--root", *root, "cluster directory");
  del->add_option("name", *name, "repository name")->required();
  del->callback([=] { throw CLI::RuntimeError(RepoDelete(*root, *name)); });

  auto* retire = repo.add_subcommand(
      "retire", "move a repository out of the served area on the leader, delete it on mirrors");
  retire->add_option("--root", *root, "cluster directory");
  retire->add_option("name", *name, "repository name")->required();
  retire->callback([=] { throw CLI::RuntimeError(RepoRetire(*root, *name)); });

  auto* reclone = repo.add_subcommand(
      "reclone", "every mirror swaps in a fresh clone of the repositories, with no downtime");
  reclone->add_option("--root", *root, "cluster directory");
  reclone->add_option("names", *names, "repository names")->required();
  reclone->callback([=] { throw CLI::RuntimeError(RepoReclone(*root, *names)); });

  auto* strip = repo.add_subcommand(
      "strip", "remove changesets (and descendants) on the leader and every mirror");
  strip->add_option("--root", *root, "cluster directory");
  strip->add_option("name", *name, "repository name")->required();
  strip->add_option("-r,--rev", *revs, "revision to strip with its descendants")->required();
  strip->callback([=] { throw CLI::RuntimeError(RepoStrip(*root, *name, *revs)); });
}

}  // namespace hgc
