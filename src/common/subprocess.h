// Runs a child process to completion, capturing stdout and stderr. This is
// the one place the project forks: hg, ssh helpers and our own daemons.
// Thread-safety: each call is independent; safe from several threads.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hgc {

struct ProcessResult {
  int exit_code = -1;  // 128+signal when killed by a signal
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0; }
};

struct ProcessOptions {
  std::string cwd;                             // empty: inherit
  std::map<std::string, std::string> env_set;  // added or overridden
  std::vector<std::string> env_unset;
  std::optional<std::string> stdin_data;  // nullopt: /dev/null
  // SpawnDaemon only: the child gets SIGTERM when the spawning thread dies, so
  // a SIGKILLed supervisor leaves no orphan running master-only work.
  bool die_with_parent = false;
};

// argv[0] is looked up in PATH. Throws Error(kIo) if the process cannot start.
ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Starts a process detached from us (own session, output to `log_path`) and
// returns its pid.
int SpawnDaemon(const std::vector<std::string>& argv, const std::string& log_path,
                const ProcessOptions& options = {});

// Shell-quotes one argument the way python's pipes.quote / hglib logs do.
std::string ShellQuote(const std::string& arg);

// Path of the running executable (/proc/self/exe).
std::string SelfExecutable();

}  // namespace hgc
