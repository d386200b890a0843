#include "web/upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "common/error.h"
#include "common/text.h"

namespace hgc {
namespace {

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

std::unique_ptr<UpstreamExchange> UpstreamExchange::Open(int port, const std::string& head,
                                                         std::string_view body,
                                                         int timeout_seconds) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(ErrorKind::kIo, std::string("socket: ") + strerror(errno));
  std::unique_ptr<UpstreamExchange> ex(new UpstreamExchange(fd));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return nullptr;
  if (!SendAll(fd, head.data(), head.size()) || !SendAll(fd, body.data(), body.size())) {
    throw Error(ErrorKind::kIo,
                std::string("sending the request to the hg worker: ") + strerror(errno));
  }
  return ex;
}

UpstreamExchange::~UpstreamExchange() { close(fd_); }

void UpstreamExchange::ReadHead() {
  size_t end = std::string::npos;
  char buf[16384];
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > 1 << 20) throw Error(ErrorKind::kIo, "hg worker sent headers over 1 MiB");
    ssize_t r = recv(fd_, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      throw Error(ErrorKind::kIo,
                  r == 0 ? std::string("hg worker closed the connection early")
                         : std::string("reading from the hg worker: ") + strerror(errno));
    }
    buffer_.append(buf, static_cast<size_t>(r));
  }
  std::string_view head(buffer_.data(), end);
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.x NNN reason"
  size_t sp = status_line.find(' ');
  if (sp == std::string_view::npos || status_line.size() < sp + 4 ||
      !status_line.starts_with("HTTP/")) {
    throw Error(ErrorKind::kIo, "hg worker sent a malformed status line: " +
                                    std::string(status_line.substr(0, 100)));
  }
  std::from_chars(status_line.data() + sp + 1, status_line.data() + sp + 4, status_);
  size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name = Trim(line.substr(0, colon));
      std::string value = Trim(line.substr(colon + 1));
      if (strcasecmp(name.c_str(), "Content-Length") == 0) {
        size_t n = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec == std::errc()) content_length_ = n;
      }
      headers_.emplace_back(std::move(name), std::move(value));
    }
    pos = eol + 2;
  }
  buffer_pos_ = end + 4;
}

long UpstreamExchange::ReadBody(char* buf, size_t n) {
  if (content_length_) {
    if (body_read_ >= *content_length_) return 0;
    n = std::min(n, *content_length_ - body_read_);
  }
  if (buffer_pos_ < buffer_.size()) {
    size_t take = std::min(n, buffer_.size() - buffer_pos_);
    std::memcpy(buf, buffer_.data() + buffer_pos_, take);
    buffer_pos_ += take;
    if (buffer_pos_ == buffer_.size()) {
      buffer_.clear();
      buffer_pos_ = 0;
    }
    body_read_ += take;
    return static_cast<long>(take);
  }
  while (true) {
    ssize_t r = recv(fd_, buf, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return content_length_ ? -1 : 0;  // EOF before Content-Length: truncated
    body_read_ += static_cast<size_t>(r);
    return static_cast<long>(r);
  }
}

}  // namespace hgc
