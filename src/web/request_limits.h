// What a mirror's web front refuses from a request head alone, before any
// body is read or anything is passed to hg: too many or too large headers
// (431), framing that a proxy in front could read differently — conflicting
// or malformed Content-Length, Content-Length with Transfer-Encoding, a
// transfer coding other than chunked (400, RFC 9112 §6) — a body over the
// limit (413), and pushes (`cmd=unbundle`/`pushkey`), which a read-only
// mirror never accepts (403, naming where to push). Each refusal is one
// readable line; the connection is closed after it, since the unread body
// would otherwise be taken for the next request.
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hgc {

struct RequestLimits {
  size_t max_headers = 100;             // [web] max_headers (hg's own limit is 100)
  size_t max_header_bytes = 64 * 1024;  // [web] max_header_bytes, names + values
  size_t max_body_bytes = 64 << 20;     // [web] max_body_bytes (wire-protocol POST args)
};

struct RequestHead {
  std::string method;
  std::string query;  // after '?', undecoded
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
};

struct Refusal {
  int status = 400;
  std::string message;  // one line, no trailing newline
};

std::optional<Refusal> CheckRequestHead(const RequestHead& head, const RequestLimits& limits);

// The same refusals for what an HTTP parser finds before a head is complete
// (web/http_server.cc maps its parser's errors here), so that every refusal
// reads the same whichever check caught it.
enum class HeadProblem {
  kMalformedLength,      // a Content-Length that is no byte count
  kConflictingLength,    // two different Content-Length values
  kLengthWithChunked,    // Content-Length and Transfer-Encoding
  kBadTransferEncoding,  // a coding other than one `chunked`
  kHeaderTooLarge,       // the head is over max_header_bytes
  kTargetTooLong,        // the request target is over kMaxTargetBytes
  kBodyTooLarge,         // a chunked body grew over max_body_bytes
  kHeadTimeout,          // the head did not arrive within its timeout
  kBodyTimeout,          // the body did not arrive within its timeout
};
inline constexpr size_t kMaxTargetBytes = 8192;
Refusal RefusalFor(HeadProblem problem, const RequestLimits& limits, int timeout_seconds = 0);

}  // namespace hgc
