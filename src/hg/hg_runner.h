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

// How a process runner starts hg.
struct HgProcessOptions {
  std::string hg = "hg";
  // A fixed HGRCPATH (so a leader's hooks in the operator's environment can
  // never fire on a mirror); "" reads no configuration but the repository's.
  std::string hgrcpath;
  // Instead: the caller's own HGRCPATH (operator commands on the leader
  // that should see its system configuration).
  bool keep_hgrcpath = false;
  std::vector<std::string> extra_config;   // --config items before the command
  std::map<std::string, std::string> env;  // more variables (HGUSER, USER)
  // HGPLAIN=1 for output that code parses; false unsets it, for output shown
  // to a user as hg would show it.
  bool plain = true;
};

// Spawns one hg process per command with HGENCODING=UTF-8, the options'
// HGRCPATH and HGPLAIN, and no HG_PENDING from a calling hook.
std::unique_ptr<HgRunner> MakeProcessHgRunner(HgProcessOptions options);
std::unique_ptr<HgRunner> MakeProcessHgRunner(const std::string& hg_path,
                                              const std::string& hgrcpath,
                                              std::vector<std::string> extra_config = {});

// One hg command through a process runner (for code that runs one or two):
// PlainHg(hgrcpath)->Run(repo, args).
std::unique_ptr<HgRunner> PlainHg(const std::string& hgrcpath = "",
                                  std::map<std::string, std::string> env = {});

}  // namespace hgc
