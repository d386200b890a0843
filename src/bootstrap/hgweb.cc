#include "bootstrap/hgweb.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "bootstrap/bootstrap_log.h"
#include "bootstrap/hgssh_document.h"
#include "common/error.h"
#include "consumer/applier.h"
#include "consumer/consumer_config.h"
#include "hg/cmdserver.h"
#include "hg/hg_runner.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "log/log.h"
#include "message/message.h"
#include "pushlog/pushlog_db.h"
#include "routing/rewrites.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

void LogHgweb(const std::string& message) { BootstrapLog(stdout, message); }

HgsshDocument ReadDocument(const std::string& path) {
  LogHgweb("reading hgssh JSON document");
  HgsshDocument doc = ParseHgsshDocument(ReadFileOrEmpty(path), path);
  LogHgweb("JSON document read");
  return doc;
}

// The records of [start, end) of one partition. Fails with a clear error
// instead of waiting forever (the reference's loop) when the range has been
// deleted by retention or does not arrive before the deadline.
std::vector<LogRecord> Collect(Log& log, const std::string& topic, const PartitionRange& r,
                               std::chrono::steady_clock::time_point deadline, double timeout) {
  LogHgweb(fmt::format("assigning the consumer to partition {}", r.partition));
  Watermarks w = log.GetWatermarks(topic, r.partition);
  if (w.low > r.start) {
    throw Error(ErrorKind::kLogUnavailable,
                fmt::format("partition {} of topic {}: offsets {} to {} are no longer in the log "
                            "(the oldest is {}); run `bootstrap hgssh` again for a fresh document",
                            r.partition, topic, r.start, w.low - 1, w.low));
  }
  LogHgweb(fmt::format("seeking the consumer to offset {}", r.start));
  auto cursor = log.OpenCursor({{topic, r.partition, r.start}});
  std::vector<LogRecord> out;
  int64_t next = r.start;
  while (next < r.end) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(ErrorKind::kLogUnavailable,
                  fmt::format("partition {} of topic {}: read up to offset {} of the range [{}, "
                              "{}) in {}s (the log ends at {}); is this mirror's log the one the "
                              "hgssh document came from?",
                              r.partition, topic, next, r.start, r.end, timeout,
                              log.GetWatermarks(topic, r.partition).high));
    }
    for (auto& rec : cursor->Poll(1000, milliseconds(200))) {
      if (rec.offset < next || rec.offset >= r.end) continue;
      LogHgweb(fmt::format("message on partition {}, offset {} has been collected", r.partition,
                           rec.offset));
      next = rec.offset + 1;
      out.push_back(std::move(rec));
    }
  }
  LogHgweb(fmt::format("finished retrieving messages on partition {}", r.partition));
  return out;
}

struct Event {
  Message message;
  int partition = 0;
  int64_t offset = 0;
};

// Everything the range holds for one repository.
struct RepoWork {
  std::string wire;
  bool listed = false;             // named by the hgssh document
  std::optional<Event> sync;       // its bootstrap sync
  std::vector<Event> before_sync;  // events before the sync
  std::vector<Event> after_sync;   // "extra" messages (all events when unlisted)
};

class MirrorBootstrap {
 public:
  MirrorBootstrap(const ConsumerConfig& config, HgRunner& hg)
      : config_(config), hg_(hg), applier_(config, hg, "vcsreplicator.consumer") {}

  void Audit(const std::string& wire, const std::string& problem, bool failure) {
    std::lock_guard lock(mu_);
    audit_[wire].push_back(problem);
    if (failure) ++failures_;
  }

  void Run(RepoWork& w) {
    if (w.listed) {
      if (!Clone(w)) {
        if (!w.after_sync.empty()) {
          // The reference ran them anyway, on a repository that may not exist.
          LogHgweb(fmt::format("not processing {} extra messages for {}: its clone failed",
                               w.after_sync.size(), w.wire));
        }
        return;
      }
      if (w.after_sync.empty()) return;
      LogHgweb("scheduling extra processing for " + w.wire);
    } else {
      LogHgweb(fmt::format("applying {} messages for {} (created during the hgssh step)",
                           w.after_sync.size(), w.wire));
    }
    try {
      for (const auto& e : w.after_sync) applier_.Apply(e.message, e.partition, e.offset);
      LogHgweb(fmt::format("extra processing for {} completed successfully", w.wire));
    } catch (const std::exception& e) {
      LogHgweb(fmt::format("error processing extra messages for {}: {}", w.wire, e.what()));
      Audit(w.wire, fmt::format("error processing extra messages for {}: {}", w.wire, e.what()),
            true);
    }
  }

  std::map<std::string, std::vector<std::string>> audit() const { return audit_; }
  int failures() const { return failures_; }

