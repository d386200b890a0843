// End-to-end tests of `hgcluster web`: a real front process in front of real
// `hg serve` workers, stock hg clients, raw sockets for slow clients, and the
// in-process WebFront for native commands and metrics.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "cluster_fixture.h"
#include "common/error.h"
#include "common/loopback_port.h"
#include "hg/replicated_data.h"
#include "hg/repo_state.h"
#include "log/log.h"
#include "test_support.h"
#include "web/hg_worker_pool.h"
#include "web/web_front.h"
#include "web_process.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Creates a repository with `commits` changesets of one small file each.
void MakeRepo(const std::string& path, int commits) {
  fs::create_directories(path);
  ASSERT_TRUE(PlainHg("init " + path).ok());
  for (int i = 0; i < commits; ++i) {
    WriteFileAtomic(path + "/f" + std::to_string(i % 7), "line " + std::to_string(i) + "\n");
    ProcessResult r = PlainHg(fmt::format("-R {} commit -qAm 'commit {}'", path, i));
    ASSERT_TRUE(r.ok()) << r.err;
  }
}

std::string TipRevNode(const std::string& repo) {
  return PlainHg("-R " + repo + " log -r tip -T '{rev}:{node}'").out;
}

// A client that sends a GET and then reads only when told to: the front
// keeps the request in flight while the client does not read.
class SlowClient {
 public:
  SlowClient(int port, const std::string& path) {
    int small = 4096;
    fd_ = ConnectLoopback(port, SO_RCVBUF, &small, sizeof small);
    std::string req = fmt::format(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", path, port);
    EXPECT_EQ(send(fd_, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  }
  ~SlowClient() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  // Reads the response head; returns it (status line and headers).
  std::string ReadHead() {
    char buf[4096];
    while (buffer_.find("\r\n\r\n") == std::string::npos) {
      ssize_t r = recv(fd_, buf, sizeof buf, 0);
      if (r <= 0) return buffer_;
      buffer_.append(buf, static_cast<size_t>(r));
    }
    size_t end = buffer_.find("\r\n\r\n") + 4;
    std::string head = buffer_.substr(0, end);
    body_bytes_ = buffer_.size() - end;
    return head;
  }
  // Reads to EOF; returns the body bytes received in total.
  size_t ReadRest() {
    char buf[65536];
    while (true) {
      ssize_t r = recv(fd_, buf, sizeof buf, 0);
      if (r <= 0) break;
      body_bytes_ += static_cast<size_t>(r);
    }
    return body_bytes_;
  }

 private:
  int fd_ = -1;
  std::string buffer_;
  size_t body_bytes_ = 0;
};

size_t ContentLength(const std::string& head) {
  std::smatch m;
  std::regex re("Content-Length: ([0-9]+)", std::regex::icase);
  return std::regex_search(head, m, re) ? std::stoul(m[1]) : 0;
}

// A repository with one big incompressible file: its raw-file response is
// far larger than the socket buffers, so a client that stops reading stalls
// the transfer mid-way.
constexpr size_t kBigFile = 48 << 20;
void MakeBigRepo(const std::string& path) {
  fs::create_directories(path);
  ASSERT_TRUE(PlainHg("init " + path).ok());
  ASSERT_TRUE(Sh(fmt::format("head -c {} /dev/urandom > {}/big", kBigFile, path)).ok());
  ProcessResult r = PlainHg("-R " + path + " commit -qAm big");
  ASSERT_TRUE(r.ok()) << r.err;
}

TEST(WebFrontTest, StockHgCloneAndPullThroughTheFront) {
  ScratchDir dir;
  WebProcess web(dir);
  std::string repo = web.repos() + "/integration/autoland";
  MakeRepo(repo, 5);
  ProcessResult clone =
      PlainHg("clone -q " + web.url() + "integration/autoland " + (dir / "clone"));
  ASSERT_TRUE(clone.ok()) << clone.out << clone.err << web.Log();
  EXPECT_EQ(TipRevNode(dir / "clone"), TipRevNode(repo));

  WriteFileAtomic(repo + "/new", "more\n");
  ASSERT_TRUE(PlainHg("-R " + repo + " commit -qAm more").ok());
  ProcessResult pull = PlainHg("-R " + (dir / "clone") + " pull -q");
  ASSERT_TRUE(pull.ok()) << pull.out << pull.err;
  EXPECT_EQ(TipRevNode(dir / "clone"), TipRevNode(repo));
  EXPECT_EQ(PlainHg("-R " + (dir / "clone") + " log -r tip -T '{desc}'").out, "more");

  // A wire-protocol POST with its arguments in the body (httppostargs):
  // body, X-HgArgs-Post and Content-Type must reach hg intact.
  std::string node = PlainHg("-R " + repo + " log -r 0 -T '{node}'").out;
  httplib::Client c("127.0.0.1", web.port());
  std::string args = "nodes=" + node + "+" + std::string(40, '1');
  httplib::Headers h = {{"X-HgArgs-Post", std::to_string(args.size())},
                        {"X-HgProto-1", "0.1 0.2 comp=zlib,none"}};
  auto r = c.Post("/integration/autoland?cmd=known", h, args, "application/mercurial-0.1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "10");

  // hgweb pages and errors come through with their status codes.
  std::string body;
  EXPECT_EQ(web.Status("/integration/autoland/rev/tip", &body), 200);
  EXPECT_NE(body.find("more"), std::string::npos);
  EXPECT_EQ(web.Status("/integration/autoland/rev/nosuchrev"), 404);
  EXPECT_EQ(web.Status("/integration/", &body), 200);
  EXPECT_NE(body.find("autoland"), std::string::npos);
  EXPECT_EQ(web.Status("/no/such/repo/json-pushes"), 404);
}

TEST(WebFrontTest, HeadsNotYetReplicatedEverywhereAreNotCloned) {
  ScratchDir dir;
  WebProcess web(dir);
  std::string repo = web.repos() + "/demo";
  MakeRepo(repo, 2);
  std::string first = PlainHg("-R " + repo + " log -r 0 -T '{node}'").out;
  WriteReplicatedData(repo, EncodeReplicatedData({first}, 1));
  ProcessResult clone = PlainHg("clone -q " + web.url() + "demo " + (dir / "clone"));
  ASSERT_TRUE(clone.ok()) << clone.err;
  EXPECT_EQ(TipRevNode(dir / "clone"), "0:" + first);
}

std::vector<int> WorkerPids(const WebProcess& web) {
  std::string body;
  web.Status("/metrics", &body);
  std::vector<int> pids;
  std::regex re(R"re(hgcluster_web_hg_worker_in_flight\{worker="[0-9]+",pid="([0-9]+)"\})re");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator();
       ++it) {
    pids.push_back(std::stoi((*it)[1]));
  }
  return pids;
}

TEST(WebFrontTest, NativeCommandsNeedNoWorkerAndKilledWorkersAreRestarted) {
  ScratchDir dir;
  WebProcess web(dir);
  MakeRepo(web.repos() + "/projects/ash", 1);
  std::vector<int> pids = WorkerPids(web);
  ASSERT_EQ(pids.size(), 2u);
  for (int pid : pids) {
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, SIGSTOP), 0);
  }
  // Both workers frozen: the native command (the binary's demo command)
  // is still answered, at once, by the front itself.
  std::string body;
  EXPECT_EQ(web.Status("/projects/ash/hgcluster-repo", &body), 200);
  EXPECT_EQ(body,
            fmt::format("{{\"name\":\"projects/ash\",\"url\":\"{}projects/ash\"}}\n", web.url()));
  for (int pid : pids) kill(pid, SIGKILL);
  EXPECT_EQ(web.Status("/projects/ash/hgcluster-repo"), 200);
  // The pool notices, restarts both (new pids) and hg pages work again.
  EXPECT_TRUE(WaitFor(
      [&] {
        std::vector<int> now = WorkerPids(web);
        return now.size() == 2 && now[0] > 0 && now[1] > 0 && now[0] != pids[0] &&
               now[1] != pids[1] && web.Status("/__health") == 200;
      },
      60s))
      << web.Log();
  std::string metrics;
  web.Status("/metrics", &metrics);
  EXPECT_NE(metrics.find("hgcluster_web_hg_worker_restarts_total{worker=\"0\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_TRUE(WaitFor([&] { return web.Status("/projects/ash/rev/tip") == 200; }, 30s));
  EXPECT_NE(web.Log().find("exited with status"), std::string::npos) << web.Log();
}

TEST(WebFrontTest, ServerStatusShowsASlowTransferAndASlowCloneAsBusy) {
  ScratchDir dir;
  WebProcess web(dir);
  MakeBigRepo(web.repos() + "/big");
  EXPECT_EQ(web.ServerStatus()["BusyWorkers"], "0");
  {
    SlowClient slow(web.port(), "/big/raw-file/tip/big");
    std::string head = slow.ReadHead();
    ASSERT_NE(head.find(" 200 "), std::string::npos) << head;
    EXPECT_EQ(ContentLength(head), kBigFile);
    auto fields = web.ServerStatus();
    EXPECT_EQ(fields["BusyWorkers"], "1");
    EXPECT_GE(std::stoi(fields["ConnsTotal"]), 1);
    EXPECT_NE(fields["Scoreboard"].find('W'), std::string::npos);
    for (const char* k : {"Total Accesses", "Total kBytes", "Uptime", "ReqPerSec", "IdleWorkers"}) {
      EXPECT_TRUE(fields.count(k)) << k;
    }
  }
  // The client went away mid-transfer; the request is no longer in flight.
  EXPECT_TRUE(WaitFor([&] { return web.ServerStatus()["BusyWorkers"] == "0"; }, 30s))
      << web.ServerStatus()["BusyWorkers"];

  // A clone's wire request (getbundle, as `hg clone` sends it, arguments in
  // the query string) whose client stops reading: in flight until it goes.
  std::string tip = PlainHg("-R " + web.repos() + "/big log -r tip -T '{node}'").out;
  {
    SlowClient clone(web.port(),
                     "/big?cmd=getbundle&common=" + std::string(40, '0') + "&heads=" + tip);
    std::string head = clone.ReadHead();
    ASSERT_NE(head.find(" 200 "), std::string::npos) << head;
    EXPECT_NE(head.find("application/mercurial-0.1"), std::string::npos) << head;
    EXPECT_TRUE(WaitFor([&] { return web.ServerStatus()["BusyWorkers"] == "1"; }, 10s));
  }
  EXPECT_TRUE(WaitFor([&] { return web.ServerStatus()["BusyWorkers"] == "0"; }, 30s))
      << web.ServerStatus()["BusyWorkers"];
}

// As many clients that stopped reading mid-download as there are handler
// threads: none of them holds a thread (a stalled stream waits for its
// socket, not in a thread), the monitoring pages are answered on the I/O
// threads, and other requests are served.
TEST(WebFrontTest, ClientsThatStopReadingHoldNoHandlerThread) {
  ScratchDir dir;
  WebProcess web(dir, "threads = 2\n");
  MakeBigRepo(web.repos() + "/big");
  SlowClient first(web.port(), "/big/raw-file/tip/big");
  SlowClient second(web.port(), "/big/raw-file/tip/big");
  ASSERT_NE(first.ReadHead().find(" 200 "), std::string::npos);
  ASSERT_NE(second.ReadHead().find(" 200 "), std::string::npos);
  ASSERT_TRUE(WaitFor([&] { return web.ServerStatus()["BusyWorkers"] == "2"; }, 10s));
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(web.Status("/__health"), 200);
    std::string metrics;
    EXPECT_EQ(web.Status("/metrics", &metrics), 200);
    EXPECT_NE(metrics.find("hgcluster_web_in_flight_requests 2"), std::string::npos) << metrics;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  }
  std::string page;
  EXPECT_EQ(web.Status("/big/rev/tip", &page), 200);
  EXPECT_NE(page.find("big"), std::string::npos);
  std::string native;
  EXPECT_EQ(web.Status("/big/json-pushes", &native), 200) << native;
}

TEST(WebFrontTest, DrainRefusesNewWorkAndLetsTheInFlightRequestFinish) {
  ScratchDir dir;
  WebProcess web(dir, "drain_grace = 2\ndrain_timeout = 60\n");
  MakeBigRepo(web.repos() + "/big");
  SlowClient slow(web.port(), "/big/raw-file/tip/big");
  std::string head = slow.ReadHead();
  ASSERT_NE(head.find(" 200 "), std::string::npos) << head;
  ASSERT_TRUE(WaitFor([&] { return web.ServerStatus()["BusyWorkers"] == "1"; }, 10s));

  ProcessResult drain;
  std::thread drainer([&] { drain = Hgcluster({"web", "--drain", web.ini()}); });
  // First the load balancer's view turns (503), then the listener closes.
  EXPECT_TRUE(WaitFor([&] { return web.Status("/__health") == 503; }, 10s));
  EXPECT_TRUE(WaitFor([&] { return web.Status("/__health") == 0; }, 10s));
  EXPECT_TRUE(web.Running()) << "exited with a request in flight";

  EXPECT_EQ(slow.ReadRest(), kBigFile);
  drainer.join();
  EXPECT_EQ(drain.exit_code, 0) << drain.out << drain.err;
  EXPECT_NE(drain.out.find("draining hgcluster web (pid " + std::to_string(web.pid()) + ")"),
            std::string::npos)
      << drain.out;
  EXPECT_NE(drain.out.find("drained and stopped"), std::string::npos) << drain.out;
  EXPECT_EQ(web.Wait(), 0) << web.Log();
  EXPECT_NE(web.Log().find("draining: listener closed"), std::string::npos) << web.Log();
  EXPECT_FALSE(fs::exists(dir / "web.pid"));
}

// The front in this process, without hg workers.
class InProcessFront {
 public:
  InProcessFront(const std::string& repos, RepoCommands commands, const std::string& extra = "")
      : front_(WebConfig::Parse("[web]\nlisten = 127.0.0.1:0\nworkers = 0\nthreads = 8\n"
                                "repos = " +
                                    repos + "\n" + extra,
                                "test.ini"),
               std::move(commands)) {
    port_ = front_.Bind();
    thread_ = std::thread([this] { front_.Serve(); });
  }
  ~InProcessFront() {
    front_.Drain();
    thread_.join();
  }
  httplib::Result Get(const std::string& path) {
    httplib::Client c("127.0.0.1", port_);
    return c.Get(path.c_str());
  }
  int port() const { return port_; }
  WebFront& front() { return front_; }

 private:
  WebFront front_;
  int port_ = 0;
  std::thread thread_;
};

TEST(WebFrontTest, NativeCommandsAreAnsweredInProcessWithArgumentsIntact) {
  ScratchDir dir;
  fs::create_directories(dir / "repos/integration/autoland/.hg");
  std::mutex mu;
  std::vector<RepoRequest> seen;
  RepoCommands commands;
  commands.Register("json-pushes", [&](const RepoRequest& req, RepoResponse& res) {
    std::lock_guard lock(mu);
    seen.push_back(req);
    res.content_type = "application/json";
    res.headers.push_back({"X-Test", "yes"});
    res.body = "{\"pushes\": {}}\n";
  });
  commands.Register("explode", [](const RepoRequest&, RepoResponse&) {
    throw Error(ErrorKind::kIo, "pushlog database is locked");
  });
  InProcessFront web(dir / "repos", std::move(commands));

  auto r = web.Get("/integration/autoland/json-pushes/2?node=a&full=1&node=b%20c");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"pushes\": {}}\n");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(r->get_header_value("X-Test"), "yes");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].repo_name, "integration/autoland");
  EXPECT_EQ(seen[0].repo_root, dir / "repos/integration/autoland");
  EXPECT_EQ(seen[0].command, "json-pushes");
  EXPECT_EQ(seen[0].path_arg, "2");
  std::vector<std::pair<std::string, std::string>> query = {
      {"node", "a"}, {"full", "1"}, {"node", "b c"}};
  EXPECT_EQ(seen[0].query, query);
  EXPECT_EQ(seen[0].base_url, fmt::format("http://127.0.0.1:{}/", web.port()));

  r = web.Get("/integration/autoland/json-pushes");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(seen.back().path_arg, "");

  // A handler's exception: 500, JSON error, the front keeps serving.
  r = web.Get("/integration/autoland/explode");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "{\"error\":\"pushlog database is locked\"}\n");

  r = web.Get("/integration/nope/json-pushes");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  // Not native: goes to the hg workers, of which there are none here.
  r = web.Get("/integration/autoland/json-log");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(seen.size(), 2u);
}

