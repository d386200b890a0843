// UTF-8 <-> code points for the Python-compatible writers (JSON, YAML, repr),
// which reason in code points as Python's str does.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

// Decodes UTF-8; every byte that is not part of a valid sequence (overlong
// forms, surrogates, > U+10FFFF, truncation) becomes U+FFFD, so callers never
// see a failure: payloads built from non-UTF-8 data still serialise.
std::u32string DecodeUtf8(std::string_view text);

void AppendUtf8(char32_t cp, std::string& out);

}  // namespace hgc
