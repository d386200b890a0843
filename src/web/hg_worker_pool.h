// The `hg serve --web-conf` processes behind a mirror's web front: started on
// free loopback ports with Mercurial's lazy imports off (HGDEMANDIMPORT=
// disable: a fresh threaded worker serving its first requests at once races
// on half-loaded modules), put in rotation only once they answered a warm-up
// HTTP request, watched, restarted with backoff (0.5 s doubling to 30 s) when
// they exit, replaced (killed, then restarted the same way) after
// `replace_after_failures` failed requests in a row, and leased to requests
// by least in-flight count.
// Thread-safety: Acquire()/Snapshot() are lock-free and safe from any thread;
// Start()/Stop() from one owning thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hgc {

struct HgWorkerOptions {
  int workers = 2;
  std::string hgweb_conf;  // --web-conf
  std::string hgrcpath;    // HGRCPATH (the replicatedserved view); empty: inherit
  std::string log_path;    // workers' stdout/stderr; empty: /dev/null
  std::string hg = "hg";
  std::vector<std::string> config;  // extra `--config SECTION.KEY=VALUE` of the workers
  // Failed requests in a row (5xx, reset, died mid-response) after which a
  // worker is replaced; 0: never.
  int replace_after_failures = 3;
  // The warm-up request a started worker must answer (< 500) before it
  // takes requests.
  std::string warmup_path = "/static/mercurial.js";
  double warmup_timeout_seconds = 10;
};

class HgWorkerPool {
 public:
  struct WorkerState {
    int index = 0;
    int pid = 0;
    int port = 0;
    bool ready = false;  // accepting connections
    int64_t in_flight = 0;
    int64_t restarts = 0;
    int64_t replacements = 0;  // restarts the pool forced after failures
    int64_t failures = 0;      // failed requests, ever
    int consecutive_failures = 0;
  };

  // Holds one in-flight slot of a worker; releasing it (destruction) frees it.
  class Lease {
   public:
    Lease(HgWorkerPool* pool, int index, int port) : pool_(pool), index_(index), port_(port) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), index_(o.index_), port_(o.port_) {
      o.pool_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    int port() const { return port_; }
    int index() const { return index_; }
    // The worker refused the connection: take it out until the monitor
    // sees it listening again.
    void MarkUnreachable();
    // The request failed on this worker (5xx, reset, closed early): counts
    // towards its replacement. `why` goes to the log when it is replaced.
    void ReportFailure(const std::string& why);
    // The worker answered: its run of failures is over.
    void ReportSuccess();

   private:
    HgWorkerPool* pool_;
    int index_;
    int port_;
  };

  explicit HgWorkerPool(HgWorkerOptions options);
  ~HgWorkerPool();  // Stop()

  void Start();
  // SIGTERM to every worker, SIGKILL after `grace_seconds`; waits for them.
  void Stop(double grace_seconds = 10);

  // The ready worker with the fewest in-flight requests, `skip` excluded;
  // nullopt when none is ready.
  std::optional<Lease> Acquire(int skip = -1);
  std::vector<WorkerState> Snapshot() const;
  int ReadyCount() const;
  int64_t TotalReplacements() const;
  // "worker 1 (pid 123) replaced after 3 failed requests in a row (last: ...)"
  // for the most recent replacement, with its age; "" if none yet.
  std::string LastReplacement(double* age_seconds) const;
  int size() const { return options_.workers; }

 private:
  struct Slot {
    std::atomic<int> pid{0};
    std::atomic<int> port{0};
    std::atomic<bool> ready{false};
    std::atomic<int64_t> in_flight{0};
    std::atomic<int64_t> restarts{0};
    std::atomic<int64_t> replacements{0};
    std::atomic<int64_t> failures{0};
    std::atomic<int> consecutive_failures{0};
    std::atomic<bool> replace{false};  // set by a request, acted on by Monitor()
    std::string last_failure;          // guarded by the pool's last_mu_
    // Monitor-thread only.
    double backoff = 0.5;
    std::chrono::steady_clock::time_point restart_at{};
    std::chrono::steady_clock::time_point started_at{};
    bool warmup_logged = false;
  };
  void Monitor();
  void Spawn(Slot& slot);
  bool WarmUp(int port) const;
  // Counts a failed request; true when the worker has now failed
  // replace_after_failures times in a row.
  bool RecordFailure(int index, const std::string& why);
  // Kills and reaps the worker of `index` (Monitor() thread only).
  void Replace(int index);
  // Bookkeeping of a reaped worker: out of rotation, restart scheduled.
  void Exited(Slot& slot, int pid, int status);

  HgWorkerOptions options_;
  std::unique_ptr<Slot[]> slots_;
  std::thread monitor_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  mutable std::mutex last_mu_;
  std::string last_replacement_;  // guarded by last_mu_
  std::chrono::steady_clock::time_point last_replacement_at_{};
};

}  // namespace hgc
