#include "web/web_cmd.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common/error.h"
#include "common/logline.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "web/native_commands.h"
#include "web/web_config.h"
#include "web/web_front.h"

namespace hgc {
namespace {

using SteadyClock = std::chrono::steady_clock;

int RunWeb(const std::string& config_path) {
  WebConfig config = WebConfig::Load(config_path);
  // Signals are taken by one thread (sigwait); every thread created from here
  // on inherits the mask. The hg workers reset it before exec.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  RepoCommands commands;
  RegisterNativeRepoCommands(commands);
  WebFront front(config, std::move(commands));
  front.Bind();
  if (!config.pid_file.empty()) WriteFileAtomic(config.pid_file, fmt::format("{}\n", getpid()));
  std::atomic<bool> served{false};
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    LogLine("hgcluster.web", fmt::format("received signal {}; draining", sig));
    front.Drain();
    // A client that stopped reading can hold its connection's thread past
    // the deadline; do not let it hold the process too.
    auto deadline = SteadyClock::now() + std::chrono::seconds(config.keep_alive_timeout + 5);
    while (!served.load() && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!served.load()) {
      LogLine("hgcluster.web", "connections still open after the drain; exiting");
      if (!config.pid_file.empty()) std::filesystem::remove(config.pid_file);
      _exit(1);
    }
  });
  bool in_time = front.Serve();
  served = true;
  signals.join();
  if (!config.pid_file.empty()) std::filesystem::remove(config.pid_file);
  LogLine("hgcluster.web", in_time ? "drained; exiting" : "drain deadline passed; exiting");
  return in_time ? 0 : 1;
}

int DrainWeb(const std::string& config_path) {
  WebConfig config = WebConfig::Load(config_path);
  if (config.pid_file.empty()) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{}: [web] pid_file is not set, so the running front cannot be found",
                            config.origin));
  }
  std::string text = ReadFileOrEmpty(config.pid_file);
  int pid = text.empty() ? 0 : std::atoi(text.c_str());
  if (!ProcessAlive(pid)) {
    std::cout << fmt::format("hgcluster web is not running (no live pid in {})", config.pid_file)
              << std::endl;
    return 0;
  }
  if (kill(pid, SIGTERM) != 0) {
    throw Error(ErrorKind::kIo, fmt::format("cannot signal pid {}: {}", pid, strerror(errno)));
  }
  std::cout << fmt::format(
                   "draining hgcluster web (pid {}) on {}:{}: health answers 503, new "
                   "connections are refused, in-flight requests have {}s to finish",
                   pid, config.listen_host, config.listen_port, config.drain_timeout)
            << std::endl;
  auto start = SteadyClock::now();
  auto limit = std::chrono::milliseconds(
      static_cast<int64_t>((config.drain_grace + config.drain_timeout + 30) * 1000));
  auto next_report = start + std::chrono::seconds(1);
  while (ProcessAlive(pid)) {
    auto now = SteadyClock::now();
    if (now - start > limit) {
      std::cout << fmt::format(
                       "hgcluster web (pid {}) still running after {}s; giving up", pid,
                       std::chrono::duration_cast<std::chrono::seconds>(now - start).count())
                << std::endl;
      return 1;
    }
    if (now >= next_report) {
      std::cout << fmt::format(
                       "  waiting for in-flight requests ({}s)",
                       std::chrono::duration_cast<std::chrono::seconds>(now - start).count())
                << std::endl;
      next_report += std::chrono::seconds(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::cout << fmt::format("hgcluster web (pid {}) drained and stopped after {:.1f}s", pid,
                           std::chrono::duration<double>(SteadyClock::now() - start).count())
            << std::endl;
  return 0;
}

}  // namespace

void RegisterWebCommand(CLI::App& app) {
  auto config = std::make_shared<std::string>();
  auto drain = std::make_shared<bool>(false);
  auto* web = app.add_subcommand(
      "web", "a mirror's HTTP front: hg workers, native commands, server-status, metrics");
  web->add_option("config", *config, "web.ini ([web] section)")->required();
  web->add_flag("--drain", *drain,
                "signal the running front to drain (via pid_file) and wait for it to exit");
  web->callback([=] { throw CLI::RuntimeError(*drain ? DrainWeb(*config) : RunWeb(*config)); });
}

}  // namespace hgc
