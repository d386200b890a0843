#include "pushlog/commit_message.h"

#include <algorithm>
#include <array>
#include <set>

namespace hgc {
namespace {

constexpr int64_t kMaxBug = 100000000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWord(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// \b at position i of s.
bool IsBoundary(std::string_view s, size_t i) {
  bool before = i > 0 && IsWord(s[i - 1]);
  bool after = i < s.size() && IsWord(s[i]);
  return before != after;
}

// Case-insensitive match of `word` (lower case) at s[i]; end of it or npos.
size_t MatchWord(std::string_view s, size_t i, std::string_view word) {
  if (s.size() - std::min(i, s.size()) < word.size()) return std::string_view::npos;
  for (size_t k = 0; k < word.size(); ++k) {
    if (Lower(s[i + k]) != word[k]) return std::string_view::npos;
  }
  return i + word.size();
}

size_t SkipSpaces(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// `(\d+)(?=\b)` at i: end of the digits, npos when there are none or a word
// character follows them.
size_t Digits(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && IsDigit(s[j])) ++j;
  if (j == i || (j < s.size() && IsWord(s[j]))) return std::string_view::npos;
  return j;
}

// `\b(?:w1|w2|...)\b` at i, words in lower case tried in order: end or npos.
template <size_t N>
size_t Keyword(std::string_view s, size_t i, const std::array<std::string_view, N>& words) {
  if (!IsBoundary(s, i)) return std::string_view::npos;
  for (std::string_view w : words) {
    size_t end = MatchWord(s, i, w);
    if (end != std::string_view::npos && IsBoundary(s, end)) return end;
  }
  return std::string_view::npos;
}

// `[0-9a-f]{12}\b` (any case) at i: its end or npos.
size_t ShortNode(std::string_view s, size_t i) {
  if (s.size() < i + 12) return std::string_view::npos;
  for (size_t k = i; k < i + 12; ++k) {
    if (!IsHex(s[k])) return std::string_view::npos;
  }
  return IsBoundary(s, i + 12) ? i + 12 : std::string_view::npos;
}

void AddBug(std::string_view digits, std::vector<int64_t>& bugs, std::set<int64_t>& seen) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (digits.size() > 9) return;  // >= 10^9, above the limit anyway
  int64_t n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  if (n < kMaxBug && seen.insert(n).second) bugs.push_back(n);
}

bool Conservative(std::string_view text) {
  if (text.substr(0, 17) == "Bumping gaia.json") return true;
  // The first `^Source-Repo: (https?://.*)$` line decides.
  for (std::string_view line : SplitLines(text)) {
    constexpr std::string_view kKey = "Source-Repo: ";
    if (line.substr(0, kKey.size()) != kKey) continue;
    std::string_view url = line.substr(kKey.size());
    if (url.substr(0, 7) != "http://" && url.substr(0, 8) != "https://") continue;
    return url.substr(0, 19) == "https://github.com/";
  }
  return false;
}

// The reference's BUG_RE at position i: the digits' [start, end) or npos.
std::pair<size_t, size_t> BugAt(std::string_view s, size_t i) {
  constexpr auto npos = std::string_view::npos;
  auto rest = [&](size_t p) -> std::pair<size_t, size_t> {
    p = SkipSpaces(s, p);
    if (p < s.size() && s[p] == '#') ++p;
    size_t end = Digits(s, p);
    return {p, end};
  };
  // bug | b= | (?=\b#?\d{5,}) | ^(?=\d), each then \s*#?(\d+)(?=\b)
  for (std::string_view w : {std::string_view("bug"), std::string_view("b=")}) {
    size_t p = MatchWord(s, i, w);
    if (p == npos) continue;
    auto r = rest(p);
    if (r.second != npos) return r;
  }
  if (IsBoundary(s, i)) {
    size_t p = i < s.size() && s[i] == '#' ? i + 1 : i;
    size_t q = p;
    while (q < s.size() && IsDigit(s[q])) ++q;
    if (q - p >= 5) {
      auto r = rest(i);
      if (r.second != npos) return r;
    }
  }
  if (i == 0 && !s.empty() && IsDigit(s[0])) {
    auto r = rest(0);
    if (r.second != npos) return r;
  }
  return {npos, npos};
}

// BUG_CONSERVATIVE_RE: \b(?:bug|b=)\b\s*(\d+)(?=\b)
std::pair<size_t, size_t> ConservativeBugAt(std::string_view s, size_t i) {
  constexpr auto npos = std::string_view::npos;
  if (!IsBoundary(s, i)) return {npos, npos};
  for (std::string_view w : {std::string_view("bug"), std::string_view("b=")}) {
    size_t p = MatchWord(s, i, w);
    if (p == npos || !IsBoundary(s, p)) continue;
    p = SkipSpaces(s, p);
    size_t end = Digits(s, p);
    if (end != npos) return {p, end};
  }
  return {npos, npos};
}

// IRC_NICK, `[a-zA-Z0-9\-\_.]*[a-zA-Z0-9\-\_]+`, at i: its end or npos.
size_t Nick(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && (IsWord(s[j]) || s[j] == '-' || s[j] == '.')) ++j;
  while (j > i && s[j - 1] == '.') --j;
  return j > i ? j : std::string_view::npos;
}

bool IsListSeparator(char c) { return c == ';' || c == ',' || c == '/' || c == '\\'; }

// (?![a-z0-9\.\-]+[=?]) at i: true when the next word is another flag.
bool FlagFollows(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() &&
         ((s[j] >= 'a' && s[j] <= 'z') || IsDigit(s[j]) || s[j] == '.' || s[j] == '-')) {
    ++j;
  }
  return j > i && j < s.size() && (s[j] == '=' || s[j] == '?');
}

