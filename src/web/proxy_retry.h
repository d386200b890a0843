// Which proxied requests may be sent to a second hg worker after the first
// failed (a 5xx, a reset, a worker that died before its response head): the
// idempotent ones. GET/HEAD of hgweb pages, and the read-only wire-protocol
// commands whatever their method (httppostargs sends `known`, `getbundle` ...
// as POSTs). `unbundle`, `pushkey`, any other POST/PUT, an unknown command,
// and a `batch` whose arguments mention a write command are never retried.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgc {

struct ProxiedRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view query;   // the raw query string, without '?'
  // Request headers (only X-HgArg-* and X-HgArgs-Post are read).
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body;
};

// The wire-protocol command of a request (`cmd=` in the query), "" if none.
std::string WireCommandOf(std::string_view query);

bool IsIdempotentRequest(const ProxiedRequest& request);

}  // namespace hgc