 private:
  bool Clone(RepoWork& w) {
    try {
      LogHgweb("syncing repo: " + w.wire);
      std::string local = applier_.LocalPath(w.wire);
      auto url = WirePathToPullUrl(config_.pull_url_rewrites, w.wire);
      StreamCloneIfMissing(local, url);
      // The bootstrap sync applied as an ordinary one: hgrc, the leader's
      // heads, its whole pushlog, the clone bundles manifest, the marker.
      Message sync = w.sync->message;
      sync.bootstrap = false;
      sync.body["bootstrap"] = false;
      applier_.Apply(sync, w.sync->partition, w.sync->offset);
      ApplyPushlogBeforeSync(w, local, url);
      LogHgweb("exiting sync for: " + w.wire);
      LogHgweb(w.wire + " successfully cloned");
      return true;
    } catch (const std::exception& e) {
      std::string problem =
          fmt::format("error triggering replication of Mercurial repo {}: {}", w.wire, e.what());
      LogHgweb(problem);
      Audit(w.wire, problem, true);
      return false;
    }
  }

  void StreamCloneIfMissing(const std::string& local, const std::optional<std::string>& url) {
    if (fs::exists(local + "/.hg")) return;
    LogHgweb("repository does not exist: " + local);
    if (!url) return;  // the sync's init + pull of "default" follows
    bool existed = fs::exists(local);
    std::error_code ec;
    fs::create_directories(fs::path(local).parent_path(), ec);
    LogHgweb(fmt::format("performing stream clone of {} to {}", *url, local));
    ProcessResult r = hg_.Run("", {"clone", "--stream", "--noupdate", "--", *url, local});
    if (r.ok()) {
      LogHgweb(fmt::format("{} cloned to {} successfully", *url, local));
      return;
    }
    LogHgweb(fmt::format("stream clone of {} failed - using pull instead", *url));
    // A directory holding nested repositories is not empty, so hg refuses
    // to clone into it; init + pull works there.
    if (!existed) {
      fs::remove_all(local, ec);
    } else if (fs::exists(local + "/.hg")) {
      fs::remove_all(local + "/.hg", ec);
    }
  }

  // A push that commits while its repository's sync is being built can have
  // its changegroup event land before the sync but its pushlog row miss the
  // sync's copy. The reference ignored events before the sync and lost that
  // push from the mirror's pushlog; their rows (and changesets, should the
  // fallback pull have missed them) are applied here. Idempotent.
  void ApplyPushlogBeforeSync(const RepoWork& w, const std::string& local,
                              const std::optional<std::string>& url) {
    size_t applied = 0;
    for (const auto& e : w.before_sync) {
      const Message& m = e.message;
      if (m.type != MessageType::kChangegroup || !m.pushes) continue;
      std::vector<std::string> missing;
      {
        ChangelogIndex index = ChangelogIndex::Load(local);
        for (const auto& h : m.heads) {
          if (!index.RevOf(h)) missing.push_back(h);
        }
      }
      if (!missing.empty()) {
        std::vector<std::string> args{"pull"};
        for (const auto& h : missing) args.push_back("-r" + h);
        args.push_back("--config=firefoxtree.replication=true");
        args.push_back("--");
        args.push_back(url.value_or("default"));
        ProcessResult r = hg_.Run(local, args);
        if (!r.ok()) {
          throw Error(ErrorKind::kHgFailed,
                      fmt::format("pull of {} heads pushed before the bootstrap sync failed ({}): "
                                  "{}",
                                  missing.size(), r.exit_code, r.err));
        }
      }
      PushlogDb::OpenForWrite(local)->ApplyReplicated(*m.pushes, ChangelogIndex::Load(local));
      ++applied;
    }
    if (applied) {
      LogHgweb(
          fmt::format("applied the pushlog rows of {} changegroups recorded before the bootstrap "
                      "sync of {}",
                      applied, w.wire));
    }
  }

  const ConsumerConfig& config_;
  HgRunner& hg_;
  Applier applier_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> audit_;
  int failures_ = 0;
};

std::string JoinSet(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return "{" + out + "}";
}

}  // namespace

