#include "bootstrap/hgweb.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "bootstrap/bootstrap_log.h"
#include "bootstrap/hgssh_document.h"
#include "bootstrap/repo_bootstrap.h"
#include "common/error.h"
#include "consumer/consumer_config.h"
#include "hg/cmdserver.h"
#include "hg/hg_runner.h"
#include "hg/repo_state.h"
#include "log/log.h"
#include "message/message.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

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
  RepoBootstrap mirror(config, *hg);

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
      BootstrapEvent event{std::move(m), rec.partition, rec.offset};
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