// Prometheus text: every sample line parses; returns name{labels} -> value.
std::map<std::string, double> ParsePrometheus(const std::string& text) {
  std::map<std::string, double> out;
  std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})?) (-?[0-9.e+]+|\+Inf|NaN)$)");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, sample)) << "not Prometheus text: " << line;
    if (!m.empty()) out[m[1]] = std::stod(m[4]);
  }
  return out;
}

// Sends `request` (a head, maybe a little body) and reads until the server
// closes the connection or 10 s pass. `closed`: the server closed it.
std::string RawExchange(int port, const std::string& request, bool* closed) {
  timeval tv{10, 0};
  int fd = ConnectLoopback(port, SO_RCVTIMEO, &tv, sizeof tv);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t w = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (w <= 0) break;  // the server may answer and close before reading it all
    sent += static_cast<size_t>(w);
  }
  std::string out;
  char buf[65536];
  *closed = false;
  while (true) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r == 0 || (r < 0 && errno == ECONNRESET)) {
      *closed = true;
      break;
    }
    if (r < 0) break;  // timed out: still open
    out.append(buf, static_cast<size_t>(r));
  }
  close(fd);
  return out;
}

// Hostile request heads are refused from the head alone, with one readable
// line, before a body is read or hg sees anything; the connection closes.
TEST(WebFrontTest, HostileRequestHeadsAreRefusedBeforeTheBodyIsRead) {
  ScratchDir dir;
  fs::create_directories(dir / "repos/demo/.hg");
  RepoCommands commands;
  commands.Register("ping", [](const RepoRequest&, RepoResponse& res) { res.body = "pong"; });
  // The connection closes right after the answer: well before the
  // keep-alive timeout (5 s by default) or the head timeout (10 s).
  InProcessFront web(dir / "repos", std::move(commands));
  struct Case {
    std::string name, request;
    int status;
    std::string says;
  };
  std::string many;
  for (int i = 0; i < 2000; ++i) many += fmt::format("X-H{}: {}\r\n", i, std::string(8000, 'a'));
  std::vector<Case> cases = {
      {"1 GB upload to a mirror",
       "POST /demo?cmd=unbundle HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\nHG10", 413,
       "over this server's limit"},
      {"push to a mirror",
       "POST /demo?cmd=unbundle HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n", 403,
       "read-only mirror: push to the leader"},
      {"2,000 headers of 8 KB", "GET /demo/ping HTTP/1.1\r\nHost: x\r\n" + many + "\r\n", 431,
       "header fields"},
      {"conflicting Content-Length",
       "POST /demo?cmd=getbundle HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
       "Content-Length: 40\r\n\r\nabc",
       400, "conflicting Content-Length"},
      {"Content-Length with chunked",
       "POST /demo?cmd=getbundle HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
       "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
       400, "ambiguous"},
      {"malformed Content-Length",
       "POST /demo?cmd=getbundle HTTP/1.1\r\nHost: x\r\nContent-Length: 3x\r\n\r\nabc", 400,
       "malformed Content-Length"},
      {"malformed request line", "GARBAGE\r\n\r\n", 400, "malformed request"},
      {"a target over 8 KiB", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
       414, "request target is over 8192 bytes"},
      {"a chunked body over the limit",
       "POST /demo?cmd=getbundle HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "4000001\r\n" +
           std::string(1 << 20, 'a'),
       413, "over this server's limit"},
  };
  for (const auto& c : cases) {
    bool closed = false;
    auto start = std::chrono::steady_clock::now();
    std::string response = RawExchange(web.port(), c.request, &closed);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(response.rfind(fmt::format("HTTP/1.1 {} ", c.status), 0), 0u)
        << c.name << ":\n"
        << response.substr(0, 300);
    EXPECT_NE(response.find(c.says), std::string::npos) << c.name << ":\n" << response;
    EXPECT_TRUE(closed) << c.name << ": the connection stayed open";
    EXPECT_LT(seconds, 3) << c.name;
  }
  // A normal request still works, and the refusals are counted.
  EXPECT_EQ(web.Get("/demo/ping")->body, "pong");
  auto metrics = web.Get("/metrics")->body;
  EXPECT_NE(metrics.find("hgcluster_web_requests_total{class=\"refused\",status=\"413\"} 2"),
            std::string::npos)
      << metrics;
}

