// Embedded-log benchmark: throughput of durable appends consumed by a second
// process, and wake-up latency of a blocked reader.
//
//   build/log_bench [--messages N] [--batch B] [--dir DIR]
//
// Throughput: a producer process appends N messages (~200-byte framed
// heartbeat-like values) in transactions of B, each fsynced before it
// returns; a consumer process reads them with a cursor and commits its
// offset after every poll. Reported: messages/s from the first append to the
// consumer's last commit.
// Latency: a reader blocks in Poll(); another process appends one message
// stamped with its send time (CLOCK_MONOTONIC, shared across processes); the
// reader records now - stamp. 1,000 samples, p50/p99/max.
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "log/embedded_log.h"

namespace {

int64_t MonoNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

void Throughput(const std::string& db, int n, int batch) {
  auto log = hgc::OpenEmbeddedLog(db);
  log->EnsureTopic("bench", 1);
  int64_t start = log->GetWatermarks("bench", 0).high;
  std::string payload =
      "1\n{\"_created\": 1700000000.123456, \"name\": \"heartbeat-1\", \"padding\": \"" +
      std::string(150, 'x') + "\"}";
  int64_t t0 = MonoNs();
  pid_t consumer = fork();
  if (consumer == 0) {
    auto l = hgc::OpenEmbeddedLog(db);
    auto cursor = l->OpenCursor({{"bench", 0, start}});
    int64_t got = 0;
    while (got < n) {
      auto recs = cursor->Poll(1000, std::chrono::milliseconds(5000));
      if (recs.empty()) break;
      got += static_cast<int64_t>(recs.size());
      l->Commit("bench-consumer", "bench", {{0, recs.back().offset + 1}});
    }
    double secs = static_cast<double>(MonoNs() - t0) / 1e9;
    std::printf(
        "embedded log: %d messages appended (batch %d, fsync per batch) and consumed "
        "(commit per poll) in %.3f s = %.0f messages/s\n",
        n, batch, secs, static_cast<double>(got) / secs);
    std::fflush(stdout);
    _exit(got == n ? 0 : 1);
  }
  std::vector<std::string> values(static_cast<size_t>(batch), payload);
  for (int i = 0; i < n; i += batch) {
    if (batch == 1)
      log->Append("bench", 0, payload);
    else
      log->AppendBatch("bench", 0, values);
  }
  double append_secs = static_cast<double>(MonoNs() - t0) / 1e9;
  std::fflush(stdout);
  std::printf("  appends alone: %.3f s = %.0f messages/s\n", append_secs, n / append_secs);
  std::fflush(stdout);
  int status = 0;
  waitpid(consumer, &status, 0);
}

void WakeLatency(const std::string& db, int samples) {
  auto log = hgc::OpenEmbeddedLog(db);
  log->EnsureTopic("wake", 1);
  int64_t start = log->GetWatermarks("wake", 0).high;
  int ready[2], go[2];
  if (pipe(ready) != 0 || pipe(go) != 0) std::abort();
  pid_t reader = fork();
  if (reader == 0) {
    auto l = hgc::OpenEmbeddedLog(db);
    auto cursor = l->OpenCursor({{"wake", 0, start}});
    std::vector<double> ms;
    for (int i = 0; i < samples; ++i) {
      if (write(ready[1], "r", 1) != 1) _exit(2);  // blocked in Poll from here on
      auto recs = cursor->Poll(1, std::chrono::milliseconds(10000));
      int64_t now = MonoNs();
      if (recs.empty()) _exit(3);
      int64_t sent = std::strtoll(recs[0].value.c_str(), nullptr, 10);
      ms.push_back(static_cast<double>(now - sent) / 1e6);
    }
    std::printf(
        "embedded log wake-up (append in one process -> blocked reader in another has "
        "it), %d samples: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
        samples, Pct(ms, 0.5), Pct(ms, 0.99), Pct(ms, 1.0));
    std::fflush(stdout);
    _exit(0);
  }
  for (int i = 0; i < samples; ++i) {
    char c;
    if (read(ready[0], &c, 1) != 1) break;
    usleep(2000);  // let the reader reach its blocking wait
    log->Append("wake", 0, std::to_string(MonoNs()));
  }
  int status = 0;
  waitpid(reader, &status, 0);
}

}  // namespace

int main(int argc, char** argv) {
  int n = 100000, batch = 100;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--messages")) n = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--batch")) batch = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  if (dir.empty()) {
    char tmpl[] = "/tmp/hgcluster-logbench-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  Throughput(dir + "/log.db", n, batch);
  WakeLatency(dir + "/log.db", 1000);
  std::filesystem::remove_all(dir);
  return 0;
}
