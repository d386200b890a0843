// Mercurial command servers (`hg serve --cmdserver pipe`): one long-lived hg
// process runs many commands, so a command costs ~1 ms instead of a ~100 ms
// Python start (bench/hg_runner_bench.cc). `CommandServer` speaks the pipe protocol;
// `CmdServerHgRunner` is the HgRunner that pools servers per repository — the
// mirror consumer's fast path — and falls back to one process per command
// whenever a server cannot give the same answer a fresh process would.
// Thread-safety: a CommandServer is used by one thread at a time.
// CmdServerHgRunner allows concurrent Run() calls (also for the same repo).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/subprocess.h"
#include "hg/hg_runner.h"

namespace hgc {

struct CommandServerOptions {
  std::string hg_path = "hg";
  std::string repo;                       // `-R repo`; empty: a server without a repo
  std::string hgrcpath;                   // HGRCPATH of the server (HGPLAIN=1 is always set)
  std::vector<std::string> extra_config;  // `--config` entries of the server
  // Limit for the hello and for each command; nullopt waits forever.
  std::optional<std::chrono::milliseconds> timeout;
};

class CommandServer {
 public:
  // Starts the server and reads its hello. Throws Error(kHgFailed) when hg
  // cannot start, exits before the hello (e.g. `-R` of a missing repo), or does
  // not offer `runcommand`.
  explicit CommandServer(CommandServerOptions options);
  // Kills and reaps the server: SIGKILL when idle; mid-command SIGTERM first
  // (hg rolls back its transaction), SIGKILL after a grace period.
  ~CommandServer();
  CommandServer(const CommandServer&) = delete;
  CommandServer& operator=(const CommandServer&) = delete;

  // Runs `hg <args>` in the server. The result holds the exit code and the
  // stdout/stderr channels, plus what the server wrote to its own stderr
  // while starting (config and extension warnings, which a process would
  // print for every command) and while this command ran. Throws
  // Error(kHgFailed) when the server dies, breaks the protocol, asks for a
  // required channel we do not know, or the timeout passes; the server is
  // then killed and usable() is false.
  ProcessResult Run(const std::vector<std::string>& args);

  void set_timeout(std::optional<std::chrono::milliseconds> timeout) { options_.timeout = timeout; }
  bool usable() const { return usable_; }
  // Whether the failure that made the server unusable was the timeout.
  bool timed_out() const { return timed_out_; }
  pid_t pid() const { return pid_; }  // -1 once killed
  const std::string& repo() const { return options_.repo; }

 private:
  struct Frame {
    char channel = 0;
    uint32_t length = 0;  // data size, or the requested size for 'I'/'L'
    std::string data;
  };
  using Clock = std::chrono::steady_clock;

  void Spawn();
  void ReadHello();
  [[noreturn]] void Fail(const std::string& what, bool timed_out = false);
  std::optional<Clock::time_point> Deadline() const;
  // Reads one frame; server stderr is appended to `err_sink` (may be null).
  Frame ReadFrame(std::optional<Clock::time_point> deadline, std::string* err_sink);
  // Fills in_buf_ to at least `n` bytes, draining the server's stderr meanwhile.
  void FillTo(size_t n, std::optional<Clock::time_point> deadline, std::string* err_sink);
  void WriteAll(const std::string& data, std::optional<Clock::time_point> deadline);
  void DrainStderr(std::string* sink);
  void Terminate();

  CommandServerOptions options_;
  pid_t pid_ = -1;
  int to_server_ = -1;    // server stdin
  int from_server_ = -1;  // server stdout: the channels
  int server_err_ = -1;   // server stderr: stray output (protectio sends fd 1 there)
  std::string in_buf_;
  size_t in_pos_ = 0;
  std::string err_tail_;     // last bytes of server stderr, for error messages
  std::string ended_;        // how the process ended, once reaped
  std::string startup_err_;  // stderr before the hello, replayed for each command
  bool usable_ = false;
  bool timed_out_ = false;
  bool in_command_ = false;  // a request was sent and its result not read yet
};

struct CmdServerRunnerStats {
  uint64_t server_commands = 0;   // answered by a command server
  uint64_t process_commands = 0;  // answered by a fresh hg process (fallbacks)
  uint64_t servers_started = 0;
  uint64_t server_failures = 0;  // servers that died, timed out or failed to start
};

// HgRunner with a pool of command servers keyed by repository (at most one idle
// server per repo; a repo whose server is busy in another thread gets a second
// one). Falls back to MakeProcessHgRunner for: an empty repo (init,
// debugpushkey PATH), a path without `.hg`, and a command whose server died
// twice (once on a reused or fresh server, once more on a fresh one). A
// server is discarded after a non-zero exit (hg state after an abandoned
// transaction is safer in a fresh process) and when the repo's `.hg`,
// requires, hgrc files or the HGRCPATH files changed since it started — a
// server reads config only once. A command timeout kills the server and
// throws Error(kHgFailed) without retrying.
// Known differences from a process, inherent to hg's command server: output
// of external hooks (stdout and stderr) arrives on stdout, and `hg config`
// lists ui.nontty=true.
class CmdServerHgRunner final : public HgRunner {
 public:
  CmdServerHgRunner(std::string hg_path, std::string hgrcpath,
                    std::vector<std::string> extra_config, size_t max_servers = 16);
  ~CmdServerHgRunner() override;

  ProcessResult Run(const std::string& repo, const std::vector<std::string>& args) override;
  const std::string& hg_path() const override { return hg_; }

  // Applies to commands run by a server (not to process fallbacks).
  void set_command_timeout(std::optional<std::chrono::milliseconds> timeout);
  CmdServerRunnerStats stats() const;
  // Pids of the idle servers for `repo` (at most one); tests kill them.
  std::vector<pid_t> IdleServerPids(const std::string& repo) const;
  size_t live_servers() const;  // idle + busy

 private:
  struct State;
  const std::string hg_;
  std::unique_ptr<State> state_;
};

std::unique_ptr<HgRunner> MakeCmdServerHgRunner(const std::string& hg_path,
                                                const std::string& hgrcpath,
                                                std::vector<std::string> extra_config,
                                                size_t max_servers = 16);

}  // namespace hgc
