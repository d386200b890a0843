#include "chaos.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "cluster_fixture.h"
#include "hg/obsstore.h"
#include "hg/repo_digest.h"
#include "hg/repo_state.h"
#include "log/log.h"
#include "message/message.h"
#include "notify/test_http_receiver.h"
#include "pushlog/pushlog_db.h"

namespace fs = std::filesystem;

namespace hgc::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t MsSince(SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t).count();
}

// What the campaign knows of one repository and its one client.
struct ChaosRepo {
  std::string name;
  std::string client;
  bool publishing = true;
  bool deleted = false;
  int commits = 0;
  int hgrc_version = 0;
  std::vector<std::string> bookmarks;
};

// Processes of this cluster whose argv[1] is `subcommand` and whose
// arguments contain `needle` (a path of this cluster's root).
std::vector<int> FindDaemons(const std::string& subcommand, const std::string& needle) {
  std::vector<int> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::string cmdline = ReadFileOrEmpty(entry.path().string() + "/cmdline");
    std::vector<std::string> argv;
    std::string arg;
    for (char ch : cmdline) {
      if (ch == '\0') {
        argv.push_back(arg);
        arg.clear();
      } else {
        arg += ch;
      }
    }
    if (argv.size() < 2 || argv[0] != HgclusterBin() || argv[1] != subcommand) continue;
    if (cmdline.find(needle) == std::string::npos) continue;
    pids.push_back(std::stoi(name));
  }
  return pids;
}

class Campaign {
 public:
  Campaign(const ChaosOptions& o, std::ostream& progress)
      : o_(o), progress_(progress), rng_(o.seed) {
    ClusterOptions co;
    co.mirrors = o.mirrors;
    co.up_args = {"--webhook", "chaos=" + receiver_.url() + "/hook"};
    // Fail fast, retry soon: a fault should cost retries, not minutes.
    co.env = {{"VCSREPLICATOR_RETRY_BASE_DELAY", "0.2"}, {"HGCLUSTER_PARKED_RETRY", "2"}};
    co.root = root_dir_ / "cluster";
    cluster_ = std::make_unique<Cluster>(co);
    report_.seed = o.seed;
    // The last mirror keeps its repositories on a small tmpfs of their own,
    // so a fault can fill its disk (needs root; without it, no such fault).
    std::string repos = cluster_->root() + fmt::format("/mirrors/mirror{}/repos", o.mirrors);
    fs::create_directories(repos);
    if (fs::is_empty(repos) &&
        Sh("mount -t tmpfs -o size=64m hgcluster-chaos " + repos + " 2>&1").exit_code == 0) {
      tmpfs_ = repos;
    }
    SlowHgHook();
  }

  // Every mirror consumer's hg runs a hook before applying changesets that
  // sleeps 4 s in a repository holding .hg/chaos-slow (the slow-hg fault
  // creates it for a batch): one slow repository, the others must flow.
  // The consumers are restarted to read the new hgrcpath.
  void SlowHgHook() {
    for (int m = 1; m <= o_.mirrors; ++m) {
      std::string dir = cluster_->root() + fmt::format("/mirrors/mirror{}", m);
      WriteFileAtomic(dir + "/chaos.rc",
                      "[hooks]\nprechangegroup.chaos-slow = "
                      "if [ -e .hg/chaos-slow ]; then sleep 4; fi\n");
      std::string ini = ReadFileOrEmpty(dir + "/consumer.ini");
      size_t at = ini.find("[consumer]\n");
      if (at == std::string::npos) continue;
      ini.insert(at + 11, "hgrcpath = " + dir + "/chaos.rc\n");
      WriteFileAtomic(dir + "/consumer.ini", ini);
      for (int pid : FindDaemons("consume", dir + "/consumer.ini")) {
        kill(pid, SIGKILL);
        WaitFor(
            [&] {
              auto now = FindDaemons("consume", dir + "/consumer.ini");
              return !now.empty() && now[0] != pid;
            },
            std::chrono::seconds(30));
      }
    }
  }

  ~Campaign() {
    cluster_.reset();  // `hgcluster down` first: nothing uses the tmpfs after
    if (!tmpfs_.empty()) Sh("umount -l " + tmpfs_);
  }