// HTTPS as users clone it: the front serves TLS with a certificate from
// `[web] tls_cert`/`tls_key`; hg clones over https:// trusting the test CA,
// and refuses the server without it.
TEST(WebFrontTest, ClonesOverHttpsWithATestCa) {
  ScratchDir dir;
  std::string tls = dir / "tls";
  fs::create_directories(tls);
  auto sh = [&](const std::string& cmd) {
    auto r = Sh("cd " + tls + " && " + cmd);
    EXPECT_TRUE(r.ok()) << cmd << "\n" << r.out << r.err;
  };
  sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
     "-subj '/CN=hgcluster test CA' 2>/dev/null");
  sh("openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
     "-subj '/CN=127.0.0.1' 2>/dev/null");
  WriteFileAtomic(tls + "/san.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  sh("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem "
     "-days 2 -extfile san.ext 2>/dev/null");
  WebProcess web(dir, fmt::format("tls_cert = {0}/server.pem\ntls_key = {0}/server.key\n", tls),
                 tls + "/ca.pem");
  MakeRepo(web.repos() + "/demo", 5);
  ASSERT_EQ(web.Status("/__health"), 200) << web.Log();
  // hg matches the host name against the certificate's DNS names only.
  std::string url = fmt::format("https://localhost:{}/", web.port());
  std::string clone = dir / "clone";
  auto r = PlainHg(fmt::format("clone --config web.cacerts={}/ca.pem {}demo {}", tls, url, clone));
  ASSERT_TRUE(r.ok()) << r.out << r.err << web.Log();
  EXPECT_EQ(TipRevNode(clone), TipRevNode(web.repos() + "/demo"));
  // Without the CA the certificate is not trusted.
  auto untrusted = PlainHg(fmt::format("clone --config web.cacerts={}/server.pem {}demo {}", tls,
                                       url, dir / "untrusted"));
  EXPECT_FALSE(untrusted.ok());
  EXPECT_NE((untrusted.out + untrusted.err).find("certificate"), std::string::npos)
      << untrusted.out << untrusted.err;
  // Plain HTTP to the HTTPS port gets no repository.
  httplib::Client plain("127.0.0.1", web.port());
  plain.set_connection_timeout(2);
  auto p = plain.Get("/demo?cmd=capabilities");
  EXPECT_TRUE(!p || p->status >= 400);
}

