// The status line and header block of a response the web front writes:
// the handler's headers, Content-Type, the body's framing (Content-Length,
// or chunked) and whether the connection stays open.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "web/http_message.h"

namespace hgc {

// `length`: the body's size when known; `chunked`: the body follows in
// chunks; `request_version`: 10 or 11 (an HTTP/1.0 client kept alive is
// told so). Header values with CR or LF are dropped, never sent.
std::string ResponseHead(const WebResponse& res, std::optional<uint64_t> length, bool keep_alive,
                         bool chunked, int request_version);

}  // namespace hgc
