#include "common/log_escape.h"

#include <fmt/format.h>

namespace hgc {

namespace {

std::string Escape(std::string_view text, bool backslash, std::string_view also) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if ((backslash && c == '\\') || also.find(ch) != std::string_view::npos) {
      out += '\\';
      out += ch;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::string EscapeForLog(std::string_view text, std::string_view also) {
  return Escape(text, true, also);
}

std::string EscapeControl(std::string_view text) { return Escape(text, false, ""); }

}  // namespace hgc
