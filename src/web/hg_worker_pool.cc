#include "web/hg_worker_pool.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/logline.h"
#include "common/loopback_port.h"
#include "web/upstream.h"

extern char** environ;

namespace hgc {
namespace {

const char* kWorkersLogger = "hgcluster.web.workers";

}  // namespace

HgWorkerPool::Lease::~Lease() {
  if (pool_) pool_->slots_[index_].in_flight.fetch_sub(1, std::memory_order_relaxed);
}

void HgWorkerPool::Lease::MarkUnreachable() {
  if (pool_) pool_->slots_[index_].ready.store(false, std::memory_order_relaxed);
}

void HgWorkerPool::Lease::ReportFailure(const std::string& why) {
  if (!pool_ || !pool_->RecordFailure(index_, why)) return;
  Slot& s = pool_->slots_[index_];
  if (!s.replace.exchange(true)) {
    // Out of rotation now; the monitor kills it and starts a fresh one.
    s.ready.store(false);
    pool_->cv_.notify_all();
  }
}

bool HgWorkerPool::RecordFailure(int index, const std::string& why) {
  Slot& s = slots_[index];
  s.failures.fetch_add(1);
  int run = s.consecutive_failures.fetch_add(1) + 1;
  {
    std::lock_guard lock(last_mu_);
    s.last_failure = why;
  }
  return options_.replace_after_failures > 0 && run >= options_.replace_after_failures;
}

void HgWorkerPool::Lease::ReportSuccess() {
  if (pool_) pool_->slots_[index_].consecutive_failures.store(0, std::memory_order_relaxed);
}

HgWorkerPool::HgWorkerPool(HgWorkerOptions options)
    : options_(std::move(options)), slots_(new Slot[std::max(options_.workers, 1)]) {}

HgWorkerPool::~HgWorkerPool() { Stop(); }

void HgWorkerPool::Start() {
  if (options_.workers <= 0 || monitor_.joinable()) return;
  for (int i = 0; i < options_.workers; ++i) Spawn(slots_[i]);
  monitor_ = std::thread([this] { Monitor(); });
}

void HgWorkerPool::Spawn(Slot& slot) {
  int port = PickLoopbackPort();
  // Everything the child needs is built before fork(): after it, only
  // async-signal-safe calls.
  std::vector<std::string> argv = {options_.hg, "serve",     "--web-conf", options_.hgweb_conf,
                                   "-a",        "127.0.0.1", "-p",         std::to_string(port)};
  for (const auto& c : options_.config) argv.push_back("--config=" + c);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "HGRCPATH=", 9) == 0 || std::strncmp(*e, "HGPLAIN=", 8) == 0 ||
        std::strncmp(*e, "HGDEMANDIMPORT=", 15) == 0) {
      continue;
    }
    env.emplace_back(*e);
  }
  if (!options_.hgrcpath.empty()) env.push_back("HGRCPATH=" + options_.hgrcpath);
  env.push_back("HGPLAIN=1");
  // Lazy imports race in a threaded server: two first requests at once get
  // "module 'mercurial.discovery' has no attribute 'outgoing'" (a 500, or a
  // clone cut mid-stream). Loading every module at start costs ~0.2 s once.
  env.push_back("HGDEMANDIMPORT=disable");
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  std::string log = options_.log_path.empty() ? "/dev/null" : options_.log_path;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw Error(ErrorKind::kIo, std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    // Die with the front: a worker must never outlive the process that
    // chose its port.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (devnull >= 0) dup2(devnull, 0);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    execvpe(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  slot.port.store(port);
  slot.ready.store(false);
  slot.pid.store(pid);
  slot.started_at = std::chrono::steady_clock::now();
  slot.warmup_logged = false;
  LogLine(kWorkersLogger, fmt::format("started hg worker (pid {}) on 127.0.0.1:{}", pid, port));
}

bool HgWorkerPool::WarmUp(int port) const {
  // One full request through hg's HTTP stack (the server thread, hgwebdir,
  // the templater) before any client request can land on this worker.
  std::string head = fmt::format(
      "GET {} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nUser-Agent: hgcluster-web-warmup\r\n"
      "Connection: close\r\n\r\n",
      options_.warmup_path, port);
  try {
    auto ex = UpstreamExchange::Open(
        port, head, "", std::max(1, static_cast<int>(options_.warmup_timeout_seconds)));
    if (!ex) return false;
    ex->ReadHead();
    char buf[16384];
    while (ex->ReadBody(buf, sizeof buf) > 0) {
    }
    return ex->status() > 0 && ex->status() < 500;
  } catch (const Error&) {
    return false;
  }
}

void HgWorkerPool::Replace(int index) {
  Slot& s = slots_[index];
  int pid = s.pid.load();
  int run = s.consecutive_failures.load();
  std::string last;
  {
    std::lock_guard lock(last_mu_);
    last = s.last_failure;
  }
  std::string what =
      fmt::format("hg worker {} (pid {}) replaced after {} failed requests in a row (last: {})",
                  index, pid, run, last.empty() ? "?" : last);
  s.ready.store(false);
  s.replacements.fetch_add(1);
  s.consecutive_failures.store(0);
  s.replace.store(false);
  {
    std::lock_guard lock(last_mu_);
    last_replacement_ = what;
    last_replacement_at_ = std::chrono::steady_clock::now();
  }
  LogLine(kWorkersLogger, what);
  if (pid > 0) {
    // Reaped here, so the dying process can never pass a readiness check;
    // restarted by Monitor() with the usual backoff.
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    Exited(s, pid, status);
  }
}