  ChaosReport Run() {
    for (int i = 0; i < o_.repos; ++i) CreateRepo();
    // Faults land at seeded batches, at most one per batch.
    std::vector<int> batches(o_.steps);
    for (int i = 0; i < o_.steps; ++i) batches[i] = i;
    std::shuffle(batches.begin(), batches.end(), rng_);
    std::set<int> fault_at(batches.begin(), batches.begin() + std::min(o_.faults, o_.steps));
    SteadyClock::time_point last_fault_end = SteadyClock::now();
    for (int step = 0; step < o_.steps; ++step) {
      auto plan = PlanBatch();
      std::optional<std::string> fault;
      if (fault_at.count(step)) fault = PickFault();
      RunBatch(plan, fault);
      if (fault) last_fault_end = SteadyClock::now();
    }
    ops_end_ = SteadyClock::now();
    Check(last_fault_end);
    return report_;
  }

 private:
  // One client operation: a kind and the repository it works on.
  struct Op {
    std::string kind;
    ChaosRepo* repo = nullptr;
    int serial = 0;  // the campaign-wide operation number (names, contents)
  };

  std::vector<ChaosRepo*> Live() {
    std::vector<ChaosRepo*> out;
    for (auto& r : repos_) {
      if (!r->deleted) out.push_back(r.get());
    }
    return out;
  }

