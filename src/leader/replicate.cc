#include "leader/replicate.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "hg/obsmarker_pushkey.h"
#include "hg/obsstore.h"
#include "hg/repo_digest.h"
#include "hg/repo_state.h"
#include "leader/leader_repo.h"
#include "leader/producer.h"
#include "message/message.h"
#include "pushlog/pushlog_db.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadHgrc(const std::string& root) {
  std::string path = root + "/.hg/hgrc";
  if (!fs::exists(path)) return std::nullopt;
  return ReadFileOrEmpty(path);
}

std::string RepoRoot(const ReplicateOptions& o) {
  std::string repo = o.repo.empty() ? fs::current_path().string() : o.repo;
  fs::path p = fs::absolute(repo);
  while (!p.empty() && !fs::exists(p / ".hg")) {
    if (p == p.parent_path()) break;
    p = p.parent_path();
  }
  if (!fs::exists(p / ".hg")) {
    throw Error(ErrorKind::kNotFound, fmt::format("abort: no repository found in '{}'", repo));
  }
  return p.string();
}

template <typename Fn>
int Guard(Fn fn) {
  try {
    return fn();
  } catch (const Error& e) {
    std::string msg = e.what();
    if (msg.rfind("abort: ", 0) != 0) msg = "abort: " + msg;
    std::cerr << msg << std::endl;
    return 255;
  }
}

// Every marker of the repository as `obsolete` pushkeys: a sync's pull
// brings only the markers relevant to the heads it pulls, never a prune
// whose parents were not recorded.
std::vector<nlohmann::json> ObsoletePushkeysOf(const std::string& root, const std::string& wire) {
  std::vector<nlohmann::json> out;
  for (const auto& [key, value] : ObsMarkerPushkeys(ReadObsStore(root))) {
    out.push_back(MakePushkey(wire, "obsolete", key, "", value, 0, WallNow()));
  }
  return out;
}

}  // namespace

nlohmann::json MakeSyncOf(const std::string& root, const std::string& wire, bool bootstrap) {
  RepoSnapshot snap = SnapshotRepo(root);
  nlohmann::json sync =
      MakeRepoSync(wire, snap.requirements, ReadHgrc(root), snap.heads_desc, bootstrap, WallNow());
  // The whole pushlog travels with a sync, so a resynchronised or new
  // mirror ends with the leader's push ids.
  if (auto db = PushlogDb::OpenReadOnly(root)) AttachPushes(sync, db->PushesFrom(0));
  // The clone bundles manifest rides along (docs/formats.md): mirrors write
  // it, or delete theirs when the leader has none (null).
  std::string manifest = root + "/.hg/clonebundles.manifest";
  sync["clonebundles_manifest"] =
      fs::exists(manifest) ? nlohmann::json(ReadFileOrEmpty(manifest)) : nlohmann::json(nullptr);
  return sync;
}

int ReplicateSync(const ReplicateOptions& o) {
  return Guard([&] {
    Producer producer(ProducerConfig::Load(o.config_path));
    std::string root = RepoRoot(o);
    std::string wire = producer.WirePath(root);
    int partition = producer.PartitionFor(wire);
    RepoSnapshot snap = SnapshotRepo(root);
    nlohmann::json sync = MakeSyncOf(root, wire, o.bootstrap);
    std::vector<nlohmann::json> messages{sync};
    bool heads = o.heads && !o.bootstrap;
    if (heads) {
      messages.push_back(
          MakeHeads(wire, snap.heads_desc, snap.last_push_id.value_or(0), WallNow()));
    }
    // Both or neither: a sync written without its heads message would
    // leave the mirrors' replicated heads behind.
    producer.CheckFits(messages, "the synchronization events of " + wire);
    producer.Send(messages[0], partition);
    std::cout << "wrote synchronization message into replication log" << std::endl;
    if (!o.bootstrap) {
      auto markers = ObsoletePushkeysOf(root, wire);
      if (!markers.empty()) {
        producer.SendBatch(markers, partition);
        std::cout << "wrote obsolescence markers into replication log" << std::endl;
      }
    }
    if (heads) {
      producer.Send(messages[1], partition);
      std::cout << "wrote heads synchronization message into replication log" << std::endl;
    }
    return 0;
  });
}

int ReplicateSyncRetry(const ReplicateOptions& o, int attempts) {
  for (int n = 0; n < attempts; ++n) {
    try {
      Producer producer(ProducerConfig::Load(o.config_path));
      std::string root = RepoRoot(o);
      std::string wire = producer.WirePath(root);
      int partition = producer.PartitionFor(wire);
      RepoSnapshot snap = SnapshotRepo(root);
      producer.Send(MakeSyncOf(root, wire, false), partition);
      auto markers = ObsoletePushkeysOf(root, wire);
      if (!markers.empty()) producer.SendBatch(markers, partition);
      producer.Send(MakeHeads(wire, snap.heads_desc, snap.last_push_id.value_or(0), WallNow()),
                    partition);
      std::cout << "`replicatesync` called successfully." << std::endl;
      return 0;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kTooLarge) {  // no retry makes it smaller
        std::cout << "`replicatesync` failed: " << e.what() << std::endl;
        return 0;
      }
      std::cout << "`replicatesync` failed on attempt " << n << ", trying again." << std::endl;
      std::cout << e.what() << std::endl;
    } catch (const std::exception& e) {
      std::cout << "`replicatesync` failed on attempt " << n << ", trying again." << std::endl;
      std::cout << e.what() << std::endl;
    }
  }
  return 0;
}

