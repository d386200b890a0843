// The web front (a real `hgcluster web`) under connections that do not
// behave: ten thousand idle or half-sent ones, more than a client address
// may hold, and heads that never finish.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "test_support.h"
#include "web_process.h"

namespace hgc::test {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// A socket from `source` (a 127.x address) to 127.0.0.1:`port`, with a
// 10 s receive timeout so no read below can hang.
int ConnectFrom(const std::string& source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from), 0) << source;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0) << strerror(errno);
  return fd;
}

// Sends `request` on `fd` and reads until the server closes the connection
// (or 10 s pass); `closed` says which.
std::string Exchange(int fd, const std::string& request, bool* closed = nullptr) {
  if (!request.empty()) send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  bool eof = false;
  while (true) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r == 0 || (r < 0 && errno == ECONNRESET)) {
      eof = true;
      break;
    }
    if (r < 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  if (closed) *closed = eof;
  return out;
}

// A GET on a new connection from `source`; the whole response.
std::string GetFrom(const std::string& source, int port, const std::string& path) {
  int fd = ConnectFrom(source, port);
  std::string out =
      Exchange(fd, fmt::format("GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path));
  close(fd);
  return out;
}

// The quickest of five answers to `path`, each on a new connection, in
// seconds; fails the test on any answer but 200.
double QuickestOfFive(int port, const std::string& path) {
  double best = 1e9;
  for (int i = 0; i < 5; ++i) {
    auto start = SteadyClock::now();
    std::string r = GetFrom("127.0.0.1", port, path);
    double s = std::chrono::duration<double>(SteadyClock::now() - start).count();
    EXPECT_EQ(r.rfind("HTTP/1.1 200 ", 0), 0u) << path << ": " << r.substr(0, 200);
    best = std::min(best, s);
  }
  return best;
}

TEST(WebConnectionsE2E, TenThousandIdleAndHalfSentConnectionsStallNothing) {
  constexpr int kConnections = 10000;
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  ASSERT_GE(rl.rlim_max, static_cast<rlim_t>(kConnections + 512))
      << "this test needs " << kConnections + 512 << " open files (ulimit -Hn)";
  rl.rlim_cur = rl.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);

  ScratchDir dir;
  WebProcess web(dir, "max_connections_per_client = 0\nrequest_head_timeout = 300\n");
  ASSERT_TRUE(PlainHg("init " + web.repos() + "/demo").ok());
  ASSERT_EQ(web.Status("/demo/json-pushes"), 200) << web.Log();
  long rss_before = ResidentKb(web.pid());

  // Half send nothing, half half a request head.
  std::vector<int> fds;
  fds.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    int fd = ConnectFrom("127.0.0.1", web.port());
    if (i % 2 == 1) {
      std::string half = "GET /demo/json-pushes HTTP/1.1\r\nHost: x\r\nX-Slow: ";
      send(fd, half.data(), half.size(), MSG_NOSIGNAL);
    }
    fds.push_back(fd);
  }
  ASSERT_TRUE(
      WaitFor([&] { return std::stoi(web.ServerStatus()["ConnsTotal"]) >= kConnections; }, 60s))
      << web.ServerStatus()["ConnsTotal"];

  // The monitoring page and the pushlog still answer at once.
  EXPECT_LT(QuickestOfFive(web.port(), "/__health"), 0.1);
  EXPECT_LT(QuickestOfFive(web.port(), "/demo/json-pushes"), 0.1);
  long rss_held = ResidentKb(web.pid());
  // A few KB per connection: a socket and a small buffer, no thread.
  EXPECT_LT(rss_held - rss_before, 64 * 1024)
      << "RSS grew from " << rss_before << " KB to " << rss_held << " KB";
  RecordProperty("rss_kb_per_idle_connection",
                 std::to_string(static_cast<double>(rss_held - rss_before) / kConnections));

  for (int fd : fds) close(fd);
  EXPECT_TRUE(WaitFor([&] { return std::stoi(web.ServerStatus()["ConnsTotal"]) <= 1; }, 60s))
      << web.ServerStatus()["ConnsTotal"];
}