  int Uniform(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  void CreateRepo() {
    auto r = std::make_unique<ChaosRepo>();
    r->name = fmt::format("r{}", repos_.size());
    r->client = work_ / r->name;
    cluster_->CreateRepo(r->name);
    Must(cluster_->Hg("init " + r->client), "hg init " + r->client);
    // Half the repositories start non-publishing (drafts, then "publish").
    r->publishing = Uniform(2) == 0;
    WriteHgrc(*r);
    repos_.push_back(std::move(r));
  }

  std::vector<Op> PlanBatch() {
    auto live = Live();
    std::shuffle(live.begin(), live.end(), rng_);
    std::vector<Op> plan;
    int n = std::min<int>(o_.concurrency, static_cast<int>(live.size()));
    for (int i = 0; i < n; ++i) {
      ChaosRepo* r = live[i];
      // Weighted kinds; some need history, bookmarks or a draft phase.
      std::vector<std::pair<std::string, int>> kinds{
          {"commit", 6}, {"bookmark-create", 2}, {"branch-closed", 1}, {"hgrc", 1}};
      if (r->commits > 0) kinds.push_back({"bookmark-move-twice", 2});
      if (!r->bookmarks.empty()) kinds.push_back({"bookmark-delete", 1});
      if (!r->publishing && r->commits > 0) kinds.push_back({"publish", 2});
      if (!r->publishing && r->commits > 0) kinds.push_back({"amend", 2});
      if (!r->publishing && r->commits > 0) kinds.push_back({"prune", 1});
      int total = 0;
      for (const auto& k : kinds) total += k.second;
      int pick = Uniform(total);
      std::string kind;
      for (const auto& k : kinds) {
        if (pick < k.second) {
          kind = k.first;
          break;
        }
        pick -= k.second;
      }
      if (r->commits == 0 && kind != "hgrc") kind = "commit";
      plan.push_back({kind, r, ++serial_});
    }
    // Repository lifecycle, rarely, outside the concurrent operations: a new
    // repository, or the deletion of one nobody else touches this batch.
    int roll = Uniform(12);
    if (roll == 0) plan.push_back({"repo-create", nullptr, ++serial_});
    if (roll == 1 && live.size() > static_cast<size_t>(n)) {
      plan.push_back({"repo-delete", live[n], ++serial_});
    }
    return plan;
  }

  std::string PickFault() {
    static const std::vector<std::string> kinds{
        "kill-consumer",   "kill-consumer",   "kill-heads",
        "kill-aggregator", "kill-notifier",   "kill-producer-agent",
        "freeze-consumer", "log-unavailable", "slow-hg"};
    int n = static_cast<int>(kinds.size()) + (tmpfs_.empty() ? 0 : 1);
    int pick = Uniform(n);
    if (pick == static_cast<int>(kinds.size())) {
      return fmt::format("disk-full:mirror{}", o_.mirrors);
    }
    std::string kind = kinds[pick];
    if (kind == "kill-consumer" || kind == "kill-heads" || kind == "freeze-consumer" ||
        kind == "slow-hg") {
      kind += fmt::format(":mirror{}", 1 + Uniform(o_.mirrors));
    }
    if (kind == "kill-aggregator") kind += Uniform(2) ? ":pending" : ":final";
    // Shorter than the embedded log's busy timeout (10 s): writes wait; or
    // longer: pushes are refused and retried, consumers fail and retry.
    if (kind == "log-unavailable") kind += Uniform(2) ? ":3s" : ":12s";
    return kind;
  }

  void RunBatch(const std::vector<Op>& plan, const std::optional<std::string>& fault) {
    // Lifecycle first, alone (a delete must not race a push to the same repo).
    std::vector<Op> concurrent;
    for (const auto& op : plan) {
      if (op.kind == "repo-create" || op.kind == "repo-delete") {
        Do(op);
      } else {
        concurrent.push_back(op);
      }
    }
    // A slow repository: the first one this batch pushes to.
    slow_repo_ = concurrent.empty() || !concurrent[0].repo ? "" : concurrent[0].repo->name;
    std::vector<std::thread> threads;
    for (const auto& op : concurrent) threads.emplace_back([this, op] { Do(op); });
    std::vector<int> frozen;
    if (fault) frozen = Inject(*fault);
    for (auto& t : threads) t.join();
    if (log_lock_.joinable()) log_lock_.join();
    if (!slow_marker_.empty()) {
      fs::remove(slow_marker_);
      slow_marker_.clear();
    }
    for (int pid : frozen) kill(pid, SIGCONT);
    if (!filler_.empty()) {
      fs::remove(filler_);
      filler_.clear();
    }
  }

  // Takes every free block of the mirror's tmpfs (RunBatch frees them).
  void FillDisk() {
    struct statvfs st {};
    if (statvfs(tmpfs_.c_str(), &st) != 0) return;
    filler_ = tmpfs_ + "/.chaos-filler";
    int fd = ::open(filler_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return;
    off_t size = static_cast<off_t>(st.f_bavail) * static_cast<off_t>(st.f_frsize);
    // What fallocate leaves (rounding, metadata), writes take; they stop at
    // ENOSPC, within the tmpfs's size.
    (void)::posix_fallocate(fd, 0, size);
    ::lseek(fd, 0, SEEK_END);
    std::string block(1 << 16, 'x');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    ::close(fd);
  }

  // The embedded log held under an exclusive SQLite lock for `hold` while
  // the batch runs: no producer or consumer can write to it (RunBatch joins
  // the thread; the hold is the fault's length, not a synchronisation).
  void LockLog(std::chrono::seconds hold) {
    std::string path = cluster_->root() + "/log/log.db";
    log_lock_ = std::thread([path, hold] {
      sqlite3* db = nullptr;
      if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return;
      }
      sqlite3_busy_timeout(db, 30000);
      if (sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK) {
        std::this_thread::sleep_for(hold);
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      }
      sqlite3_close(db);
    });
  }

  // Returns the processes it froze (to thaw after the batch).
  std::vector<int> Inject(const std::string& fault) {
    std::string kind = fault.substr(0, fault.find(':'));
    std::string where =
        fault.find(':') == std::string::npos ? "" : fault.substr(fault.find(':') + 1);
    std::string root = cluster_->root();
    std::vector<int> pids;
    if (kind == "kill-consumer" || kind == "freeze-consumer") {
      pids = FindDaemons("consume", root + "/mirrors/" + where + "/consumer.ini");
    } else if (kind == "kill-heads") {
      pids = FindDaemons("heads", root + "/mirrors/" + where + "/heads.ini");
    } else if (kind == "kill-aggregator") {
      pids = FindDaemons("aggregate",
                         root + (where == "pending" ? "/leader/pushdataaggregator-pending.ini"
                                                    : "/leader/pushdataaggregator.ini"));
    } else if (kind == "kill-notifier") {
      pids = FindDaemons("notify-webhooks", root + "/leader/");
    } else if (kind == "kill-producer-agent") {
      pids = FindDaemons("producer-agent", root + "/leader/");
    } else if (kind == "disk-full") {
      FillDisk();
    } else if (kind == "log-unavailable") {
      LockLog(std::chrono::seconds(std::stoi(where)));
    } else if (kind == "slow-hg" && !slow_repo_.empty()) {
      std::string repo = root + "/mirrors/" + where + "/repos/" + slow_repo_;
      if (fs::exists(repo + "/.hg")) {
        slow_marker_ = repo + "/.hg/chaos-slow";
        WriteFileAtomic(slow_marker_, "");
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++report_.faults[fault];
      progress_ << fmt::format("  fault {} ({} process{})", fault, pids.size(),
                               pids.size() == 1 ? "" : "es")
                << std::endl;
    }
    for (int pid : pids) kill(pid, kind == "freeze-consumer" ? SIGSTOP : SIGKILL);
    return kind == "freeze-consumer" ? pids : std::vector<int>{};
  }

  void Must(const ProcessResult& r, const std::string& what) {
    if (r.exit_code == 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    report_.differences.push_back(
        fmt::format("client: {} failed ({}): {}{}", what, r.exit_code, r.out, r.err));
  }

  // Clients have obsolescence on (amend leaves markers; pushes carry them
  // to repositories that take them).
  static constexpr const char* kEvolve = "--config experimental.evolution=all ";

  ProcessResult Hg(const ChaosRepo& r, const std::string& args) {
    return cluster_->Hg(std::string(kEvolve) + "-R " + r.client + " " + args);
  }

  // A push, retried the way a developer would when a fault refuses it.
  // 0 and 1 ("no changes found": a bookmark or phase only) are success.
  void Push(ChaosRepo& r, const std::string& extra) {
    ProcessResult res;
    for (int attempt = 0; attempt < 10; ++attempt) {
      res = cluster_->Push(r.client, r.name, std::string(kEvolve) + "--new-branch " + extra);
      if (res.exit_code == 0 || res.exit_code == 1) {
        std::lock_guard<std::mutex> lock(mu_);
        ++report_.pushes;
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++report_.push_retries;
      }
      // A push the producer agent refused (killed) is retried once the
      // supervisor has it back and listening.
      WaitFor([&] { return AgentAccepts(); }, std::chrono::seconds(20));
    }
    std::lock_guard<std::mutex> lock(mu_);
    report_.differences.push_back(
        fmt::format("client: push to {} failed 10 times: {}{}", r.name, res.out, res.err));
  }

  bool AgentAccepts() {
    std::string path = cluster_->root() + "/leader/hosts/leader/producer.sock";
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    return ok;
  }

  // An operator command on the leader (replicatehgrc, replicatedelete),
  // rerun the way an operator would when the producer agent refused it.
  void Operator(const ChaosRepo& r, const std::string& command) {
    ProcessResult res;
    for (int attempt = 0; attempt < 10; ++attempt) {
      res = Sh("cd " + cluster_->LeaderRepo(r.name) + " && command hg " + command, {{"HGRCPATH", ""}});
      if (res.exit_code == 0) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++report_.push_retries;
      }
      WaitFor([&] { return AgentAccepts(); }, std::chrono::seconds(20));
    }
    Must(res, command + " in " + r.name);
  }

  void Commit(ChaosRepo& r, const std::string& file, const std::string& text,
              const std::string& extra = "") {
    {
      std::ofstream out(r.client + "/" + file, std::ios::app);
      out << text << "\n";
    }
    Must(Hg(r, "commit -A " + extra + " -m '" + text + "'"), "commit in " + r.name);
    ++r.commits;
  }

  void UpdateDefault(ChaosRepo& r) {
    if (r.commits > 0) Must(Hg(r, "update -C default"), "update default in " + r.name);
  }

  // A new leader .hg/hgrc, sent to the mirrors with `hg replicatehgrc`.
  void WriteHgrc(ChaosRepo& r) {
    ++r.hgrc_version;
    std::string text =
        fmt::format("[web]\ndescription = chaos {} version {}\n", r.name, r.hgrc_version);
    // Non-publishing repositories also take obsolescence markers (amend).
    if (!r.publishing) text += "[phases]\npublish = False\n[experimental]\nevolution = all\n";
    WriteFileAtomic(cluster_->LeaderRepo(r.name) + "/.hg/hgrc", text);
    Operator(r, "replicatehgrc");
  }

  void Do(const Op& op) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++report_.operations;
      ++report_.ops[op.kind];
    }
    if (op.kind == "repo-create") {
      CreateRepo();
      return;
    }
    ChaosRepo& r = *op.repo;
    std::string tag = fmt::format("op{}", op.serial);
    if (op.kind == "commit") {
      UpdateDefault(r);
      int n = 1 + op.serial % 3;
      for (int i = 0; i < n; ++i) Commit(r, fmt::format("f{}", (op.serial + i) % 3), tag);
      Push(r, "");
    } else if (op.kind == "branch-closed") {
      UpdateDefault(r);
      Must(Hg(r, "branch -f br" + tag), "branch in " + r.name);
      Commit(r, "b", tag);
      Commit(r, "b", tag + " closed", "--close-branch");
      UpdateDefault(r);
      Push(r, "");
    } else if (op.kind == "bookmark-create") {
      UpdateDefault(r);
      if (r.commits == 0) Commit(r, "f0", tag);
      std::string name = "bm" + tag;
      Must(Hg(r, "bookmark -f -r default " + name), "bookmark in " + r.name);
      Must(Hg(r, "update -C default"), "update in " + r.name);  // leave it inactive
      r.bookmarks.push_back(name);
      Push(r, "-B " + name);
    } else if (op.kind == "bookmark-move-twice") {
      // Two new changesets; the bookmark moves onto the first with the push
      // that brings both, then onto the second with a bookmark-only push.
      std::string name =
          r.bookmarks.empty() ? "bm" + tag : r.bookmarks[op.serial % r.bookmarks.size()];
      if (r.bookmarks.empty()) r.bookmarks.push_back(name);
      UpdateDefault(r);
      Commit(r, "m", tag + " a");
      Commit(r, "m", tag + " b");
      Must(Hg(r, "bookmark -f -r 'default~1' " + name), "bookmark in " + r.name);
      Must(Hg(r, "update -C default"), "update in " + r.name);
      Push(r, "-B " + name);
      Must(Hg(r, "bookmark -f -r default " + name), "bookmark in " + r.name);
      Must(Hg(r, "update -C default"), "update in " + r.name);
      Push(r, "-B " + name);
    } else if (op.kind == "bookmark-delete") {
      std::string name = r.bookmarks[op.serial % r.bookmarks.size()];
      r.bookmarks.erase(std::find(r.bookmarks.begin(), r.bookmarks.end(), name));
      Must(Hg(r, "bookmark -d " + name), "bookmark -d in " + r.name);
      Push(r, "-B " + name);
    } else if (op.kind == "amend") {
      // Rewrite the draft tip of default (an obsolescence marker travels
      // with the successor); a public tip gets a new draft child instead.
      UpdateDefault(r);
      // Never the root (its successor would be a new root, "unrelated" to
      // the leader's repository) nor a changeset with children (orphans).
      if (Hg(r, "log -r 'default and draft() and heads(all()) and not roots(all())' -T x")
              .out.empty()) {
        Commit(r, "a", tag);
      }
      {
        std::ofstream out(r.client + "/a", std::ios::app);
        out << tag << " amended\n";
      }
      Must(Hg(r, "commit -A --amend -m '" + tag + " amended'"), "amend in " + r.name);
      Push(r, "");
    } else if (op.kind == "prune") {
      // A push of nothing but a marker: the draft tip of default pruned
      // (never the root, a changeset with children or one a bookmark keeps
      // visible), its parents recorded as `hg prune` does.
      UpdateDefault(r);
      if (Hg(r,
             "log -r 'default and draft() and heads(all()) and not roots(all()) and not "
             "bookmark()' -T x")
              .out.empty()) {
        Commit(r, "a", tag);
      }
      Push(r, "");  // the leader has what is pruned (a local prune is no push)
      std::string node = Hg(r, "log -r default -T '{node}'").out;
      Must(Hg(r, "update -C 'default^'"), "update in " + r.name);
      Must(Hg(r, "debugobsolete --record-parents " + node), "prune in " + r.name);
      Push(r, "");
    } else if (op.kind == "publish") {
      Must(Hg(r, "phase --public -r default"), "phase in " + r.name);
      Push(r, "");
    } else if (op.kind == "hgrc") {
      // Alternate publishing and non-publishing, with a new description.
      r.publishing = !r.publishing;
      WriteHgrc(r);
    } else if (op.kind == "repo-delete") {
      Operator(r, "replicatedelete");
      r.deleted = true;
    }
  }

