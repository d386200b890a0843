#include "test_support.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "hg/revlog_index.h"
#include "pushlog/pushlog_db.h"

namespace hgc::test {

ScratchDir::ScratchDir() {
  char tmpl[] = "/tmp/hgcluster-test-XXXXXX";
  path_ = mkdtemp(tmpl);
}

ScratchDir::~ScratchDir() {
  if (std::getenv("HGCLUSTER_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::chrono::milliseconds interval(5);
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(interval);
    interval = std::min(interval * 2, std::chrono::milliseconds(50));
  }
}

DirWatch::DirWatch() : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

DirWatch::~DirWatch() {
  if (fd_ >= 0) close(fd_);
}

void DirWatch::Add(const std::string& dir, int tag) {
  if (fd_ < 0) return;
  const uint32_t mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                        IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  std::filesystem::path p(dir);
  while (true) {
    int wd = inotify_add_watch(fd_, p.c_str(), mask);
    if (wd >= 0) {
      tags_[wd].insert(tag);
      return;
    }
    if (!p.has_parent_path() || p.parent_path() == p) return;
    p = p.parent_path();
  }
}

std::set<int> DirWatch::Wait(std::chrono::milliseconds timeout) {
  std::set<int> changed;
  if (fd_ < 0) {  // no inotify: behave as a poll every `timeout`
    std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(50)));
    for (const auto& [wd, tags] : tags_) changed.insert(tags.begin(), tags.end());
    return changed;
  }
  pollfd pfd{fd_, POLLIN, 0};
  int ready = poll(&pfd, 1, static_cast<int>(std::max<int64_t>(timeout.count(), 0)));
  if (ready <= 0) return changed;
  alignas(inotify_event) char buf[16384];
  while (true) {
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      if (ev->mask & IN_Q_OVERFLOW) {
        for (const auto& [wd, tags] : tags_) changed.insert(tags.begin(), tags.end());
      }
      auto it = tags_.find(ev->wd);
      if (it != tags_.end()) changed.insert(it->second.begin(), it->second.end());
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
    }
  }
  return changed;
}

namespace {

// Where chg and its servers live for this process (see TestHgArgv).
class ChgClients {
 public:
  ChgClients() {
    const char* off = std::getenv("HGCLUSTER_TEST_CHG");
    if (off != nullptr && std::string(off) == "0") return;
    std::string hg = OnPath("hg");
    std::string chg = OnPath("chg");
    // Only the chg of the same installation as hg: a venv's hg with the
    // system's chg would run another Mercurial.
    if (hg.empty() || chg.empty() ||
        std::filesystem::path(hg).parent_path() != std::filesystem::path(chg).parent_path()) {
      return;
    }
    char tmpl[] = "/tmp/hgcluster-chg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return;
    dir_ = tmpl;
    chg_ = chg;
    hg_ = hg;
  }
  ~ChgClients() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  ChgClients(const ChgClients&) = delete;
  ChgClients& operator=(const ChgClients&) = delete;

  bool on() const { return !chg_.empty(); }
  const std::string& chg() const { return chg_; }
  void AddEnv(std::map<std::string, std::string>& env) const {
    env.emplace("CHGHG", hg_);
    env.emplace("CHGSOCKNAME", dir_ + "/server");
  }

 private:
  static std::string OnPath(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string rest = path != nullptr ? path : "";
    for (size_t at = 0; at <= rest.size();) {
      size_t end = rest.find(':', at);
      if (end == std::string::npos) end = rest.size();
      std::string candidate = rest.substr(at, end - at) + "/" + name;
      if (end > at && access(candidate.c_str(), X_OK) == 0) return candidate;
      at = end + 1;
    }
    return "";
  }

  std::string chg_;
  std::string hg_;
  std::string dir_;
};

const ChgClients& Chg() {
  static ChgClients clients;
  return clients;
}

}  // namespace

std::vector<std::string> TestHgArgv(std::vector<std::string> args,
                                    std::map<std::string, std::string>& env) {
  const ChgClients& chg = Chg();
  bool own_path = env.contains("PATH");
  args.insert(args.begin(), chg.on() && !own_path ? chg.chg() : "hg");
  if (chg.on() && !own_path) chg.AddEnv(env);
  return args;
}

ProcessResult Sh(const std::string& command, const std::map<std::string, std::string>& env) {
  ProcessOptions o;
  o.env_set = env;
  const ChgClients& chg = Chg();
  if (!chg.on() || env.contains("PATH")) return RunProcess({"/bin/sh", "-c", command}, o);
  chg.AddEnv(o.env_set);
  return RunProcess({"/bin/sh", "-c", "hg() { '" + chg.chg() + "' \"$@\"; }\n" + command}, o);
}

std::string HgclusterBin() { return HGCLUSTER_BIN; }

long ResidentKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

ProcessResult Hgcluster(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{HgclusterBin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.env_set = env;
  return RunProcess(argv, o);
}

std::string RepoFingerprint(const std::string& repo) {
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}, {"HGPLAIN", "1"}};
  // One hg process; the template walks the same revsets the four separate
  // commands (log heads, bookmarks, log draft(), log tip) used to.
  auto r = RunProcess(
      // Nodes, not revision numbers: a mirror that was behind when a
      // changeset was obsoleted never gets it, so its numbers may differ.
      TestHgArgv({"-R", repo, "log", "-r", "tip", "-T",
       "tip {node}\n"
       "heads:\n"
       "{revset('sort(heads(all()), node)') % '{node} {phase} {branch}"
       "{ifcontains(rev, revset(\"closed()\"), \" closed\")}\n'}"
       "bookmarks:\n"
       "{revset('bookmark()') % '{bookmarks % \"{bookmark} {node}\n\"}'}"
       "draft:\n"
       "{revset('draft()') % '{node}\n'}"},
                 o.env_set),
      o);
  return r.out + r.err;
}

std::vector<std::string> RepoFingerprintDirs(const std::string& repo) {
  // The repo itself (its .hg appearing or being replaced), .hg (bookmarks,
  // requires) and the store (changelog, phaseroots).
  return {repo, repo + "/.hg", repo + "/.hg/store"};
}

void KeepEtcHgcluster() {
  std::filesystem::create_directories("/etc/hgcluster");
  std::string keep = "/etc/hgcluster/.hgcluster-tests";
  if (!std::filesystem::exists(keep)) {
    std::ofstream(keep) << "Kept by hgcluster's tests: their test hosts mount their "
                           "/etc/hgcluster here, and removing this directory would unmount "
                           "them.\n";
  }
}

size_t CountOccurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  if (what.empty()) return n;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

int CommitChange(const std::string& client, const std::string& file) {
  return Sh("cd " + client + " && hg update -q tip && echo x >> " + file +
                " && hg commit -qAm change",
            {{"HGRCPATH", ""}, {"HGUSER", "t <t@example.com>"}})
      .exit_code;
}

ProcessResult PlainHg(const std::string& args) {
  return Sh("hg " + args,
            {{"HGRCPATH", ""}, {"HGUSER", "Test <test@example.com>"}, {"HGPLAIN", "1"}});
}

std::string TipNode(const std::string& repo) {
  return Sh("hg -R " + repo + " log -r tip -T '{node}'", {{"HGRCPATH", ""}}).out;
}

bool ChangelogHas(const std::string& repo, const std::string& node) {
  try {
    return ChangelogIndex::Load(repo).RevOf(node).has_value();
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<PushRecord> PushlogOf(const std::string& repo) {
  auto db = PushlogDb::OpenReadOnly(repo);
  return db ? db->PushesFrom(0) : std::vector<PushRecord>{};
}

}  // namespace hgc::test