TEST(WebConnectionsE2E, AClientAddressOverItsCapGetsA503AndOthersAreServed) {
  ScratchDir dir;
  WebProcess web(dir, "max_connections_per_client = 3\n");
  // WebProcess's own requests have come and gone; wait until they are closed.
  ASSERT_TRUE(WaitFor([&] {
    return AutoFields(GetFrom("127.0.0.2", web.port(), "/server-status?auto"))["ConnsTotal"] == "1";
  }));
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(ConnectFrom("127.0.0.1", web.port()));
  ASSERT_TRUE(WaitFor([&] {
    return AutoFields(GetFrom("127.0.0.2", web.port(), "/server-status?auto"))["ConnsTotal"] == "4";
  }));
  std::string over = GetFrom("127.0.0.1", web.port(), "/__health");
  EXPECT_EQ(over.rfind("HTTP/1.1 503 ", 0), 0u) << over;
  EXPECT_NE(over.find("too many open connections"), std::string::npos) << over;
  // Another address is not held up by this one.
  EXPECT_EQ(GetFrom("127.0.0.3", web.port(), "/__health").rfind("HTTP/1.1 200 ", 0), 0u);
  // One of the three goes: the address is served again.
  close(held.back());
  held.pop_back();
  EXPECT_TRUE(WaitFor([&] {
    return GetFrom("127.0.0.1", web.port(), "/__health").rfind("HTTP/1.1 200 ", 0) == 0;
  }));
  for (int fd : held) close(fd);
  std::string metrics;
  web.Status("/metrics", &metrics);
  EXPECT_NE(metrics.find("hgcluster_web_requests_total{class=\"refused\",status=\"503\"}"),
            std::string::npos)
      << metrics;
}

TEST(WebConnectionsE2E, RequestBodiesHeldAtOnceStayWithinTheirBudget) {
  ScratchDir dir;
  WebProcess web(dir, "max_body_bytes = 1000000\nmax_buffered_body_bytes = 2000000\n");
  ASSERT_TRUE(PlainHg("init " + web.repos() + "/demo").ok());
  std::string head =
      "POST /demo?cmd=known HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nnodes=";
  // Two bodies begun and not finished hold the whole budget...
  std::vector<int> slow;
  for (int i = 0; i < 2; ++i) {
    slow.push_back(ConnectFrom("127.0.0.1", web.port()));
    send(slow.back(), head.data(), head.size(), MSG_NOSIGNAL);
  }
  // ...so a third is refused from its head, and nothing else is held up.
  EXPECT_TRUE(WaitFor([&] {
    int fd = ConnectFrom("127.0.0.1", web.port());
    std::string answer = Exchange(fd, head);
    close(fd);
    return answer.rfind("HTTP/1.1 503 ", 0) == 0 &&
           answer.find("too many request bodies are being received") != std::string::npos;
  }));
  EXPECT_EQ(web.Status("/__health"), 200);
  for (int fd : slow) close(fd);
  // Once they are gone, a body is read again (and hg answers the malformed
  // arguments: not a 503).
  EXPECT_TRUE(WaitFor([&] {
    int fd = ConnectFrom("127.0.0.1", web.port());
    std::string body(1000000 - 6, 'a');
    std::string answer = Exchange(fd, head + body);
    close(fd);
    return !answer.empty() && answer.rfind("HTTP/1.1 503 ", 0) != 0;
  }));
}

TEST(WebConnectionsE2E, AHeadOrBodyThatNeverFinishesGetsA408AndAnIdleConnectionCloses) {
  ScratchDir dir;
  WebProcess web(dir, "request_head_timeout = 1\nread_timeout = 1\n");
  auto start = SteadyClock::now();
  int half = ConnectFrom("127.0.0.1", web.port());
  bool closed = false;
  std::string answer = Exchange(half, "GET /__health HTTP/1.1\r\nHost: x\r\n", &closed);
  double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  close(half);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("request head not received within 1 seconds"), std::string::npos) << answer;
  EXPECT_TRUE(closed);
  EXPECT_LT(seconds, 5);

  int slow_body = ConnectFrom("127.0.0.1", web.port());
  answer = Exchange(slow_body,
                    "POST /demo?cmd=known HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nnod",
                    &closed);
  close(slow_body);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("request body not received within 1 seconds"), std::string::npos) << answer;
  EXPECT_TRUE(closed);

  int idle = ConnectFrom("127.0.0.1", web.port());
  answer = Exchange(idle, "", &closed);
  close(idle);
  EXPECT_EQ(answer, "");
  EXPECT_TRUE(closed) << "an idle connection stayed open";
  // Keep-alive still works for clients that do send their requests.
  int kept = ConnectFrom("127.0.0.1", web.port());
  std::string two = "GET /__health HTTP/1.1\r\nHost: x\r\n\r\n";
  two += "GET /__health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  answer = Exchange(kept, two, &closed);
  close(kept);
  size_t first = answer.find("HTTP/1.1 200 ");
  EXPECT_EQ(first, 0u) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 200 ", first + 1), std::string::npos) << answer;
}

}  // namespace
}  // namespace hgc::test
