// Push → notification delivered, with 2 mirrors on the embedded log, and
// where the time goes. A webhook receiver in this process records when each
// announcement arrives; every stage's moment is read from the system itself:
//
//   logged      the leader's hg-changegroup-2 `_created` (pushdata)
//   applied     both mirrors have the changeset (changelog polled)
//   pending     the stage-1 copy's `_created` (replicatedpushdatapending)
//   exposed     both mirrors' .hg/replicated-data list the head
//   final       the stage-2 copy's `_created` (replicatedpushdata)
//   notified    the webhook POST arrives
//
//   build/notify_latency [--pushes N]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/subprocess.h"
#include "hg/replicated_data.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "log/log.h"
#include "message/message.h"
#include "notify/test_http_receiver.h"
#include "routing/partition_map.h"

namespace {

namespace fs = std::filesystem;

double Wall() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

hgc::ProcessResult Run(const std::string& cmd) {
  hgc::ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}, {"HGUSER", "bench"}, {"HGPLAIN", "1"}};
  return hgc::RunProcess({"/bin/sh", "-c", cmd}, o);
}

// `_created` of the copy of the changegroup for `node` in `topic`.
double CopyTime(hgc::Log& log, const std::string& topic, const std::string& node) {
  int64_t high = log.GetWatermarks(topic, 0).high;
  auto cursor = log.OpenCursor({{topic, 0, std::max<int64_t>(0, high - 20)}});
  double found = 0;
  for (const auto& r : cursor->Poll(100, std::chrono::milliseconds(1000))) {
    auto m = hgc::DecodeMessage(r.value);
    if (m.type == hgc::MessageType::kChangegroup && !m.heads.empty() && m.heads[0] == node) {
      found = m.created;
    }
  }
  return found;
}

// When the mirrors' consumers last committed on `topic`: both have applied
// (or exposed, for the heads consumers) everything up to then. Read from the
// embedded log's group_offsets table, which stamps every commit.
double LastCommitTime(const std::string& root, const std::string& topic) {
  auto r = Run("sqlite3 " + root + "/log/log.db \"SELECT MAX(updated) FROM group_offsets WHERE "
               "topic='" + topic + "' AND grp IN ('mirror1','mirror2')\"");
  return std::atof(r.out.c_str());
}

int64_t Committed(const std::string& root, const std::string& topic) {
  auto r = Run("sqlite3 " + root + "/log/log.db \"SELECT MIN(offset) FROM group_offsets WHERE "
               "topic='" + topic + "' AND grp IN ('mirror1','mirror2')\"");
  return std::atoll(r.out.c_str());
}

template <typename Fn>
double WaitWall(Fn fn) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fn()) return Wall();
    usleep(300);
  }
  throw std::runtime_error("timed out");
}

}  // namespace

int main(int argc, char** argv) {
  int pushes = 100;
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--pushes")) pushes = std::atoi(argv[i + 1]);
  }
  std::string bin = (fs::path(hgc::SelfExecutable()).parent_path() / "hgcluster").string();
  std::mutex mu;
  std::map<std::string, double> arrived;
  hgc::test::TestHttpReceiver receiver([&](const hgc::test::ReceivedRequest& r) {
    double now = Wall();
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (!body.is_discarded() && body.value("type", "") == "changegroup.1") {
      std::lock_guard l(mu);
      for (const auto& h : body["data"]["heads"]) arrived[h.get<std::string>()] = now;
    }
    return hgc::test::CannedResponse{200, "ok"};
  });
  char tmpl[] = "/tmp/hgcluster-notifybench-XXXXXX";
  std::string dir = mkdtemp(tmpl), root = dir + "/cluster";
  if (!Run(bin + " up --detach --root " + root + " --webhook bench=" + receiver.url() +
           "/hook >/dev/null")
           .ok()) {
    return 1;
  }
  auto log = hgc::OpenLog("sqlite://" + root + "/log/log.db");
  Run(bin + " repo create --root " + root + " bench >/dev/null");
  std::string client = dir + "/client";
  Run("hg init " + client + " && hg -R " + client + " debugbuilddag '+" +
      std::to_string(pushes) + "'");
  auto idx = hgc::ChangelogIndex::Load(client);
  std::vector<std::string> mirrors = {root + "/mirrors/mirror1/repos/bench",
                                      root + "/mirrors/mirror2/repos/bench"};
  std::vector<double> total, apply, agg1, heads, agg2, notify;
  int rc = 0;
  try {
    for (int i = 0; i < pushes; ++i) {
      std::string node = idx.NodeHex(i);
      Run("hg -R " + client + " push -q -r " + std::to_string(i) + " --ssh '" + bin +
          " local-ssh' ssh://leader/" + root + "/leader/repos/bench");
      double notified = WaitWall([&] {
        std::lock_guard l(mu);
        return arrived.count(node) > 0;
      });
      {
        std::lock_guard l(mu);
        notified = arrived[node];
      }
      // Let the heads consumers' commits for this push land too.
      WaitWall([&] { return Committed(root, "replicatedpushdatapending") >=
                            log->GetWatermarks("replicatedpushdatapending", 0).high; });
      int part = hgc::Md5Mod("{moz}/bench", 8);
      double logged = 0;
      {
        int64_t high = log->GetWatermarks("pushdata", part).high;
        auto recs = log->OpenCursor({{"pushdata", part, std::max<int64_t>(0, high - 4)}})
                        ->Poll(10, std::chrono::milliseconds(1000));
        for (const auto& r : recs) {
          auto m = hgc::DecodeMessage(r.value);
          if (m.type == hgc::MessageType::kChangegroup && m.heads[0] == node) logged = m.created;
        }
      }
      double applied = LastCommitTime(root, "pushdata");
      double exposed = LastCommitTime(root, "replicatedpushdatapending");
      double pending = CopyTime(*log, "replicatedpushdatapending", node);
      double final_copy = CopyTime(*log, "replicatedpushdata", node);
      total.push_back((notified - logged) * 1000);
      apply.push_back((applied - logged) * 1000);
      agg1.push_back((pending - applied) * 1000);
      heads.push_back((exposed - pending) * 1000);
      agg2.push_back((final_copy - exposed) * 1000);
      notify.push_back((notified - final_copy) * 1000);
    }
    auto row = [&](const char* name, const std::vector<double>& v) {
      std::printf("  %-34s p50 %7.1f ms   p99 %7.1f ms\n", name, Pct(v, 0.5), Pct(v, 0.99));
    };
    std::printf("push logged -> webhook delivered, %d pushes, 2 mirrors, embedded log:\n", pushes);
    row("total (changegroup logged->POST)", total);
    row("apply (both mirrors pulled)", apply);
    row("aggregate 1 (-> pending topic)", agg1);
    row("heads (both replicated-data)", heads);
    row("aggregate 2 (-> replicatedpushdata)", agg2);
    row("notify (-> webhook received)", notify);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "notify_latency: %s\n", e.what());
    rc = 1;
  }
  Run(bin + " down --root " + root + " >/dev/null");
  fs::remove_all(dir);
  return rc;
}
