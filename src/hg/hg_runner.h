// Runs hg commands against a repository. The consumer talks to hg only
// through this interface so tests can inject failures (and a command-server
// pool can replace process spawning without touching callers).
// Thread-safety: implementations must allow concurrent Run() calls for
// different repositories.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/subprocess.h"

namespace hgc {

class HgRunner {
 public:
  virtual ~HgRunner() = default;
  // Runs `hg <args>` with -R `repo` when repo is not empty.
  virtual ProcessResult Run(const std::string& repo, const std::vector<std::string>& args) = 0;
  // Path of the hg executable, as shown in logs.
  virtual const std::string& hg_path() const = 0;
};

// Spawns one hg process per command with HGPLAIN=1, HGENCODING=UTF-8 and a
// fixed HGRCPATH (so a leader's hooks in the operator's environment can never
// fire on a mirror).
std::unique_ptr<HgRunner> MakeProcessHgRunner(const std::string& hg_path,
                                              const std::string& hgrcpath,
                                              std::vector<std::string> extra_config = {});

}  // namespace hgc