// Wire-protocol arguments hg would answer with a bare 500 get a 400 that
// says what was wrong; what real hg clients send still works.
TEST(WebFrontTest, MalformedWireArgumentsGetA400NotA500) {
  ScratchDir dir;
  WebProcess web(dir);
  MakeRepo(web.repos() + "/demo", 3);
  for (const auto& [path, says] : std::vector<std::pair<std::string, std::string>>{
           {"/demo?cmd=getbundle&heads=zzz", "argument 'heads' must be 40-hex-digit node ids"},
           {"/demo?cmd=known", "known: missing argument 'nodes'"},
           {"/demo?cmd=batch&cmds=heads", "batch: command 1 ('heads') must be"},
           {"/demo?cmd=batch&cmds=heads%20%3Bknown%20nodes%3Dxyz",
            "batch: known: argument 'nodes'"},
       }) {
    std::string body;
    EXPECT_EQ(web.Status(path, &body), 400) << path << ": " << body;
    EXPECT_NE(body.find(says), std::string::npos) << path << ": " << body;
  }
  auto clone = PlainHg(fmt::format("clone {}demo {}", web.url(), dir / "clone"));
  ASSERT_TRUE(clone.ok()) << clone.out << clone.err;
  EXPECT_EQ(TipRevNode(dir / "clone"), TipRevNode(web.repos() + "/demo"));
  auto pull = PlainHg(fmt::format("-R {} pull", dir / "clone"));
  EXPECT_TRUE(pull.ok()) << pull.out << pull.err;
}

