// An HgRunner for tests of failure paths: it passes commands to a real
// runner, except the ones a rule picks, which fail as hg fails (exit 255,
// "abort: ..." on stderr) — either before the command runs (hg could not
// start, or aborted early: nothing changed) or after it ran (the command
// did its work, then the process died or reported failure: the caller
// must cope with the effect already on disk).
// Thread-safety: Run() may be called concurrently; rules are set before.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hg/hg_runner.h"

namespace hgc {

class FaultyHgRunner : public HgRunner {
 public:
  enum class When { kBefore, kAfter };
  explicit FaultyHgRunner(HgRunner& real) : real_(real) {}

  // Fails the `nth` (1-based) call whose first argument that does not start
  // with "--" is `command` ("pull", "debugpushkey", "strip", "init", ...).
  void FailNth(const std::string& command, int nth, When when);

  ProcessResult Run(const std::string& repo, const std::vector<std::string>& args) override;
  const std::string& hg_path() const override { return real_.hg_path(); }

  // Calls seen per command, and faults injected so far.
  int Calls(const std::string& command) const;
  int Injected() const { return injected_.load(); }

 private:
  struct Rule {
    std::string command;
    int nth;
    When when;
  };
  HgRunner& real_;
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  std::vector<std::pair<std::string, int>> calls_;
  std::atomic<int> injected_{0};
};

}  // namespace hgc
