// One HTTP/1.0 exchange with an hg worker on loopback: sends the request,
// parses the status line and headers, then hands out the body piece by piece
// so the front can stream it (a clone is never held whole in memory). One
// connection per request, closed by the worker at the end of the body.
// Thread-safety: one object per request, used by one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgc {

class UpstreamExchange {
 public:
  // Connects to 127.0.0.1:port and sends `head` (request line + headers +
  // blank line) and `body`. Returns nullptr when the connection is refused;
  // throws Error(kIo) on a failure after connecting.
  static std::unique_ptr<UpstreamExchange> Open(int port, const std::string& head,
                                                std::string_view body, int timeout_seconds);
  ~UpstreamExchange();
  UpstreamExchange(const UpstreamExchange&) = delete;
  UpstreamExchange& operator=(const UpstreamExchange&) = delete;

  // Reads the status line and headers. Throws Error(kIo) when malformed.
  void ReadHead();
  int status() const { return status_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  std::optional<size_t> content_length() const { return content_length_; }
  // Up to `n` body bytes; 0 at the end of the body, -1 on error.
  long ReadBody(char* buf, size_t n);

 private:
  explicit UpstreamExchange(int fd) : fd_(fd) {}
  int fd_;
  std::string buffer_;  // bytes read past the header block
  size_t buffer_pos_ = 0;
  int status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::optional<size_t> content_length_;
  size_t body_read_ = 0;
};

}  // namespace hgc