TEST(WebFrontTest, MetricsAreFromPrometheusTextAndMove) {
  ScratchDir dir;
  fs::create_directories(dir / "repos/demo/.hg");
  std::string log_url = "sqlite://" + (dir / "log.db");
  auto log = OpenLog(log_url, "test");
  log->EnsureTopic("pushdata", 2);
  log->Append("pushdata", 1, "not a message");
  WriteFileAtomic(dir / "consumer.ini",
                  "[consumer]\nlog = " + log_url +
                      "\nclient_id = mirror1\ntopic = pushdata\ngroup = mirror1\n"
                      "[path_rewrites]\n{moz} = " +
                      (dir / "repos") + "\n");
  RepoCommands commands;
  commands.Register("ping", [](const RepoRequest&, RepoResponse& res) { res.body = "pong"; });
  InProcessFront web(dir / "repos", std::move(commands),
                     "consumer_config = " + (dir / "consumer.ini") + "\n");

  auto before = ParsePrometheus(web.Get("/metrics")->body);
  const std::string ok = "hgcluster_web_requests_total{class=\"native\",status=\"200\"}";
  EXPECT_EQ(before.count(ok), 0u);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(web.Get("/demo/ping")->status, 200);
  ASSERT_EQ(web.Get("/nope")->status, 404);
  auto after = ParsePrometheus(web.Get("/metrics")->body);
  EXPECT_EQ(after[ok], 3);
  EXPECT_EQ(after["hgcluster_web_requests_total{class=\"not_found\",status=\"404\"}"], 1);
  EXPECT_EQ(after["hgcluster_web_requests_total{class=\"metrics\",status=\"200\"}"], 1);
  EXPECT_EQ(after["hgcluster_web_request_duration_seconds_count{class=\"native\"}"], 3);
  EXPECT_EQ(after["hgcluster_web_request_duration_seconds_bucket{class=\"native\",le=\"+Inf\"}"],
            3);
  EXPECT_EQ(after["hgcluster_web_in_flight_requests"], 0);
  EXPECT_EQ(after["hgcluster_web_draining"], 0);
  EXPECT_EQ(after["hgcluster_replication_lag_available"], 1);
  EXPECT_EQ(after["hgcluster_replication_lag_messages{group=\"mirror1\",topic=\"pushdata\","
                  "partition=\"0\"}"],
            0);
  EXPECT_EQ(after["hgcluster_replication_lag_messages{group=\"mirror1\",topic=\"pushdata\","
                  "partition=\"1\"}"],
            1);
}

