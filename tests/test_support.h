// Helpers shared by the tests: scratch directories, running commands,
// waiting on conditions with a deadline (never sleeping as synchronisation).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/subprocess.h"

namespace hgc::test {

// A fresh directory under /tmp removed at destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Polls `condition` every few milliseconds until it holds or `timeout`
// passes; returns whether it held.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs a shell command line; returns its result.
ProcessResult Sh(const std::string& command, const std::map<std::string, std::string>& env = {});

// In client repository `client`: update to tip, append a line to `file`,
// commit. Returns hg's exit code.
int CommitChange(const std::string& client, const std::string& file = "f");

// Runs the hgcluster binary under test.
ProcessResult Hgcluster(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {});

std::string HgclusterBin();

// Heads/bookmarks/phases of a repo as one comparable string.
std::string RepoFingerprint(const std::string& repo);

}  // namespace hgc::test
