#include "bootstrap/hgssh.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "bootstrap/bootstrap_log.h"
#include "common/error.h"
#include "hg/repo_state.h"
#include "leader/producer.h"
#include "leader/replicate.h"
#include "log/log.h"
#include "message/message.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

void Walk(const fs::path& dir, std::vector<std::string>& out) {
  std::error_code ec;
  if (fs::is_directory(dir / ".hg", ec)) out.push_back(dir.string());
  std::vector<fs::path> children;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() == ".hg") continue;
    if (entry.is_symlink(ec) || !entry.is_directory(ec)) continue;
    children.push_back(entry.path());
  }
  std::sort(children.begin(), children.end());
  for (const auto& child : children) Walk(child, out);
}

// The rewrite sources are lower-cased (the producer lower-cases a root
// before matching), so the directory is found ignoring case.
std::optional<fs::path> FindDirIgnoringCase(const std::string& lowered) {
  fs::path p(lowered);
  if (!p.is_absolute()) return std::nullopt;
  fs::path out = "/";
  std::error_code ec;
  for (const auto& part : p.relative_path()) {
    if (part.empty()) continue;
    if (fs::is_directory(out / part, ec)) {
      out /= part;
      continue;
    }
    std::optional<fs::path> match;
    for (const auto& e : fs::directory_iterator(out, ec)) {
      std::string name = e.path().filename().string();
      std::string want = part.string();
      if (name.size() == want.size() &&
          std::equal(name.begin(), name.end(), want.begin(),
                     [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) ==
                              std::tolower(static_cast<unsigned char>(b));
                     }) &&
          e.is_directory(ec)) {
        match = e.path();
        break;
      }
    }
    if (!match) return std::nullopt;
    out = *match;
  }
  return out;
}

std::string ReposRoot(const HgsshBootstrapOptions& o, const ProducerConfig& config) {
  if (!o.repos_root.empty()) {
    if (!fs::is_directory(o.repos_root)) {
      throw Error(ErrorKind::kNotFound,
                  fmt::format("repositories directory {} does not exist", o.repos_root));
    }
    return fs::absolute(o.repos_root).lexically_normal().string();
  }
  // The reference walked a hard-coded /repo/hg/mozilla: the source of its
  // one path rewrite. Ours takes the rewrites' sources in file order.
  for (const auto& [source, dest] : config.path_rewrites) {
    std::string dir = source;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (auto found = FindDirIgnoringCase(dir)) return found->string();
  }
  throw Error(ErrorKind::kConfig,
              fmt::format("cannot tell where the leader's repositories are: no "
                          "[replicationpathrewrites] source in {} is a directory; pass --repos DIR",
                          config.path));
}

std::map<int, int64_t> EndOffsets(Log& log, const std::string& topic, int partitions) {
  std::map<int, int64_t> out;
  for (int p = 0; p < partitions; ++p) out[p] = log.GetWatermarks(topic, p).high;
  return out;
}

}  // namespace

std::vector<std::string> FindRepositories(const std::string& root) {
  std::vector<std::string> out;
  Walk(fs::path(root), out);
  return out;
}

HgsshDocument BootstrapHgssh(const HgsshBootstrapOptions& o) {
  ProducerConfig config = ProducerConfig::Load(o.leader_hgrc);
  auto log = OpenLog(config.log_url, "bootstrap-hgssh");
  int partitions = 0;
  try {
    partitions = log->PartitionCount(config.topic);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kNotFound) throw;
  }
  if (partitions <= 0) {
    LogHgssh("could not get partitions for " + config.topic);
    throw Error(ErrorKind::kNotFound, "could not get partitions for " + config.topic);
  }
  auto start = EndOffsets(*log, config.topic, partitions);
  LogHgssh("gathered initial Kafka offsets");

  std::vector<std::string> repos = FindRepositories(ReposRoot(o, config));
  // Wire paths first: a repository outside the rewrites stops everything
  // before a single message is written.
  std::vector<std::string> wires;
  {
    Producer producer(config);
    for (const auto& r : repos) wires.push_back(producer.WirePath(r));
  }
  int workers = o.workers > 0 ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::string failure;
  auto work = [&] {
    Producer producer(config);
    while (!failed) {
      size_t i = next++;
      if (i >= repos.size()) return;
      const std::string& repo = repos[i];
      LogHgssh("calling `replicatesync --bootstrap` on " + repo);
      try {
        producer.Send(MakeSyncOf(repo, wires[i], /*bootstrap=*/true),
                      producer.PartitionFor(wires[i]));
        LogHgssh("called `replicatesync --bootstrap` on " + repo + " successfully");
      } catch (const std::exception& e) {
        LogHgssh(fmt::format("error occurred calling `replicatesync --bootstrap` on {}: {}", repo,
                             e.what()));
        std::lock_guard lock(mu);
        if (!failed.exchange(true)) {
          failure =
              fmt::format("error triggering replication of Mercurial repo {}: {}", repo, e.what());
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < std::min<int>(workers, std::max<size_t>(1, repos.size())); ++i) {
    pool.emplace_back(work);
  }
  for (auto& t : pool) t.join();
  if (failed) {
    LogHgssh(failure);
    throw Error(ErrorKind::kLogUnavailable, failure);
  }

  auto end = EndOffsets(*log, config.topic, partitions);
  LogHgssh("gathered final Kafka offsets");
  HgsshDocument document;
  for (int p = 0; p < partitions; ++p) document.ranges.push_back({p, start[p], end[p]});
  std::sort(wires.begin(), wires.end());
  document.repositories = wires;
  LogHgssh("hgssh bootstrap process complete!");
  if (!o.output.empty()) {
    LogHgssh("writing output to " + o.output);
    WriteFileAtomic(o.output, ToText(document) + "\n");
  }
  return document;
}

}  // namespace hgc