int BootstrapHgweb(const HgwebBootstrapOptions& o) {
  ConsumerConfig config = ConsumerConfig::Load(o.consumer_config);
  HgsshDocument doc = ReadDocument(o.hgssh_document);
  auto log =
      OpenLog(config.log_url, config.client_id.empty() ? "bootstrap-hgweb" : config.client_id);
  int partitions = log->PartitionCount(config.topic);
  for (const auto& r : doc.ranges) {
    if (r.partition < 0 || r.partition >= partitions || r.start > r.end) {
      throw Error(ErrorKind::kMalformed,
                  fmt::format("the hgssh document's range [{}, {}) for partition {} does not fit "
                              "topic {} ({} partitions)",
                              r.start, r.end, r.partition, config.topic, partitions));
    }
  }
  auto hg =
      config.hg_runner == "process"
          ? MakeProcessHgRunner(config.hg, config.hgrcpath, {"format.aggressivemergedeltas=false"})
          : MakeCmdServerHgRunner(config.hg, config.hgrcpath,
                                  {"format.aggressivemergedeltas=false"},
                                  4 * static_cast<size_t>(std::max(1, o.workers)));
  MirrorBootstrap mirror(config, *hg);

  std::map<std::string, RepoWork> work;
  std::set<std::string> to_clone;
  for (const auto& wire : doc.repositories) {
    auto d = config.filter.Evaluate(wire);
    if (!d.pass) {
      mirror.Audit(wire, "filtered by rule " + d.rule, false);
      continue;
    }
    to_clone.insert(wire);
    work[wire].wire = wire;
    work[wire].listed = true;
  }

  auto deadline = std::chrono::steady_clock::now() +
                  milliseconds(static_cast<int64_t>(o.timeout_seconds * 1000));
  std::map<int, std::vector<LogRecord>> collected;
  for (const auto& r : doc.ranges) {
    if (r.start != r.end)
      collected[r.partition] = Collect(*log, config.topic, r, deadline, o.timeout_seconds);
  }
  LogHgweb("finished retrieving messages from Kafka");

  for (auto& [partition, records] : collected) {
    LogHgweb(fmt::format("processing messages for partition {}", partition));
    for (auto& rec : records) {
      Message m;
      try {
        m = DecodeMessage(rec.value);
      } catch (const Error& e) {
        std::string where = fmt::format("partition {} offset {}", rec.partition, rec.offset);
        LogHgweb(fmt::format("undecodable message at {}: {}", where, e.what()));
        mirror.Audit(where, std::string("undecodable message: ") + e.what(), true);
        continue;
      }
      if (m.type == MessageType::kHeartbeat || m.path.empty()) continue;
      if (!config.filter.Evaluate(m.path).pass) continue;
      Event event{std::move(m), rec.partition, rec.offset};
      auto it = work.find(event.message.path);
      if (it == work.end()) {
        // Created on the leader during the hgssh step (so not listed): its
        // init and pushes are ordinary events. The reference dropped them.
        it = work.emplace(event.message.path, RepoWork{}).first;
        it->second.wire = event.message.path;
      }
      RepoWork& w = it->second;
      if (w.listed && !w.sync) {
        if (event.message.type == MessageType::kRepoSync && event.message.bootstrap) {
          LogHgweb("scheduled clone for " + w.wire);
          to_clone.erase(w.wire);
          w.sync = std::move(event);
        } else {
          w.before_sync.push_back(std::move(event));
        }
      } else {
        w.after_sync.push_back(std::move(event));
        if (w.listed) {
          LogHgweb(
              fmt::format("extra messages found for {}: {} total", w.wire, w.after_sync.size()));
        }
      }
    }
  }
  if (!to_clone.empty()) {
    LogHgweb("did not receive expected sync messages for " + JoinSet(to_clone));
    for (const auto& wire : to_clone) mirror.Audit(wire, "did not receive sync message", true);
  }

  std::vector<RepoWork*> jobs;
  for (auto& [wire, w] : work) {
    if ((w.listed && w.sync) || (!w.listed && !w.after_sync.empty())) jobs.push_back(&w);
  }
  int workers = o.workers > 0 ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0};
  std::atomic<size_t> remaining{jobs.size()};
  std::vector<std::thread> pool;
  for (int i = 0; i < std::min<int>(workers, std::max<size_t>(1, jobs.size())); ++i) {
    pool.emplace_back([&] {
      for (size_t j = next++; j < jobs.size(); j = next++) {
        mirror.Run(*jobs[j]);
        LogHgweb(fmt::format("{} repositories remaining", --remaining));
      }
    });
  }
  for (auto& t : pool) t.join();

  int status = 0;
  if (mirror.failures() == 0) {
    // Every partition of the document, also those whose range is empty: a
    // new group would otherwise start them at the oldest retained record
    // (the reference's gap).
    std::map<int, int64_t> ends;
    for (const auto& r : doc.ranges) ends[r.partition] = r.end;
    log->Commit(config.group, config.topic, ends);
    for (const auto& [p, end] : ends) {
      LogHgweb(fmt::format("partition {} of topic {} moved to offset {}", p, config.topic, end));
    }
    LogHgweb(config.group + " bootstrap process complete");
  } else {
    LogHgweb(
        fmt::format("{} problems; offsets of group {} not committed: fix them and run this again "
                    "(repositories already bootstrapped are not cloned again)",
                    mirror.failures(), config.group));
    status = 1;
  }
  auto audit = mirror.audit();
  if (!audit.empty()) {
    std::string path =
        o.audit_output.empty()
            ? (fs::path(o.consumer_config).parent_path() / "hgweb_bootstrap_out.json").string()
            : o.audit_output;
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : audit) j[k] = v;
    WriteFileAtomic(path, PythonJsonDumps(j) + "\n");
    LogHgweb("audit written to " + path);
  }
  return status;
}

}  // namespace hgc