  // Changegroup events of `topic`, partition 0: the pushlog ids each carries,
  // by repository, in log order.
  std::map<std::string, std::vector<int64_t>> StreamPushIds(const std::string& topic) {
    std::map<std::string, std::vector<int64_t>> out;
    auto log = OpenLog("sqlite://" + cluster_->root() + "/log/log.db");
    int64_t high = log->GetWatermarks(topic, 0).high;
    auto cursor = log->OpenCursor({{topic, 0, 0}});
    int64_t read = 0;
    while (read < high) {
      auto recs = cursor->Poll(1000, std::chrono::milliseconds(1000));
      if (recs.empty()) break;
      for (const auto& rec : recs) {
        ++read;
        Message m = DecodeMessage(rec.value);
        if (m.type != MessageType::kChangegroup) continue;
        auto& ids = out[m.path];
        if (m.pushes) {
          for (const auto& p : *m.pushes) ids.push_back(p.id);
        }
      }
    }
    return out;
  }

  // pushids announced per repository URL suffix (the repo name), in order.
  // Delivery is at least once: a notifier killed after the target answered
  // and before it committed the offset delivers again, with the same
  // X-Hgcluster-Delivery, which is what a receiver deduplicates on.
  std::map<std::string, std::vector<int64_t>> AnnouncedPushIds() {
    std::map<std::string, std::vector<int64_t>> out;
    std::set<std::string> seen;
    int redelivered = 0;
    for (const auto& req : receiver_.requests()) {
      std::string key = req.Header("X-Hgcluster-Delivery");
      if (key.empty() || !seen.insert(key).second) {
        redelivered += !key.empty();
        if (!key.empty()) continue;
      }
      auto body = nlohmann::json::parse(req.body, nullptr, false);
      if (body.is_discarded() || body.value("type", "") != "changegroup.1") continue;
      std::string url = body["data"].value("repo_url", "");
      std::string name = url.substr(url.find_last_of('/', url.size() - 2) + 1);
      if (!name.empty() && name.back() == '/') name.pop_back();
      for (const auto& p : body["data"]["pushlog_pushes"]) out[name].push_back(p["pushid"]);
    }
    report_.redelivered = redelivered;
    return out;
  }

