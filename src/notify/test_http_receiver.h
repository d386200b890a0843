// Test-only: a small HTTP/1.1 server on 127.0.0.1 (an ephemeral port) that
// records every request and answers what the test's handler says. One
// request per connection, bounded reads (5 s per read, 64 KiB of headers,
// 32 MiB of body), so a broken client cannot hang a test. Header-only so
// it stays out of the hgcore library.
// Thread-safety: all public methods are safe from any thread; the handler
// runs on the server thread, one request at a time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hgc::test {

struct ReceivedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int status = 0;  // what the receiver answered

  std::string Header(const std::string& name) const {
    auto lower = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    for (const auto& [k, v] : headers) {
      if (lower(k) == lower(name)) return v;
    }
    return "";
  }
};

struct CannedResponse {
  int status = 200;
  std::string body;
};

class TestHttpReceiver {
 public:
  using Handler = std::function<CannedResponse(const ReceivedRequest&)>;

  explicit TestHttpReceiver(Handler handler = nullptr) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listen_fd_, 64) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("test HTTP receiver: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~TestHttpReceiver() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }

  TestHttpReceiver(const TestHttpReceiver&) = delete;
  TestHttpReceiver& operator=(const TestHttpReceiver&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool stopping() const { return stop_.load(); }

  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Requests answered with a 2xx status.
  std::vector<ReceivedRequest> accepted() const {
    std::lock_guard lock(mu_);
    std::vector<ReceivedRequest> out;
    for (const auto& r : requests_) {
      if (r.status >= 200 && r.status < 300) out.push_back(r);
    }
    return out;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{5, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      HandleConnection(fd);
      close(fd);
    }
  }

  static bool ReadMore(int fd, std::string& buf) {
    char chunk[16384];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  void HandleConnection(int fd) {
    std::string buf;
    size_t header_end;
    while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (buf.size() > 65536 || !ReadMore(fd, buf)) return;
    }
    ReceivedRequest req;
    size_t line_end = buf.find("\r\n");
    std::string request_line = buf.substr(0, line_end);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string::npos || sp2 <= sp1) return;
    req.method = request_line.substr(0, sp1);
    req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t content_length = 0;
    size_t pos = line_end + 2;
    while (pos < header_end) {
      size_t eol = buf.find("\r\n", pos);
      std::string line = buf.substr(pos, eol - pos);
      pos = eol + 2;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      req.headers.emplace_back(line.substr(0, colon), value);
    }
    std::string cl = req.Header("Content-Length");
    if (!cl.empty()) content_length = std::stoul(cl);
    if (content_length > (32u << 20)) return;
    if (req.Header("Expect") == "100-continue") {
      static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      if (write(fd, kContinue, sizeof(kContinue) - 1) < 0) return;
    }
    std::string body = buf.substr(header_end + 4);
    while (body.size() < content_length) {
      if (!ReadMore(fd, body)) return;
    }
    req.body = body.substr(0, content_length);
    CannedResponse response = handler_ ? handler_(req) : CannedResponse{};
    req.status = response.status;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
    std::string out = "HTTP/1.1 " + std::to_string(response.status) +
                      " Test\r\nContent-Type: text/plain\r\nContent-Length: " +
                      std::to_string(response.body.size()) + "\r\nConnection: close\r\n\r\n" +
                      response.body;
    size_t written = 0;
    while (written < out.size()) {
      ssize_t n = write(fd, out.data() + written, out.size() - written);
      if (n <= 0) return;
      written += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
};

}  // namespace hgc::test