int ReplicateHgrc(const ReplicateOptions& o) {
  return Guard([&] {
    Producer producer(ProducerConfig::Load(o.config_path));
    std::string root = RepoRoot(o);
    std::string wire = producer.WirePath(root);
    producer.Send(MakeHgrcUpdate(wire, ReadHgrc(root), WallNow()), producer.PartitionFor(wire));
    std::cout << "recorded hgrc in replication log" << std::endl;
    return 0;
  });
}

int ReplicateDelete(const ReplicateOptions& o) {
  return Guard([&] {
    Producer producer(ProducerConfig::Load(o.config_path));
    std::string root = RepoRoot(o);
    std::string wire = producer.WirePath(root);
    producer.Send(MakeRepoDelete(wire, WallNow()), producer.PartitionFor(wire));
    std::cout << "wrote delete message into replication log" << std::endl;
    std::string staging = root + ".todelete";
    std::error_code ec;
    fs::remove_all(staging, ec);
    fs::rename(root, staging, ec);
    if (!ec) fs::remove_all(staging, ec);
    if (ec) {
      throw Error(ErrorKind::kIo, fmt::format("could not delete repo {}: {}", root, ec.message()));
    }
    std::cout << "repo deleted from local host" << std::endl;
    return 0;
  });
}

namespace {

void SendVerify(Producer& producer, const std::string& root) {
  std::string wire = producer.WirePath(root);
  // The last push id before the digest: a push landing in between makes
  // the digest newer than its id, which mirrors see as "moved", never as a
  // false divergence.
  std::optional<int64_t> last_push_id;
  if (auto db = PushlogDb::OpenReadOnly(root)) last_push_id = db->LastPushId();
  nlohmann::json digest = ComputeRepoDigest(root, last_push_id);
  producer.Send(MakeRepoVerify(wire, digest, WallNow()), producer.PartitionFor(wire));
  std::cout << fmt::format("recorded verify of {} in replication log ({} heads, {} changesets)",
                           wire, digest["heads"].size(), digest["changesets"].get<int64_t>())
            << std::endl;
}

// Repositories under `dir` (not inside one: a repository's working copy
// is not searched), skipping our staging directories and symlinks.
void FindRepos(const fs::path& dir, std::vector<std::string>& out) {
  std::error_code ec;
  if (fs::is_symlink(dir, ec) || !fs::is_directory(dir, ec)) return;
  if (fs::exists(dir / ".hg", ec)) {
    out.push_back(dir.string());
    return;
  }
  std::vector<fs::path> children;
  for (const auto& e : fs::directory_iterator(dir, ec)) children.push_back(e.path());
  std::sort(children.begin(), children.end());
  for (const auto& c : children) {
    std::string name = c.filename().string();
    if (name.empty() || name[0] == '.' || name.find(".hgcluster-") != std::string::npos) continue;
    FindRepos(c, out);
  }
}

}  // namespace

int ReplicateVerify(const ReplicateOptions& o) {
  return Guard([&] {
    Producer producer(ProducerConfig::Load(o.config_path));
    if (!o.all) {
      SendVerify(producer, RepoRoot(o));
      return 0;
    }
    std::vector<std::string> repos;
    std::vector<std::string> dirs = o.under;
    if (dirs.empty()) {
      for (const auto& [prefix, wire] : producer.config().path_rewrites) dirs.push_back(prefix);
    }
    for (const auto& prefix : dirs) {
      if (!fs::is_directory(prefix)) {
        std::cerr << fmt::format(
                         "{} is not a directory here; skipped (give the leader's "
                         "repository root with --under)",
                         prefix)
                  << std::endl;
        continue;
      }
      FindRepos(prefix, repos);
    }
    int failed = 0;
    for (const auto& root : repos) {
      try {
        SendVerify(producer, root);
      } catch (const Error& e) {
        ++failed;
        std::cerr << fmt::format("cannot verify {}: {}", root, e.what()) << std::endl;
      }
    }
    std::cout << fmt::format("recorded verify of {} repositories ({} could not be read)",
                             repos.size() - failed, failed)
              << std::endl;
    return failed ? 1 : 0;
  });
}

int SendHeartbeat(const ReplicateOptions& o) {
  return Guard([&] {
    Producer producer(ProducerConfig::Load(o.config_path));
    auto partitions = producer.config().partition_map.AllPartitions();
    for (int p : partitions) {
      std::cout << "sending heartbeat to partition " << p << std::endl;
      try {
        producer.SendHeartbeat(p);
      } catch (const Error& e) {
        throw Error(e.kind(), fmt::format("error sending heartbeat: {}", e.what()));
      }
    }
    std::cout << "wrote heartbeat message into " << partitions.size() << " partitions" << std::endl;
    return 0;
  });
}

}  // namespace hgc