void HgWorkerPool::Exited(Slot& s, int pid, int status) {
  auto now = std::chrono::steady_clock::now();
  s.ready.store(false);
  s.replace.store(false);
  s.consecutive_failures.store(0);
  s.pid.store(0);
  // A worker that ran a while before dying restarts at once.
  if (now - s.started_at > std::chrono::seconds(30)) s.backoff = 0.5;
  s.restart_at = now + std::chrono::milliseconds(static_cast<int64_t>(s.backoff * 1000));
  LogLine(kWorkersLogger, fmt::format("hg worker (pid {}) exited with status {}; restarting in {}s",
                                      pid, status, s.backoff));
  s.backoff = std::min(30.0, s.backoff * 2);
}

void HgWorkerPool::Monitor() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto now = Clock::now();
    for (int i = 0; i < options_.workers; ++i) {
      Slot& s = slots_[i];
      int pid = s.pid.load();
      if (pid > 0) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
          Exited(s, pid, status);
        } else if (s.replace.load()) {
          Replace(i);
        } else if (!s.ready.load() && LoopbackPortAccepts(s.port.load())) {
          if (WarmUp(s.port.load())) {
            if (!s.warmup_logged) {
              LogLine(kWorkersLogger,
                      fmt::format(
                          "hg worker (pid {}) answered its warm-up request {:.2f}s "
                          "after start; taking requests",
                          pid, std::chrono::duration<double>(Clock::now() - s.started_at).count()));
              s.warmup_logged = true;
            }
            s.ready.store(true);
          } else {
            // Listening but failing: counts like a failed request, so a
            // worker that never answers is replaced too.
            if (RecordFailure(i, "warm-up request " + options_.warmup_path + " failed")) {
              Replace(i);
            }
          }
        }
      } else if (now >= s.restart_at) {
        try {
          Spawn(s);
          s.restarts.fetch_add(1);
        } catch (const Error& e) {
          LogLine(kWorkersLogger, fmt::format("cannot start an hg worker: {}", e.what()));
          s.restart_at = now + std::chrono::seconds(1);
        }
      }
    }
    lock.lock();
    // Fast while a worker is starting (readiness is a connect), slower once
    // all are serving.
    cv_.wait_for(lock, ReadyCount() == options_.workers ? std::chrono::milliseconds(200)
                                                        : std::chrono::milliseconds(20));
  }
}

void HgWorkerPool::Stop(double grace_seconds) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
  for (int i = 0; i < options_.workers; ++i) {
    slots_[i].ready.store(false);
    int pid = slots_[i].pid.load();
    if (pid > 0) kill(pid, SIGTERM);
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(grace_seconds * 1000));
  for (int i = 0; i < options_.workers; ++i) {
    int pid = slots_[i].pid.load();
    while (pid > 0) {
      int status = 0;
      pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) break;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    slots_[i].pid.store(0);
  }
}

std::optional<HgWorkerPool::Lease> HgWorkerPool::Acquire(int skip) {
  int best = -1;
  int64_t best_load = 0;
  for (int i = 0; i < options_.workers; ++i) {
    if (i == skip || !slots_[i].ready.load(std::memory_order_relaxed)) continue;
    int64_t load = slots_[i].in_flight.load(std::memory_order_relaxed);
    if (best < 0 || load < best_load) {
      best = i;
      best_load = load;
    }
  }
  if (best < 0) return std::nullopt;
  slots_[best].in_flight.fetch_add(1, std::memory_order_relaxed);
  return Lease(this, best, slots_[best].port.load(std::memory_order_relaxed));
}

std::vector<HgWorkerPool::WorkerState> HgWorkerPool::Snapshot() const {
  std::vector<WorkerState> out;
  for (int i = 0; i < options_.workers; ++i) {
    const Slot& s = slots_[i];
    out.push_back({i, s.pid.load(), s.port.load(), s.ready.load(), s.in_flight.load(),
                   s.restarts.load(), s.replacements.load(), s.failures.load(),
                   s.consecutive_failures.load()});
  }
  return out;
}

int HgWorkerPool::ReadyCount() const {
  int n = 0;
  for (int i = 0; i < options_.workers; ++i) n += slots_[i].ready.load() ? 1 : 0;
  return n;
}

int64_t HgWorkerPool::TotalReplacements() const {
  int64_t n = 0;
  for (int i = 0; i < options_.workers; ++i) n += slots_[i].replacements.load();
  return n;
}

std::string HgWorkerPool::LastReplacement(double* age_seconds) const {
  std::lock_guard lock(last_mu_);
  if (age_seconds) {
    *age_seconds =
        last_replacement_.empty()
            ? 0
            : std::chrono::duration<double>(std::chrono::steady_clock::now() - last_replacement_at_)
                  .count();
  }
  return last_replacement_;
}

}  // namespace hgc
