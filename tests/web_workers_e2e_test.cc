// End-to-end tests of the web front's hg workers under their first requests
// and under faults: a real `hgcluster web`, real `hg serve` workers, stock hg
// clients, all on loopback. Faults are injected by a small hg extension the
// workers load: a file named after a worker's pid under FAULTS makes that
// worker answer 500 ("500") or exit mid-request ("exit"); FAULTS is the
// `faults` directory next to the extension. `fault=500` in a query makes
// every worker answer 500.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/loopback_port.h"
#include "hg/repo_state.h"
#include "test_support.h"
#include "web/hg_worker_pool.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kFaultExtension = R"py(
import os
from mercurial import extensions
from mercurial.hgweb import hgwebdir_mod

FAULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'faults')

def _runwsgi(orig, self, req, res):
    if b'fault=500' in req.querystring:
        raise RuntimeError('fault injected by the test on every worker')
    path = os.path.join(FAULTS, str(os.getpid()))
    if os.path.exists(path):
        with open(path) as f:
            mode = f.read().strip()
        if mode == 'exit':
            os._exit(3)
        raise RuntimeError('fault injected by the test')
    return orig(self, req, res)

def uisetup(ui):
    extensions.wrapfunction(hgwebdir_mod.hgwebdir, '_runwsgi', _runwsgi)
)py";

// One `hgcluster web` process over `dir`/repos with 2 workers.
class Front {
 public:
  Front(const std::string& dir, const std::string& extra = "") : dir_(dir) {
    port_ = PickLoopbackPort();
    std::string ini = dir_ + "/web.ini";
    WriteFileAtomic(ini, fmt::format("[web]\nlisten = 127.0.0.1:{}\nrepos = {}/repos\n"
                                     "hgweb_conf = {}/hgweb.conf\nhgrcpath = {}/serve.rc\n"
                                     "workers = 2\nthreads = 32\n"
                                     "worker_log = {}/workers.log\n{}",
                                     port_, dir_, dir_, dir_, dir_, extra));
    pid_ = SpawnDaemon({HgclusterBin(), "web", ini}, dir_ + "/web.log");
  }
  ~Front() { Stop(); }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = 0;
  }
  int port() const { return port_; }
  std::string url() const { return fmt::format("http://127.0.0.1:{}/", port_); }
  std::string Log() const { return ReadFileOrEmpty(dir_ + "/web.log"); }
  std::string WorkersLog() const { return ReadFileOrEmpty(dir_ + "/workers.log"); }
  int Get(const std::string& path, std::string* body = nullptr) const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2);
    auto r = c.Get(path.c_str());
    if (!r) return 0;
    if (body) *body = r->body;
    return r->status;
  }
  nlohmann::json Health() const {
    std::string body;
    if (Get("/__health", &body) == 0) return nlohmann::json::object();
    return nlohmann::json::parse(body, nullptr, false);
  }
  // pid of each worker slot, from /metrics.
  std::vector<int> WorkerPids() const {
    std::string body;
    Get("/metrics", &body);
    std::vector<int> pids;
    std::regex re(R"re(hgcluster_web_hg_worker_in_flight\{worker="[0-9]+",pid="([0-9]+)"\})re");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator();
         ++it) {
      pids.push_back(std::stoi((*it)[1]));
    }
    return pids;
  }
  std::string Metric(const std::string& line_prefix) const {
    std::string body;
    Get("/metrics", &body);
    size_t at = body.find("\n" + line_prefix + " ");
    if (at == std::string::npos) return "";
    size_t start = at + line_prefix.size() + 2;
    return body.substr(start, body.find('\n', start) - start);
  }

 private:
  std::string dir_;
  int port_ = 0;
  int pid_ = 0;
};

// The scratch directory's hgweb.conf and serve.rc (the mirror's
// replicatedserved view, as `hgcluster up` writes it, plus the fault
// extension).
void WriteServeConfig(const ScratchDir& dir) {
  fs::create_directories(dir / "repos");
  fs::create_directories(dir / "faults");
  WriteFileAtomic(dir / "hgweb.conf",
                  "[paths]\n/ = " + dir.path() + "/repos/**\n[web]\nrefreshinterval = 0\n");
  WriteFileAtomic(dir / "faults.py", kFaultExtension);
  WriteFileAtomic(dir / "serve.rc",
                  fmt::format("[extensions]\nreplicatedserved = {}/hgext/replicatedserved.py\n"
                              "faults = {}\n"
                              "[web]\nview = replicatedserved\n"
                              "[server]\nview = replicatedserved\n"
                              "[experimental]\nhttppostargs = true\n",
                              HGCLUSTER_SOURCE_DIR, dir / "faults.py"));
}