// (?:r|a|sr|rs|ui-r)[=?] at i: its end or npos.
size_t Specifier(std::string_view s, size_t i) {
  for (std::string_view flag : {"r", "a", "sr", "rs", "ui-r"}) {
    if (s.substr(i, flag.size()) != flag) continue;
    size_t p = i + flag.size();
    if (p < s.size() && (s[p] == '=' || s[p] == '?')) return p + 1;
  }
  return std::string_view::npos;
}

// Backout keyword `^(?:backed out|backout|back out)\b` at 0: end or npos.
size_t BackoutKeyword(std::string_view line) {
  for (std::string_view w : {"backed out", "backout", "back out"}) {
    size_t end = MatchWord(line, 0, w);
    if (end != std::string_view::npos && IsBoundary(line, end)) return end;
  }
  return std::string_view::npos;
}

constexpr std::array<std::string_view, 5> kChangesetWord = {"changeset", "revision", "change",
                                                            "cset", "of"};
constexpr std::array<std::string_view, 5> kChangesetsWord = {"changesets", "revisions", "changes",
                                                             "csets", "of"};

// BACKOUT_SINGLE_RE matched at the start of `line`: the node, or empty.
std::string_view SingleBackout(std::string_view line) {
  constexpr auto npos = std::string_view::npos;
  size_t p = BackoutKeyword(line);
  if (p == npos) return {};
  size_t q = SkipSpaces(line, p);
  if (q == p) return {};
  size_t after_word = Keyword(line, q, kChangesetWord);
  if (after_word != npos) q = SkipSpaces(line, after_word);
  size_t end = ShortNode(line, q);
  return end == npos ? std::string_view() : line.substr(q, 12);
}

}  // namespace

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

std::vector<int64_t> ParseBugs(std::string_view text) {
  bool conservative = Conservative(text);
  std::vector<int64_t> bugs;
  std::set<int64_t> seen;
  size_t i = 0;
  while (i < text.size()) {
    auto [start, end] = conservative ? ConservativeBugAt(text, i) : BugAt(text, i);
    if (end == std::string_view::npos) {
      ++i;
      continue;
    }
    AddBug(text.substr(start, end - start), bugs, seen);
    i = end;
  }
  return bugs;
}

