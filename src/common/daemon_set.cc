#include "common/daemon_set.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "common/error.h"
#include "common/logline.h"

namespace hgc {

void DaemonSet::Add(DaemonSpec spec) { entries_.push_back(Entry{std::move(spec)}); }

void DaemonSet::Start(Entry& e, const char* verb) {
  e.pid = SpawnDaemon(e.spec.argv, e.spec.log, e.spec.options);
  e.started = clock_.Now();
  LogLine(logger_, fmt::format("{} {} (pid {})", verb, e.spec.name, e.pid));
}

void DaemonSet::StartAll() {
  auto now = clock_.Now();
  for (auto& e : entries_) {
    if (e.pid != 0) continue;
    if (e.spec.every > 0) {
      // A timer's first run is one period after the start (systemd's
      // OnActiveSec), like every later one.
      e.restart_at = now + std::chrono::milliseconds(static_cast<int64_t>(e.spec.every * 1000));
      LogLine(logger_, fmt::format("started timer {} (every {}s)", e.spec.name, e.spec.every));
    } else {
      Start(e, "started");
    }
  }
  running_ = true;
}

bool DaemonSet::Tick() {
  if (!running_) return false;
  bool changed = false;
  auto now = clock_.Now();
  for (auto& e : entries_) {
    if (e.pid > 0) {
      int status = 0;
      if (waitpid(e.pid, &status, WNOHANG) != e.pid) continue;
      changed = true;
      if (e.spec.every > 0) {
        e.restart_at = now + std::chrono::milliseconds(static_cast<int64_t>(e.spec.every * 1000));
        if (status != 0) {
          LogLine(logger_,
                  fmt::format("{} (pid {}) exited with status {}", e.spec.name, e.pid, status));
        }
      } else {
        if (now - e.started > std::chrono::seconds(60)) e.backoff = 1;
        LogLine(logger_, fmt::format("{} (pid {}) exited with status {}; restarting in {}s",
                                     e.spec.name, e.pid, status, e.backoff));
        e.restart_at = now + std::chrono::milliseconds(static_cast<int64_t>(e.backoff * 1000));
        e.backoff = std::min(30.0, e.backoff * 2);
      }
      e.pid = 0;
    }
    if (e.pid == 0 && now >= e.restart_at) {
      Start(e, e.spec.every > 0 ? "ran" : "restarted");
      changed = true;
    }
  }
  return changed;
}

void DaemonSet::StopAll(std::chrono::seconds grace) {
  running_ = false;
  for (auto& e : entries_) {
    if (e.pid > 0) kill(e.pid, SIGTERM);
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  for (auto& e : entries_) {
    while (e.pid > 0) {
      int status = 0;
      pid_t r = waitpid(e.pid, &status, WNOHANG);
      if (r == e.pid || (r < 0 && errno == ECHILD)) {
        LogLine(logger_, fmt::format("stopped {} (pid {})", e.spec.name, e.pid));
        e.pid = 0;
      } else if (std::chrono::steady_clock::now() > deadline) {
        kill(e.pid, SIGKILL);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    e.backoff = 1;
    e.restart_at = {};
  }
}

}  // namespace hgc
