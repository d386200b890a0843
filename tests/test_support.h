// Helpers shared by the tests: scratch directories, running commands,
// waiting on conditions with a deadline (never sleeping as synchronisation).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/subprocess.h"
#include "message/push_record.h"

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

// Checks `condition` until it holds or `timeout` passes; returns whether it
// held. Checks start 5 ms apart and back off to 50 ms, so a condition that
// runs processes does not turn into a storm of them.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(60));

// inotify on a few directories (not recursive): Wait() returns as soon as
// something is created, written, renamed or deleted in one of them. Lets a
// test re-check an expensive condition (hg processes) only when the files it
// reads changed. Not thread-safe: one waiting thread.
class DirWatch {
 public:
  DirWatch();
  ~DirWatch();
  DirWatch(const DirWatch&) = delete;
  DirWatch& operator=(const DirWatch&) = delete;
  // Watches `dir` under `tag`. A directory that does not exist yet is watched
  // through its nearest existing parent (call Add again once it exists: the
  // same path, replaced or new, gets a fresh watch). Cheap when repeated.
  void Add(const std::string& dir, int tag);
  // Blocks until at least one event or `timeout`; returns the tags of the
  // directories that had events (empty on timeout).
  std::set<int> Wait(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::map<int, std::set<int>> tags_;  // watch descriptor -> tags
};

// How many times `what` occurs in `text` (not overlapping).
size_t CountOccurrences(const std::string& text, const std::string& what);

// Makes sure /etc/hgcluster exists and holds a file no package owns. Test
// hosts (tests/deployment.h) bind-mount their own /etc/hgcluster onto it,
// and Linux unmounts those mounts in every namespace when the directory is
// removed: so purging the hgcluster package (InstallE2E) must never remove
// it while they run. dpkg leaves a directory that is not empty.
void KeepEtcHgcluster();

// Runs a shell command line; returns its result. The `hg` the line names is
// the tests' client hg (TestHgArgv): chg when the machine has it. What the
// line starts (daemons, `hgcluster` commands, their hg processes) sees the
// plain `hg` of PATH: a shell function is not inherited by programs. With
// PATH in `env` (another hg), `hg` is that PATH's.
ProcessResult Sh(const std::string& command, const std::map<std::string, std::string>& env = {});

// The tests' own hg commands (a client that commits, pushes and pulls, a
// test reading a repository) cost ~150 ms of Python start-up each, and the
// end-to-end suite runs thousands of them. When chg (Mercurial's client of a
// forked command server, shipped with hg) sits beside the hg on PATH, they
// go through it: ~10 ms each, same hg, same output and exit status. Never
// for what is under test. HGCLUSTER_TEST_CHG=0 turns it off. The servers'
// sockets are in a directory of this process, removed when it exits (a chg
// server exits within seconds of losing its socket).
// `hg` + args, or chg + args with the environment chg needs in `env`.
std::vector<std::string> TestHgArgv(std::vector<std::string> args,
                                    std::map<std::string, std::string>& env);

// In client repository `client`: update to tip, append a line to `file`,
// commit. Returns hg's exit code.
int CommitChange(const std::string& client, const std::string& file = "f");

// Runs `hg ARGS` as a client would, without any user config (HGRCPATH
// empty, HGPLAIN), committing as a test user.
ProcessResult PlainHg(const std::string& args);

// The node of a repository's tip, read by hg without any config.
std::string TipNode(const std::string& repo);

// Whether a repository's changelog holds `node` (hex), hidden or not; false
// when it cannot be read (not there yet). Native: no hg process per poll.
bool ChangelogHas(const std::string& repo, const std::string& node);

// Every push of a repository's pushlog, oldest first; none without one.
std::vector<PushRecord> PushlogOf(const std::string& repo);

// Runs the hgcluster binary under test.
ProcessResult Hgcluster(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {});

std::string HgclusterBin();

// A process's resident memory (VmRSS) in KB; -1 when it cannot be read.
long ResidentKb(int pid);

// Tip, heads (phase, branch, closed), bookmarks and draft changesets of a
// repo as one comparable string (one hg process).
std::string RepoFingerprint(const std::string& repo);

// The directories whose files RepoFingerprint reads (for a DirWatch).
std::vector<std::string> RepoFingerprintDirs(const std::string& repo);

}  // namespace hgc::test