  static std::vector<int64_t> PushIds(const std::string& repo) {
    std::vector<int64_t> ids;
    auto db = PushlogDb::OpenReadOnly(repo);
    if (db) {
      for (const auto& p : db->PushesFrom(0)) ids.push_back(p.id);
    }
    return ids;
  }

  static std::string Ids(const std::vector<int64_t>& ids) {
    return fmt::format("{}", fmt::join(ids, ","));
  }

  // Everything the campaign promises, checked once; returns what differs.
  // A repository's obsolescence markers, one line each, sorted.
  static std::string Markers(const std::string& repo) {
    std::vector<std::string> lines;
    for (const auto& m : ReadObsStore(repo)) {
      std::string line = fmt::format("{} -> [{}] flags {} date {} {}", m.precursor,
                                     fmt::join(m.successors, " "), m.flags, m.date, m.tz);
      if (m.parents) line += fmt::format(" parents [{}]", fmt::join(*m.parents, " "));
      for (const auto& [k, v] : m.metadata) line += " " + k + "=" + v;
      lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }

  std::vector<std::string> Differences(bool final) {
    std::vector<std::string> diffs;
    auto stream = StreamPushIds("replicatedpushdata");
    auto announced = AnnouncedPushIds();
    for (const auto& r : repos_) {
      std::string leader = cluster_->LeaderRepo(r->name);
      for (int m = 1; m <= o_.mirrors; ++m) {
        std::string mirror = cluster_->MirrorRepo(m, r->name);
        std::string where = fmt::format("{} on mirror{}", r->name, m);
        if (r->deleted) {
          if (fs::exists(mirror)) diffs.push_back(where + ": deleted on the leader, still here");
          continue;
        }
        if (!fs::exists(mirror + "/.hg")) {
          diffs.push_back(where + ": missing");
          continue;
        }
        auto leader_ids = PushIds(leader);
        auto mirror_ids = PushIds(mirror);
        auto last = [](const std::vector<int64_t>& ids) {
          return ids.empty() ? std::optional<int64_t>() : std::optional<int64_t>(ids.back());
        };
        for (const auto& d : CompareRepoDigests(ComputeRepoDigest(leader, last(leader_ids)),
                                                ComputeRepoDigest(mirror, last(mirror_ids)))) {
          diffs.push_back(where + ": " + d);
        }
        if (leader_ids != mirror_ids) {
          diffs.push_back(fmt::format("{}: pushlog ids leader [{}], mirror [{}]", where,
                                      Ids(leader_ids), Ids(mirror_ids)));
        }
        if (std::string l = Markers(leader), m = Markers(mirror); l != m) {
          diffs.push_back(where + ": obsolescence markers differ: leader\n" + l + "mirror\n" + m);
        }
        if (ReadFileOrEmpty(leader + "/.hg/hgrc") != ReadFileOrEmpty(mirror + "/.hg/hgrc")) {
          diffs.push_back(where + ": .hg/hgrc differs");
        }
        if (final && RepoFingerprint(leader) != RepoFingerprint(mirror)) {
          diffs.push_back(where + ": heads, branches, phases or bookmarks differ:\n" +
                          RepoFingerprint(leader) + "vs\n" + RepoFingerprint(mirror));
        }
      }
      if (r->deleted) continue;
      auto leader_ids = PushIds(leader);
      auto s = stream["{moz}/" + r->name];
      if (s != leader_ids) {
        diffs.push_back(fmt::format("{}: replicatedpushdata carries pushes [{}], leader has [{}]",
                                    r->name, Ids(s), Ids(leader_ids)));
      }
      auto a = announced[r->name];
      if (a != leader_ids) {
        diffs.push_back(fmt::format("{}: webhook announced pushes [{}], leader has [{}]", r->name,
                                    Ids(a), Ids(leader_ids)));
      }
    }
    if (!final) return diffs;
    auto status = cluster_->Status();
    int parked = 0;
    for (const auto& m : status["mirrors"]) {
      for (const auto& p : m.value("parked", nlohmann::json::array())) {
        ++parked;
        diffs.push_back("parked: " + p.dump());
      }
      if (!m.value("running", false)) diffs.push_back("a mirror consumer is not running");
    }
    report_.parked = parked;
    return diffs;
  }

  void Check(SteadyClock::time_point last_fault_end) {
    // Client operations failing are differences already; the rest converges.
    std::vector<std::string> diffs;
    bool ok = WaitFor(
        [&] {
          diffs = Differences(false);
          return diffs.empty();
        },
        o_.converge_timeout);
    if (!ok) diffs.push_back(Diagnose(diffs));
    report_.converge_ms = ok ? MsSince(last_fault_end) : -1;
    report_.settle_ms = ok ? MsSince(ops_end_) : -1;
    if (ok) diffs = Differences(true);
    // Every mirror agrees, by its own comparison on the log, too.
    if (diffs.empty()) diffs = Verify();
    for (auto& d : diffs) report_.differences.push_back(std::move(d));
    for (const auto& r : repos_) {
      if (r->deleted) {
        ++report_.repos_deleted;
      } else {
        ++report_.repos_live;
        report_.leader_pushes += static_cast<int>(PushIds(cluster_->LeaderRepo(r->name)).size());
      }
    }
  }

  // For the repositories named in `diffs`: their graphs (hidden changesets
  // too) on the leader and every mirror, and what the consumers logged.
  std::string Diagnose(const std::vector<std::string>& diffs) {
    std::string out = "diagnosis:\n";
    for (const auto& r : repos_) {
      bool named = std::any_of(diffs.begin(), diffs.end(), [&](const std::string& d) {
        return d.rfind(r->name + " ", 0) == 0 || d.rfind(r->name + ":", 0) == 0;
      });
      if (!named) continue;
      auto graph = [&](const std::string& repo) {
        return Sh("hg --config experimental.evolution=all -R " + repo +
                      " log --hidden -G -T '{rev}:{node|short} {phase} {if(obsolete,\"obsolete \")}"
                      "{branch} {bookmarks} {desc|firstline}\n'",
                  {{"HGRCPATH", ""}})
            .out;
      };
      out += "== " + r->name + " leader\n" + graph(cluster_->LeaderRepo(r->name));
      for (int m = 1; m <= o_.mirrors; ++m) {
        out +=
            fmt::format("== {} mirror{}\n", r->name, m) + graph(cluster_->MirrorRepo(m, r->name));
        std::istringstream log(cluster_->MirrorLog(m));
        for (std::string line; std::getline(log, line);) {
          if (line.find("/" + r->name + ")") != std::string::npos ||
              line.find("/" + r->name + " ") != std::string::npos ||
              line.find("/repos/" + r->name) != std::string::npos) {
            out += "  log: " + line + "\n";
          }
        }
      }
    }
    return out;
  }

  std::vector<std::string> Verify() {
    std::vector<std::string> diffs;
    auto live = Live();
    for (auto* r : live) {
      Operator(*r, "replicateverify");
    }
    nlohmann::json status;
    bool all = WaitFor(
        [&] {
          status = cluster_->Status();
          for (const auto& m : status["mirrors"]) {
            for (auto* r : live) {
              if (!m["verify"].contains("{moz}/" + r->name)) return false;
            }
          }
          return true;
        },
        std::chrono::seconds(60));
    if (!all) return {"verify: not every mirror recorded a verdict for every repository"};
    for (const auto& m : status["mirrors"]) {
      for (const auto& [repo, v] : m["verify"].items()) {
        if (v["result"] != "ok") diffs.push_back("verify " + repo + ": " + v.dump());
      }
    }
    return diffs;
  }

  ChaosOptions o_;
  std::ostream& progress_;
  std::mt19937_64 rng_;
  TestHttpReceiver receiver_;
  ScratchDir work_;
  ScratchDir root_dir_;      // the cluster's; outlives cluster_ and the tmpfs
  std::string tmpfs_;        // the last mirror's repos directory, when a tmpfs
  std::string filler_;       // the file filling it during a disk-full fault
  std::thread log_lock_;     // holds the log's lock during a log-unavailable fault
  std::string slow_repo_;    // the repository a slow-hg fault slows this batch
  std::string slow_marker_;  // its .hg/chaos-slow on the mirror, removed after the batch
  std::unique_ptr<Cluster> cluster_;
  std::vector<std::unique_ptr<ChaosRepo>> repos_;
  int serial_ = 0;
  SteadyClock::time_point ops_end_;
  std::mutex mu_;  // report_ and progress_ from the client threads
  ChaosReport report_;
};

}  // namespace

