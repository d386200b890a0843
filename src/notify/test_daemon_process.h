// Test-only: runs a command as a background process (own session, output
// to a file) and waits for it with a deadline; killed if still running at
// destruction. Header-only. Thread-safety: test code, one thread.
#pragma once

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/subprocess.h"
#include "test_support.h"

namespace hgc::test {

class DaemonProcess {
 public:
  DaemonProcess(const std::vector<std::string>& argv, const std::string& log_path,
                const std::map<std::string, std::string>& env = {})
      : log_path_(log_path) {
    ProcessOptions o;
    o.env_set = env;
    pid_ = SpawnDaemon(argv, log_path, o);
  }
  ~DaemonProcess() {
    if (pid_ > 0 && exit_code_ < 0) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  void Signal(int sig) { kill(pid_, sig); }
  // The whole process group (SpawnDaemon makes the child a session leader).
  void SignalGroup(int sig) { kill(-pid_, sig); }
  // Exit code, or -1 if still running after `timeout`.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    WaitFor(
        [&] {
          int status = 0;
          if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          }
          return exit_code_ >= 0;
        },
        timeout);
    return exit_code_;
  }
  std::string Output() const {
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string log_path_;
  int pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace hgc::test