std::vector<std::string> ParseReviewers(std::string_view description) {
  std::vector<std::string> names;
  std::vector<std::string_view> lines = SplitLines(description);
  if (lines.empty()) return names;
  std::string_view s = lines.front();
  size_t i = 0;
  while (i < s.size()) {
    char d = s[i];
    bool delimiter = IsSpace(d) || d == '(' || d == '.' || d == '[' || d == ';' || d == ',';
    size_t p = delimiter ? Specifier(s, i + 1) : std::string_view::npos;
    if (p == std::string_view::npos) {
      ++i;
      continue;
    }
    // The names: NICK (LIST (?!flag) NICK)*, split at the separators.
    size_t end = Nick(s, p);
    if (end != std::string_view::npos) names.emplace_back(s.substr(p, end - p));
    while (end != std::string_view::npos && end < s.size() && IsListSeparator(s[end])) {
      size_t q = SkipSpaces(s, end + 1);
      if (FlagFollows(s, q)) break;
      size_t next = Nick(s, q);
      if (next == std::string_view::npos) break;
      names.emplace_back(s.substr(q, next - q));
      end = next;
    }
    i = end == std::string_view::npos ? p : end;
  }
  return names;
}

std::optional<std::vector<std::string>> ParseBackouts(std::string_view description) {
  constexpr auto npos = std::string_view::npos;
  if (BackoutKeyword(description) == npos) return std::nullopt;
  std::vector<std::string_view> lines = SplitLines(description);
  std::string_view first = lines.empty() ? std::string_view() : lines.front();
  std::vector<std::string> nodes;
  if (std::string_view node = SingleBackout(first); !node.empty()) {
    nodes.emplace_back(node);
    return nodes;
  }
  size_t p = BackoutKeyword(first);
  size_t q = SkipSpaces(first, p);
  if (q == p) return std::nullopt;
  // "Backed out N changesets": one "Backed out changeset X" per next line.
  size_t digits_end = q;
  while (digits_end < first.size() && IsDigit(first[digits_end])) ++digits_end;
  if (digits_end > q) {
    size_t r = SkipSpaces(first, digits_end);
    if (r > digits_end && Keyword(first, r, kChangesetsWord) != npos) {
      for (size_t k = 1; k < lines.size(); ++k) {
        if (std::string_view node = SingleBackout(lines[k]); !node.empty())
          nodes.emplace_back(node);
      }
      return nodes;
    }
  }
  // "Backed out changesets X, Y and Z" on one line: every node preceded by
  // separators (spaces, commas, "and"); without the keyword, the first
  // space after "backed out" is not one of them.
  size_t after_word = Keyword(first, q, kChangesetsWord);
  size_t pos = after_word != npos ? after_word : p + 1;
  for (;;) {
    size_t sep = pos;
    for (;;) {
      if (sep < first.size() && (IsSpace(first[sep]) || first[sep] == ',')) {
        ++sep;
      } else if (size_t e = MatchWord(first, sep, "and"); e != npos) {
        sep = e;
      } else {
        break;
      }
    }
    if (sep == pos) break;
    size_t end = ShortNode(first, sep);
    if (end == npos) break;
    nodes.emplace_back(first.substr(sep, 12));
    pos = end;
  }
  if (nodes.empty()) return std::nullopt;
  return nodes;
}

std::vector<BugMention> FindBugMentions(std::string_view text) {
  std::vector<BugMention> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = MatchWord(text, i, "bug");
    if (end == std::string_view::npos || !IsBoundary(text, i)) {
      ++i;
      continue;
    }
    size_t p = SkipSpaces(text, end);
    if (p < text.size() && text[p] == '#') p = SkipSpaces(text, p + 1);
    size_t digits = p;
    while (digits < text.size() && IsDigit(text[digits])) ++digits;
    if (digits == p || digits - p > 9 || !IsBoundary(text, digits)) {
      i = end;
      continue;
    }
    out.push_back({i, digits, std::string(text.substr(p, digits - p))});
    i = digits;
  }
  return out;
}

std::optional<std::vector<std::string>> ParseReverts(std::string_view description) {
  std::vector<std::string_view> lines = SplitLines(description);
  if (lines.empty() || lines.front().substr(0, 7) != "Revert ") return std::nullopt;
  std::vector<std::string> commits;
  constexpr std::string_view kPrefix = "This reverts commit ";
  for (size_t k = 1; k < lines.size(); ++k) {
    std::string_view line = lines[k];
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;
    std::string_view sha = line.substr(kPrefix.size(), 40);
    if (sha.size() != 40 || !std::all_of(sha.begin(), sha.end(), [](char c) {
          return IsDigit(c) || (c >= 'a' && c <= 'f');
        })) {
      continue;
    }
    if (!IsBoundary(line, kPrefix.size() + 40)) continue;
    commits.emplace_back(sha);
  }
  return commits;
}

}  // namespace hgc