std::string ChaosReport::Summary() const {
  auto join = [](const std::map<std::string, int>& m) {
    std::string out;
    for (const auto& [k, v] : m) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k, v);
    return out.empty() ? std::string("none") : out;
  };
  std::string out = fmt::format(
      "chaos seed {}: {} repositories ({} deleted), {} operations, {} client pushes ({} commands "
      "retried "
      "after a fault), {} pushes on the leader\n"
      "  operations: {}\n"
      "  faults injected: {}\n"
      "  converged {} after the last fault ({} after the last operation); parked {}; "
      "differences found: {}\n",
      seed, repos_live + repos_deleted, repos_deleted, operations, pushes, push_retries,
      leader_pushes, join(ops), join(faults),
      converge_ms < 0 ? std::string("NOT") : fmt::format("{} ms", converge_ms),
      settle_ms < 0 ? std::string("-") : fmt::format("{} ms", settle_ms), parked,
      differences.size());
  if (redelivered > 0) {
    out += fmt::format(
        "  webhook deliveries repeated after a notifier was killed: {} (same "
        "X-Hgcluster-Delivery)\n",
        redelivered);
  }
  for (const auto& d : differences) out += "  DIFFERENCE " + d + "\n";
  return out;
}

ChaosReport RunChaos(const ChaosOptions& options, std::ostream& progress) {
  return Campaign(options, progress).Run();
}

}  // namespace hgc::test