// Before the fix, 8 parallel clones of this repository right after a start
// failed (HTTP 500, or a stream cut mid-way: "zstd decompressor error") in
// most starts: hg's lazy imports raced in the fresh threaded workers. Ten
// starts would all pass by chance about once in a thousand runs.
TEST(WebWorkersTest, EightParallelClonesRightAfterEachOfTenFreshStartsAllSucceed) {
  ScratchDir dir;
  WriteServeConfig(dir);
  std::string repo = dir / "repos/big";
  ASSERT_TRUE(PlainHg("init " + repo).ok());
  ProcessResult dag = PlainHg("-R " + repo + " debugbuilddag '+300'");
  ASSERT_TRUE(dag.ok()) << dag.err;
  std::string changelog = ReadFileOrEmpty(repo + "/.hg/store/00changelog.i");
  ASSERT_GT(changelog.size(), 300u * 64);
  constexpr int kStarts = 10;
  constexpr int kClones = 8;
  for (int start = 0; start < kStarts; ++start) {
    Front front(dir.path());
    ASSERT_TRUE(WaitFor([&] { return front.Get("/__health") == 200; }, 60s)) << front.Log();
    std::vector<ProcessResult> results(kClones);
    std::vector<std::thread> clients;
    for (int i = 0; i < kClones; ++i) {
      clients.emplace_back([&, i] {
        std::string dest = dir / fmt::format("clone-{}-{}", start, i);
        results[i] = PlainHg(fmt::format("clone -q -U {}big {}", front.url(), dest));
        // The same changesets: the clone's changelog equals the source's
        // byte for byte (read here, not by one more hg process per clone).
        results[i].out = ReadFileOrEmpty(dest + "/.hg/store/00changelog.i");
        fs::remove_all(dest);
      });
    }
    for (auto& t : clients) t.join();
    for (int i = 0; i < kClones; ++i) {
      ASSERT_TRUE(results[i].ok())
          << "start " << start << ", clone " << i << ": " << results[i].err << "\nworkers:\n"
          << front.WorkersLog() << "\nfront:\n"
          << front.Log();
      EXPECT_TRUE(results[i].out == changelog) << "start " << start << ", clone " << i;
    }
    // Served right the first time: no worker failed a request, none retried.
    EXPECT_EQ(front.Metric("hgcluster_web_hg_retries_total"), "0") << front.Log();
    EXPECT_EQ(front.WorkersLog().find("Traceback"), std::string::npos) << front.WorkersLog();
    EXPECT_NE(front.Log().find("answered its warm-up request"), std::string::npos) << front.Log();
    front.Stop();
    fs::remove(dir / "workers.log");
    fs::remove(dir / "web.log");
  }
}

