#include "web/http_response_head.h"

#include <fmt/format.h>
#include <strings.h>

#include <boost/beast/http/status.hpp>

namespace hgc {
namespace {

bool Framing(const std::string& name) {
  for (const char* h :
       {"Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Keep-Alive"}) {
    if (strcasecmp(name.c_str(), h) == 0) return true;
  }
  return false;
}

bool Safe(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

}  // namespace

std::string ResponseHead(const WebResponse& res, std::optional<uint64_t> length, bool keep_alive,
                         bool chunked, int request_version) {
  namespace http = boost::beast::http;
  auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(res.status)));
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", res.status,
                                reason.empty() ? "Unknown" : std::string(reason));
  for (const auto& [name, value] : res.headers) {
    if (!Framing(name) && Safe(name) && Safe(value)) out += fmt::format("{}: {}\r\n", name, value);
  }
  if (!res.content_type.empty() && Safe(res.content_type)) {
    out += fmt::format("Content-Type: {}\r\n", res.content_type);
  }
  bool bodiless = res.status == 204 || res.status == 304 || (res.status >= 100 && res.status < 200);
  if (chunked) {
    out += "Transfer-Encoding: chunked\r\n";
  } else if (length && !bodiless) {
    out += fmt::format("Content-Length: {}\r\n", *length);
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (request_version < 11) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace hgc
