#include "hg/changeset.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "common/error.h"
#include "common/text.h"

namespace hgc {
namespace {

[[noreturn]] void BadChangeset(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "changeset: " + what);
}

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

// Python's codecs.escape_decode (stringutil.unescapestr).
std::string EscapeDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) BadChangeset("trailing \\ in extras");
    char c = s[i];
    switch (c) {
      case '\n':
        break;
      case '\\':
      case '\'':
      case '"':
        out += c;
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        int hi = i + 1 < s.size() ? HexDigitValue(s[i + 1]) : -1;
        int lo = i + 2 < s.size() ? HexDigitValue(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) BadChangeset("invalid \\x escape in extras");
        out += static_cast<char>((hi << 4) | lo);
        i += 2;
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          int v = c - '0';
          for (int n = 0; n < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++n) {
            v = v * 8 + (s[++i] - '0');
          }
          out += static_cast<char>(v & 0xFF);
        } else {
          out += '\\';  // unknown escapes are kept as they are
          out += c;
        }
    }
  }
  return out;
}

// changelog._string_unescape.
std::string StringUnescape(std::string_view text) {
  std::string t(text);
  if (t.find("\\0") != std::string::npos) {
    // As hg: protect "\\0" (an escaped backslash before a 0) from the "\0"
    // replacement with a newline marker, then drop the markers.
    t = ReplaceAll(std::move(t), "\\\\", "\\\\\n");
    t = ReplaceAll(std::move(t), "\\0", std::string_view("\0", 1));
    t = ReplaceAll(std::move(t), "\n", "");
  }
  return EscapeDecode(t);
}

}  // namespace

std::map<std::string, std::string> DecodeChangesetExtras(std::string_view text) {
  std::map<std::string, std::string> extras{{"branch", "default"}};
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) {
      std::string item = StringUnescape(text.substr(start, end - start));
      size_t colon = item.find(':');
      if (colon == std::string::npos) BadChangeset(fmt::format("extra without ':': {:?}", item));
      extras[item.substr(0, colon)] = item.substr(colon + 1);
    }
    start = end + 1;
  }
  return extras;
}

Changeset ParseChangeset(std::string_view text) {
  Changeset cs;
  if (text.empty()) {
    // The null revision's empty text (changelogrevision with no text).
    cs.manifest = std::string(40, '0');
    cs.extras = {{"branch", "default"}};
    return cs;
  }
  size_t nl1 = text.find('\n');
  size_t nl2 = nl1 == std::string_view::npos ? nl1 : text.find('\n', nl1 + 1);
  size_t nl3 = nl2 == std::string_view::npos ? nl2 : text.find('\n', nl2 + 1);
  if (nl3 == std::string_view::npos) BadChangeset("fewer than three header lines");
  size_t doublenl = nl3;
  if (text.substr(nl3 + 1, 1) != "\n") {
    doublenl = text.find("\n\n", nl3 + 1);
    if (doublenl == std::string_view::npos) BadChangeset("no blank line before the description");
  }
  cs.manifest = std::string(text.substr(0, nl1));
  cs.user = std::string(text.substr(nl1 + 1, nl2 - nl1 - 1));

  std::string_view date = text.substr(nl2 + 1, nl3 - nl2 - 1);
  size_t sp1 = date.find(' ');
  std::string time(date.substr(0, sp1));
  char* end = nullptr;
  double seconds = std::strtod(time.c_str(), &end);
  if (time.empty() || *end != '\0') BadChangeset(fmt::format("bad time {:?}", time));
  cs.time = static_cast<int64_t>(std::trunc(seconds));
  if (sp1 != std::string_view::npos) {
    size_t sp2 = date.find(' ', sp1 + 1);
    std::string tz(date.substr(sp1 + 1, sp2 == std::string_view::npos ? sp2 : sp2 - sp1 - 1));
    long v = std::strtol(tz.c_str(), &end, 10);
    cs.tz = (tz.empty() || *end != '\0') ? 0 : static_cast<int>(v);  // as hg: a bad tz reads 0
    if (sp2 != std::string_view::npos) {
      cs.extras = DecodeChangesetExtras(date.substr(sp2 + 1));
    }
  }
  if (cs.extras.empty()) cs.extras = {{"branch", "default"}};

  if (doublenl > nl3) {
    std::string_view files = text.substr(nl3 + 1, doublenl - nl3 - 1);
    size_t start = 0;
    while (true) {
      size_t nl = files.find('\n', start);
      cs.files.emplace_back(files.substr(start, nl == std::string_view::npos ? nl : nl - start));
      if (nl == std::string_view::npos) break;
      start = nl + 1;
    }
  }
  cs.description = std::string(text.substr(doublenl + 2));
  return cs;
}

}  // namespace hgc