// Worker 0 of an idle pool gets the next request (least in flight, lowest
// index first), so a fault on it is hit deterministically.
TEST(WebWorkersTest, FailedIdempotentRequestsAreRetriedAndAWorkerFailingInARowIsReplaced) {
  ScratchDir dir;
  WriteServeConfig(dir);
  std::string repo = dir / "repos/demo";
  ASSERT_TRUE(PlainHg("init " + repo).ok());
  ASSERT_TRUE(PlainHg("-R " + repo + " debugbuilddag '+3'").ok());
  Front front(dir.path(), "replace_worker_after = 3\n");
  ASSERT_TRUE(WaitFor([&] { return front.Health().value("hg_workers_ready", 0) == 2; }, 60s))
      << front.Log();
  std::vector<int> pids = front.WorkerPids();
  ASSERT_EQ(pids.size(), 2u);
  WriteFileAtomic(dir / fmt::format("faults/{}", pids[0]), "500");

  // Not idempotent: a batch with a push command is never sent twice; the
  // worker's 500 reaches the client. (A bare `cmd=pushkey` POST never
  // reaches a worker: a mirror refuses pushes from the request head.)
  httplib::Client c("127.0.0.1", front.port());
  auto push =
      c.Post("/demo?cmd=batch&cmds=pushkey%20namespace%3Dbookmarks%2Ckey%3Dx%2Cold%3D%2Cnew%3D", "",
             "application/mercurial-0.1");
  ASSERT_TRUE(push);
  EXPECT_EQ(push->status, 500);
  EXPECT_EQ(front.Metric("hgcluster_web_hg_retries_total"), "0");
  EXPECT_NE(front.Log().find(": hg worker 0 answered 500 (not idempotent"), std::string::npos)
      << front.Log();
  EXPECT_EQ(c.Post("/demo?cmd=pushkey", "", "application/mercurial-0.1")->status, 403);

  // Idempotent: a page and a wire-protocol read; worker 0 fails both, the
  // client never sees it.
  std::string body;
  EXPECT_EQ(front.Get("/demo/rev/tip", &body), 200) << body;
  EXPECT_EQ(front.Get("/demo?cmd=capabilities", &body), 200);
  EXPECT_NE(body.find("getbundle"), std::string::npos) << body;
  EXPECT_EQ(front.Metric("hgcluster_web_hg_retries_total"), "2");
  EXPECT_NE(front.Log().find("GET /demo/rev/tip: hg worker 0 answered 500; retrying on another"),
            std::string::npos)
      << front.Log();

  // Three failures in a row: worker 0 is killed and a fresh one started.
  EXPECT_TRUE(WaitFor(
      [&] {
        std::vector<int> now = front.WorkerPids();
        return now.size() == 2 && now[0] > 0 && now[0] != pids[0] && now[1] == pids[1] &&
               front.Health().value("hg_workers_ready", 0) == 2;
      },
      60s))
      << front.Log();
  nlohmann::json health = front.Health();
  EXPECT_EQ(health.value("hg_worker_replacements", 0), 1) << health.dump();
  EXPECT_NE(health.value("last_replacement", "")
                .find(fmt::format("hg worker 0 (pid {}) replaced after 3 failed requests in a row",
                                  pids[0])),
            std::string::npos)
      << health.dump();
  EXPECT_EQ(front.Metric("hgcluster_web_hg_worker_replacements_total{worker=\"0\"}"), "1");
  EXPECT_EQ(front.Metric("hgcluster_web_hg_worker_replacements_total{worker=\"1\"}"), "0");
  std::string status;
  front.Get("/server-status?auto", &status);
  EXPECT_NE(status.find("HgWorkerReplacements: 1\n"), std::string::npos) << status;
  // The Nagios check says so.
  ProcessResult check = Hgcluster({"check-web", "-p", std::to_string(front.port())});
  EXPECT_EQ(check.exit_code, 1) << check.out;
  EXPECT_NE(check.out.find("WARNING - an hg worker was replaced (2/2 hg workers ready, 1 "
                           "replaced, 2 requests retried)"),
            std::string::npos)
      << check.out;
  ProcessResult old =
      Hgcluster({"check-web", "-p", std::to_string(front.port()), "--replaced-window", "0"});
  EXPECT_EQ(old.exit_code, 0) << old.out;

  // A worker that dies in the middle of a request: the clone never notices.
  pids = front.WorkerPids();
  WriteFileAtomic(dir / fmt::format("faults/{}", pids[0]), "exit");
  ProcessResult clone = PlainHg(fmt::format("clone -q -U {}demo {}", front.url(), dir / "clone"));
  EXPECT_TRUE(clone.ok()) << clone.err << front.Log();
  EXPECT_TRUE(WaitFor([&] {
    return front.Log().find(fmt::format("hg worker (pid {}) exited with status", pids[0])) !=
           std::string::npos;
  })) << front.Log();
  EXPECT_NE(front.Log().find("closed the connection early; retrying on another worker"),
            std::string::npos)
      << front.Log();
  EXPECT_TRUE(WaitFor([&] { return front.Health().value("hg_workers_ready", 0) == 2; }, 60s));

  // A request every worker answers with a 500 is the request's problem,
  // not a worker's: retried once, answered 500, and nobody is replaced.
  int replaced = front.Health().value("hg_worker_replacements", -1);
  pids = front.WorkerPids();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(front.Get("/demo/rev/tip?fault=500"), 500);
  EXPECT_NE(front.Log().find("GET /demo/rev/tip?fault=500: hg worker 1 answered 500 (after a "
                             "retry)"),
            std::string::npos)
      << front.Log();
  EXPECT_EQ(front.Health().value("hg_worker_replacements", -1), replaced);
  EXPECT_EQ(front.WorkerPids(), pids);
  EXPECT_EQ(front.Health().value("hg_workers_ready", 0), 2);
}

}  // namespace
}  // namespace hgc::test
