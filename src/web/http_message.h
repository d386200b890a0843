// One HTTP request as the web front's server (web/http_server.h) hands it
// to the front's handlers, and the response they give back: a whole body,
// or a body source the server pulls from while it writes (a clone streamed
// from an hg worker, a bundle file from disk), so nothing large is held in
// memory.
// Thread-safety: plain values; a response's body source is called from one
// thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgc {

using WebHeaders = std::vector<std::pair<std::string, std::string>>;

struct WebRequest {
  std::string method;  // "GET", as sent
  std::string target;  // "/demo/json-pushes?full=1", undecoded
  std::string path;    // the target's path, percent-decoded
  std::string query;   // after '?', undecoded ("" when none)
  int version = 11;    // 10: HTTP/1.0, 11: HTTP/1.1
  WebHeaders headers;  // as sent, in order
  std::string body;    // read only for requests that have one
  std::string remote_addr;

  // The first header of that name (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
};

// Fills `buf` with up to `n` body bytes: the count, 0 at the end of the
// body, -1 when the source failed (the response is then cut off).
using WebBodySource = std::function<long(char* buf, size_t n)>;

struct WebResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  WebHeaders headers;  // besides Content-Type, Content-Length and Connection
  std::string body;    // used when `source` is empty
  WebBodySource source;
  // The source's length when known (sent as Content-Length); otherwise the
  // body goes chunked to HTTP/1.1 clients and until the close to HTTP/1.0.
  std::optional<uint64_t> source_length;
  bool close = false;  // close the connection after this response
  // Called once the response is done with (sent, failed or abandoned),
  // with the body bytes written.
  std::function<void(uint64_t body_bytes)> finished;

  static WebResponse Text(int status, std::string text,
                          std::string content_type = "text/plain; charset=utf-8");
};

}  // namespace hgc
