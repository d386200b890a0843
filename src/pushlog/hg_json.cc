#include "pushlog/hg_json.h"

#include <fmt/format.h>

namespace hgc {
namespace {

void AppendUnit(std::string& out, uint32_t unit) {
  fmt::format_to(std::back_inserter(out), "\\u{:04x}", unit);
}

void AppendAscii(std::string& out, unsigned char c) {
  switch (c) {
    case '\t':
      out += "\\t";
      return;
    case '\n':
      out += "\\n";
      return;
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\r':
      out += "\\r";
      return;
    case '<':
      out += "\\u003c";
      return;
    case '>':
      out += "\\u003e";
      return;
    default:
      break;
  }
  if (c < 0x20 || c == 0x7f) {
    AppendUnit(out, c);
  } else {
    out += static_cast<char>(c);
  }
}

// Length of the valid UTF-8 sequence at `s` (Python's strict decoder, which
// rejects overlongs and surrogates), 0 when invalid.
size_t Utf8Sequence(std::string_view s, size_t i, uint32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t n;
  uint32_t min;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, cp = c & 0x1f, min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, cp = c & 0x0f, min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

}  // namespace

void AppendHgJsonString(std::string& out, std::string_view bytes) {
  out += '"';
  for (size_t i = 0; i < bytes.size();) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      AppendAscii(out, c);
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t n = Utf8Sequence(bytes, i, cp);
    if (n == 0) {
      AppendUnit(out, 0xdc00 | c);  // UTF-8b: the undecodable byte
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      AppendUnit(out, 0xd800 | (cp >> 10));
      AppendUnit(out, 0xdc00 | (cp & 0x3ff));
    } else {
      AppendUnit(out, cp);
    }
    i += n;
  }
  out += '"';
}

std::string HgJsonString(std::string_view bytes) {
  std::string out;
  AppendHgJsonString(out, bytes);
  return out;
}

}  // namespace hgc
