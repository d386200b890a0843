// The web front's server on loopback with handlers of the test's own: how
// each kind of response is framed (length, chunked, until the close), HEAD,
// 100-continue, a handler that throws, a source that fails mid-way.
#include "web/http_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "web_process.h"

namespace hgc {
namespace {

// A source of `total` bytes of 'x' in pieces; -1 after `fail_after` bytes.
WebBodySource Bytes(size_t total, size_t fail_after = SIZE_MAX) {
  auto sent = std::make_shared<size_t>(0);
  return [=](char* buf, size_t n) -> long {
    if (*sent >= fail_after) return -1;
    size_t k = std::min({n, total - *sent, size_t{1000}});
    std::fill(buf, buf + k, 'x');
    *sent += k;
    return static_cast<long>(k);
  };
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServer::Handlers h;
    h.screen = [](const WebRequest& req) -> std::optional<WebResponse> {
      if (req.path == "/screened") return WebResponse::Text(200, "at once\n");
      return std::nullopt;
    };
    h.handle = [](const WebRequest& req) {
      if (req.path == "/throw") throw std::runtime_error("boom");
      if (req.path == "/echo") return WebResponse::Text(200, "got " + req.body);
      WebResponse r;
      if (req.path == "/unknown-length") r.source = Bytes(5000);
      if (req.path == "/known-length") {
        r.source = Bytes(5000);
        r.source_length = 5000;
      }
      if (req.path == "/fails") {
        r.source = Bytes(5000, 2000);
        r.source_length = 5000;
      }
      return r;
    };
    HttpServerOptions options;
    options.handler_threads = 2;
    server_ = std::make_unique<HttpServer>(options, h);
    port_ = server_->Bind();
    server_->Start();
  }
  void TearDown() override { server_->Stop(); }

  int Connect() {
    timeval tv{10, 0};
    return test::ConnectLoopback(port_, SO_RCVTIMEO, &tv, sizeof tv);
  }
  static void Send(int fd, const std::string& s) {
    ASSERT_EQ(send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
  }
  // Reads until `done` holds on what was read, the close, or 10 s.
  static std::string ReadUntil(int fd, const std::function<bool(const std::string&)>& done,
                               bool* closed = nullptr) {
    std::string out;
    char buf[8192];
    if (closed) *closed = false;
    while (!done(out)) {
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r <= 0) {
        if (closed) *closed = r == 0;
        break;
      }
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }
  static std::string ReadToClose(int fd, bool* closed) {
    return ReadUntil(
        fd, [](const std::string&) { return false; }, closed);
  }

  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

TEST_F(HttpServerTest, UnknownLengthIsChunkedForHttp11AndTheConnectionStaysOpen) {
  int fd = Connect();
  Send(fd, "GET /unknown-length HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r = ReadUntil(fd, [](const std::string& s) { return s.ends_with("0\r\n\r\n"); });
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << r;
  // The chunks hold the 5,000 bytes.
  std::string body;
  size_t at = r.find("\r\n\r\n") + 4;
  while (true) {
    size_t eol = r.find("\r\n", at);
    size_t n = std::stoul(r.substr(at, eol - at), nullptr, 16);
    if (n == 0) break;
    body += r.substr(eol + 2, n);
    at = eol + 2 + n + 2;
  }
  EXPECT_EQ(body, std::string(5000, 'x'));
  // Kept alive: a second request on the same connection.
  Send(fd, "GET /screened HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  bool closed = false;
  std::string second = ReadToClose(fd, &closed);
  EXPECT_NE(second.find("at once\n"), std::string::npos) << second;
  EXPECT_TRUE(closed);
  close(fd);
}

TEST_F(HttpServerTest, UnknownLengthGoesUntilTheCloseForHttp10) {
  int fd = Connect();
  Send(fd, "GET /unknown-length HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  bool closed = false;
  std::string r = ReadToClose(fd, &closed);
  close(fd);
  EXPECT_TRUE(closed);
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos) << r;
  EXPECT_EQ(r.find("Content-Length"), std::string::npos) << r;
  EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), std::string(5000, 'x'));
}

TEST_F(HttpServerTest, HeadSendsTheLengthAndNoBody) {
  int fd = Connect();
  Send(fd,
       "HEAD /known-length HTTP/1.1\r\nHost: x\r\n\r\n"
       "GET /screened HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  bool closed = false;
  std::string r = ReadToClose(fd, &closed);
  close(fd);
  size_t second = r.find("HTTP/1.1 200 OK", 1);
  ASSERT_NE(second, std::string::npos) << r;
  std::string head = r.substr(0, second);
  EXPECT_NE(head.find("Content-Length: 5000\r\n"), std::string::npos) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  EXPECT_TRUE(r.ends_with("at once\n")) << r;
}

TEST_F(HttpServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  int fd = Connect();
  Send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  std::string interim = ReadUntil(fd, [](const std::string& s) { return s.ends_with("\r\n\r\n"); });
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  Send(fd, "hello");
  std::string r = ReadUntil(fd, [](const std::string& s) { return s.ends_with("got hello"); });
  close(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Length: 9\r\n"), std::string::npos) << r;
}

TEST_F(HttpServerTest, AHandlerThatThrowsGetsA500AndTheServerGoesOn) {
  int fd = Connect();
  Send(fd, "GET /throw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  bool closed = false;
  std::string r = ReadToClose(fd, &closed);
  close(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u) << r;
  EXPECT_TRUE(r.ends_with("internal error\n")) << r;
  int again = Connect();
  Send(again, "GET /screened HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(ReadToClose(again, &closed).find("at once"), std::string::npos);
  close(again);
}

TEST_F(HttpServerTest, ASourceThatFailsCutsTheResponseShortAndCloses) {
  int fd = Connect();
  Send(fd, "GET /fails HTTP/1.1\r\nHost: x\r\n\r\n");
  bool closed = false;
  std::string r = ReadToClose(fd, &closed);
  close(fd);
  EXPECT_TRUE(closed) << "a short body must end with the connection";
  EXPECT_NE(r.find("Content-Length: 5000\r\n"), std::string::npos) << r;
  EXPECT_EQ(r.size() - (r.find("\r\n\r\n") + 4), 2000u);
}

}  // namespace
}  // namespace hgc
