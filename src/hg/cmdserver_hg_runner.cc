// HgRunner over a pool of Mercurial command servers, one idle server per
// repository, least recently used evicted beyond max_servers. Whatever a
// server might answer differently from a fresh process goes to a process:
// no repo, a missing repo, a server that died twice. Servers are dropped
// after a failed command and when the files hg reads only at start changed.
// Thread-safety: Run() may be called from many threads; the pool is guarded
// by one mutex that is never held while hg runs or starts.
#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <list>
#include <mutex>
#include <sstream>

#include "common/error.h"
#include "hg/cmdserver.h"

namespace hgc {
namespace {

struct FileStamp {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t mtime_ns = 0;
  off_t size = 0;
  bool operator==(const FileStamp&) const = default;
};

// What hg reads once when a server starts (and a process reads every time):
// identity of `.hg` (a deleted and re-created repo is another repo), the
// requirements and the config files. Their stamps decide whether an idle
// server still sees the repo as a fresh process would. Files pulled in by
// `%include` are not followed.
using RepoStamp = std::vector<FileStamp>;

FileStamp Stat(const std::string& path, bool identity_only = false) {
  struct stat st;
  FileStamp f;
  if (stat(path.c_str(), &st) != 0) return f;
  f.exists = true;
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  if (!identity_only) {
    // `.hg`'s own mtime moves with every journal file, hence identity only there.
    f.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
    f.size = st.st_size;
  }
  return f;
}

void StampHgrcPath(const std::string& hgrcpath, RepoStamp& out) {
  std::istringstream entries(hgrcpath);
  std::string entry;
  while (std::getline(entries, entry, ':')) {
    if (entry.empty()) continue;
    out.push_back(Stat(entry));
    // hg reads every *.rc file of a directory entry.
    if (DIR* d = opendir(entry.c_str())) {
      std::vector<std::string> names;
      while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > 3 && name.ends_with(".rc")) names.push_back(name);
      }
      closedir(d);
      std::sort(names.begin(), names.end());
      for (const auto& n : names) out.push_back(Stat(entry + "/" + n));
    }
  }
}

RepoStamp ReadStamp(const std::string& repo, const std::string& hgrcpath) {
  RepoStamp s;
  s.push_back(Stat(repo + "/.hg", /*identity_only=*/true));
  for (const char* f : {"requires", "store/requires", "hgrc", "hgrc-not-shared"}) {
    s.push_back(Stat(repo + "/.hg/" + f));
  }
  StampHgrcPath(hgrcpath, s);
  return s;
}