TEST(WebFrontTest, ClusterMirrorsServeThroughTheWebFront) {
  Cluster c;
  nlohmann::json s = c.Status();
  for (const auto& m : s["mirrors"]) {
    ASSERT_TRUE(m.contains("web_config")) << m.dump();
    httplib::Client client("127.0.0.1", m["http_port"].get<int>());
    auto r = client.Get("/__health");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    r = client.Get("/server-status?auto");
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find("BusyWorkers: 0\n"), std::string::npos) << r->body;
  }
  ProcessResult text = Hgcluster({"status", "--root", c.root()});
  EXPECT_NE(text.out.find("clone: hg clone " + s["mirrors"][0]["http"].get<std::string>() +
                          "NAME   (web front running)"),
            std::string::npos)
      << text.out;
  c.CreateRepo("demo");
  ScratchDir work;
  ASSERT_TRUE(c.Hg("init " + (work / "w")).ok());
  WriteFileAtomic(work / "w/a", "hi\n");
  ASSERT_TRUE(c.Hg("-R " + (work / "w") + " commit -qAm first").ok());
  ASSERT_TRUE(c.Push(work / "w", "demo").ok());
  ASSERT_TRUE(c.WaitConverged("demo"));
  std::string url = s["mirrors"][1]["http"].get<std::string>() + "demo";
  EXPECT_TRUE(WaitFor([&] { return c.Hg("id -r tip " + url).out.size() >= 12; }, 60s));
}

}  // namespace
}  // namespace hgc::test