bool IsRepo(const std::string& repo) {
  struct stat st;
  return stat((repo + "/.hg").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string Shown(const std::vector<std::string>& args) {
  std::string s = "hg";
  for (const auto& a : args) s += " " + ShellQuote(a);
  return s;
}

}  // namespace

struct CmdServerHgRunner::State {
  struct Idle {
    std::string repo;
    RepoStamp stamp;
    std::unique_ptr<CommandServer> server;
  };

  std::string hg;
  std::string hgrcpath;
  std::vector<std::string> extra_config;
  size_t max_servers = 0;
  std::unique_ptr<HgRunner> process;

  mutable std::mutex mu;
  std::list<Idle> idle;  // front: most recently used
  size_t busy = 0;       // servers currently running a command or starting
  std::optional<std::chrono::milliseconds> timeout;
  CmdServerRunnerStats stats;

  // Takes the idle server of `repo` if it still matches `stamp` and counts a
  // busy server either way (the caller starts one when none is returned).
  // Stale servers go to `dead` to be destroyed outside the lock.
  std::unique_ptr<CommandServer> Acquire(const std::string& repo, const RepoStamp& stamp,
                                         std::vector<std::unique_ptr<CommandServer>>& dead) {
    std::lock_guard lock(mu);
    ++busy;
    for (auto it = idle.begin(); it != idle.end(); ++it) {
      if (it->repo != repo) continue;
      std::unique_ptr<CommandServer> server = std::move(it->server);
      bool fresh = it->stamp == stamp;
      idle.erase(it);
      if (fresh) return server;
      dead.push_back(std::move(server));
      return nullptr;
    }
    return nullptr;
  }

  // Ends a busy server's command; keeps the server idle when `server` is set.
  void Release(const std::string& repo, RepoStamp stamp, std::unique_ptr<CommandServer> server,
               std::vector<std::unique_ptr<CommandServer>>& dead) {
    std::lock_guard lock(mu);
    --busy;
    if (!server) return;
    // One idle server per repo is enough: the consumer runs one command per
    // repo at a time, a second one only existed because of a race.
    for (auto it = idle.begin(); it != idle.end(); ++it) {
      if (it->repo == repo) {
        dead.push_back(std::move(it->server));
        idle.erase(it);
        break;
      }
    }
    idle.push_front({repo, std::move(stamp), std::move(server)});
    while (!idle.empty() && idle.size() + busy > max_servers) {
      dead.push_back(std::move(idle.back().server));
      idle.pop_back();
    }
  }

  void DropIdle(const std::string& repo, std::vector<std::unique_ptr<CommandServer>>& dead) {
    std::lock_guard lock(mu);
    idle.remove_if([&](Idle& i) {
      if (i.repo != repo) return false;
      dead.push_back(std::move(i.server));
      return true;
    });
  }

  std::unique_ptr<CommandServer> Start(const std::string& repo) {
    CommandServerOptions o;
    o.hg_path = hg;
    o.repo = repo;
    o.hgrcpath = hgrcpath;
    o.extra_config = extra_config;
    {
      std::lock_guard lock(mu);
      o.timeout = timeout;
    }
    return std::make_unique<CommandServer>(std::move(o));
  }

  void Count(uint64_t CmdServerRunnerStats::*counter) {
    std::lock_guard lock(mu);
    ++(stats.*counter);
  }

  ProcessResult RunProcess(const std::string& repo, const std::vector<std::string>& args) {
    Count(&CmdServerRunnerStats::process_commands);
    return process->Run(repo, args);
  }
};

CmdServerHgRunner::CmdServerHgRunner(std::string hg_path, std::string hgrcpath,
                                     std::vector<std::string> extra_config, size_t max_servers)
    : hg_(std::move(hg_path)), state_(std::make_unique<State>()) {
  state_->process = MakeProcessHgRunner(hg_, hgrcpath, extra_config);
  state_->hg = hg_;
  state_->hgrcpath = std::move(hgrcpath);
  state_->extra_config = std::move(extra_config);
  state_->max_servers = max_servers;
}

CmdServerHgRunner::~CmdServerHgRunner() = default;

ProcessResult CmdServerHgRunner::Run(const std::string& repo,
                                     const std::vector<std::string>& args) {
  State& s = *state_;
  std::vector<std::unique_ptr<CommandServer>> dead;  // destroyed (killed) on return, unlocked
  if (repo.empty() || s.max_servers == 0) return s.RunProcess(repo, args);
  if (!IsRepo(repo)) {
    s.DropIdle(repo, dead);  // a deleted repo's server must not serve its successor
    return s.RunProcess(repo, args);
  }
  RepoStamp stamp = ReadStamp(repo, s.hgrcpath);
  for (int attempt = 0; attempt < 2; ++attempt) {
    // The first try may reuse an idle server; the retry always gets a fresh one.
    std::unique_ptr<CommandServer> server;
    if (attempt == 0) {
      server = s.Acquire(repo, stamp, dead);
    } else {
      std::lock_guard lock(s.mu);
      ++s.busy;
    }
    if (!server) {
      try {
        server = s.Start(repo);
        s.Count(&CmdServerRunnerStats::servers_started);
      } catch (const Error&) {
        // hg itself will say what is wrong when run as a process.
        s.Count(&CmdServerRunnerStats::server_failures);
        s.Release(repo, {}, nullptr, dead);
        break;
      }
    }
    try {
      server->set_timeout([&] {
        std::lock_guard lock(s.mu);
        return s.timeout;
      }());
      ProcessResult r = server->Run(args);
      s.Count(&CmdServerRunnerStats::server_commands);
      // After a failure the server's in-memory repo may not match the disk
      // (abandoned transaction, half-read state): start the next one afresh.
      if (!r.ok()) dead.push_back(std::move(server));
      s.Release(repo, std::move(stamp), std::move(server), dead);
      return r;
    } catch (const Error& e) {
      s.Count(&CmdServerRunnerStats::server_failures);
      bool timed_out = server->timed_out();
      dead.push_back(std::move(server));
      s.Release(repo, {}, nullptr, dead);
      if (timed_out) {
        // Running it again would only hang again (and a process has no timeout).
        throw Error(ErrorKind::kHgFailed, fmt::format("{}: {}", Shown(args), e.what()));
      }
    }
  }
  return s.RunProcess(repo, args);
}

void CmdServerHgRunner::set_command_timeout(std::optional<std::chrono::milliseconds> timeout) {
  std::lock_guard lock(state_->mu);
  state_->timeout = timeout;
}

CmdServerRunnerStats CmdServerHgRunner::stats() const {
  std::lock_guard lock(state_->mu);
  return state_->stats;
}

std::vector<pid_t> CmdServerHgRunner::IdleServerPids(const std::string& repo) const {
  std::lock_guard lock(state_->mu);
  std::vector<pid_t> pids;
  for (const auto& i : state_->idle) {
    if (i.repo == repo) pids.push_back(i.server->pid());
  }
  return pids;
}

size_t CmdServerHgRunner::live_servers() const {
  std::lock_guard lock(state_->mu);
  return state_->idle.size() + state_->busy;
}

std::unique_ptr<HgRunner> MakeCmdServerHgRunner(const std::string& hg_path,
                                                const std::string& hgrcpath,
                                                std::vector<std::string> extra_config,
                                                size_t max_servers) {
  return std::make_unique<CmdServerHgRunner>(hg_path, hgrcpath, std::move(extra_config),
                                             max_servers);
}

}  // namespace hgc
