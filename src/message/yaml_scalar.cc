// Port of PyYAML's Emitter.analyze_scalar and implicit resolvers.
// Thread-safety: pure functions.
#include "message/yaml_scalar.h"

#include <string_view>

namespace hgc {
namespace {

bool IsSpaceOrBreak(char32_t c) {
  return c == U'\0' || c == U' ' || c == U'\t' || c == U'\r' || IsYamlBreak(c);
}

bool In(char32_t c, std::u32string_view set) { return set.find(c) != std::u32string_view::npos; }

// PyYAML's implicit resolvers (resolver.py), hand-written rather than
// std::regex: libstdc++'s regex recurses per character and a long digit
// string must not overflow the stack. Python's `$` also matches before a
// final "\n", but such text is multi-line and never written plain, so
// whole-string matches give the same answers.

// A cursor over the text; each Eat* consumes and reports success.
class Scan {
 public:
  explicit Scan(std::string_view text) : text_(text) {}
  bool Done() const { return pos_ == text_.size(); }
  size_t pos() const { return pos_; }
  void Reset(size_t pos) { pos_ = pos; }
  bool Eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
    return false;
  }
  bool EatAny(std::string_view set) {
    if (pos_ < text_.size() && set.find(text_[pos_]) != std::string_view::npos) {
      return ++pos_, true;
    }
    return false;
  }
  bool EatWord(std::string_view word) {
    if (text_.substr(pos_).starts_with(word)) return pos_ += word.size(), true;
    return false;
  }
  // Zero or more characters of `set`; returns how many.
  size_t EatRun(std::string_view set) {
    size_t n = 0;
    while (EatAny(set)) ++n;
    return n;
  }
  void EatSign() { EatAny("-+"); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kDigitsUnderscore = "0123456789_";

bool ResolvesAsBool(std::string_view t) {
  for (std::string_view w : {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false",
                             "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"}) {
    if (t == w) return true;
  }
  return false;
}

// null (including the empty string), merge "<<", value "=", yaml "!&*".
bool ResolvesAsNullOrSpecial(std::string_view t) {
  for (std::string_view w : {"", "~", "null", "Null", "NULL", "<<", "=", "!", "&", "*"}) {
    if (t == w) return true;
  }
  return false;
}

// (?::[0-5]?[0-9])+ — sexagesimal groups.
bool EatSexagesimal(Scan& s) {
  int groups = 0;
  for (;;) {
    const size_t mark = s.pos();
    if (!s.Eat(':')) break;
    // [0-5]?[0-9]: two digits when the first is 0-5 and a digit follows.
    const size_t after_colon = s.pos();
    if (s.EatAny("012345") && s.EatAny(kDigits)) {
      ++groups;
      continue;
    }
    s.Reset(after_colon);
    if (s.EatAny(kDigits)) {
      ++groups;
      continue;
    }
    s.Reset(mark);
    break;
  }
  return groups > 0;
}

bool ResolvesAsInt(std::string_view t) {
  Scan s(t);
  s.EatSign();
  const size_t body = s.pos();
  if (s.EatWord("0b") && s.EatRun("01_") > 0 && s.Done()) return true;
  s.Reset(body);
  if (s.EatWord("0x") && s.EatRun("0123456789abcdefABCDEF_") > 0 && s.Done()) return true;
  s.Reset(body);
  if (s.Eat('0') && (s.Done() || (s.EatRun("01234567_") > 0 && s.Done()))) return true;
  s.Reset(body);
  if (s.EatAny("123456789")) {
    s.EatRun(kDigitsUnderscore);
    if (s.Done()) return true;
    // The sexagesimal form: [1-9][0-9_]*(:[0-5]?[0-9])+ ; the greedy run
    // above cannot have eaten a ':'.
    if (EatSexagesimal(s) && s.Done()) return true;
  }
  return false;
}

bool EatExponent(Scan& s) {
  const size_t mark = s.pos();
  if (s.EatAny("eE") && s.EatAny("-+") && s.EatRun(kDigits) > 0) return true;
  s.Reset(mark);
  return false;
}

bool ResolvesAsFloat(std::string_view t) {
  Scan s(t);
  // [-+]?[0-9][0-9_]*\.[0-9_]*(exp)?  and  [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
  s.EatSign();
  const size_t body = s.pos();
  if (s.EatAny(kDigits)) {
    s.EatRun(kDigitsUnderscore);
    const size_t after_int = s.pos();
    if (s.Eat('.')) {
      s.EatRun(kDigitsUnderscore);
      EatExponent(s);
      if (s.Done()) return true;
    }
    s.Reset(after_int);
    if (EatSexagesimal(s) && s.Eat('.')) {
      s.EatRun(kDigitsUnderscore);
      if (s.Done()) return true;
    }
  }
  // [-+]?\.(inf|Inf|INF)
  s.Reset(body);
  if (s.Eat('.') && (s.EatWord("inf") || s.EatWord("Inf") || s.EatWord("INF")) && s.Done()) {
    return true;
  }
  // Unsigned only: \.[0-9][0-9_]*(exp)?  and  \.(nan|NaN|NAN)
  s.Reset(0);
  if (s.Eat('.')) {
    const size_t after_dot = s.pos();
    if (s.EatAny(kDigits)) {
      s.EatRun(kDigitsUnderscore);
      EatExponent(s);
      if (s.Done()) return true;
    }
    s.Reset(after_dot);
    if ((s.EatWord("nan") || s.EatWord("NaN") || s.EatWord("NAN")) && s.Done()) return true;
  }
  return false;
}

// [0-9]{n} exactly.
bool EatDigits(Scan& s, int n) {
  for (int i = 0; i < n; ++i) {
    if (!s.EatAny(kDigits)) return false;
  }
  return true;
}

// [0-9][0-9]?
bool EatOneOrTwoDigits(Scan& s) {
  if (!s.EatAny(kDigits)) return false;
  s.EatAny(kDigits);
  return true;
}

bool ResolvesAsTimestamp(std::string_view t) {
  Scan s(t);
  if (!EatDigits(s, 4) || !s.Eat('-')) return false;
  const size_t month = s.pos();
  if (EatDigits(s, 2) && s.Eat('-') && EatDigits(s, 2) && s.Done()) return true;
  s.Reset(month);
  if (!EatOneOrTwoDigits(s) || !s.Eat('-') || !EatOneOrTwoDigits(s)) return false;
  if (!s.EatAny("Tt") && s.EatRun(" \t") == 0) return false;
  if (!EatOneOrTwoDigits(s) || !s.Eat(':') || !EatDigits(s, 2) || !s.Eat(':') || !EatDigits(s, 2)) {
    return false;
  }
  if (s.Eat('.')) s.EatRun(kDigits);
  if (s.Done()) return true;
  s.EatRun(" \t");
  if (s.Eat('Z')) return s.Done();
  if (!s.EatAny("-+") || !EatOneOrTwoDigits(s)) return false;
  if (s.Eat(':') && !EatDigits(s, 2)) return false;
  return s.Done();
}

}  // namespace

YamlScalarAnalysis AnalyzeYamlScalar(const std::u32string& text) {
  YamlScalarAnalysis a;
  if (text.empty()) {
    a.empty = true;
    a.allow_flow_plain = false;
    a.allow_block = false;
    return a;
  }
  bool block_indicators = false;
  bool flow_indicators = false;
  bool line_breaks = false;
  bool special_characters = false;
  bool leading_space = false;
  bool leading_break = false;
  bool trailing_space = false;
  bool trailing_break = false;
  bool break_space = false;
  bool space_break = false;

  if (text.starts_with(U"---") || text.starts_with(U"...")) {
    block_indicators = true;
    flow_indicators = true;
  }
  bool preceded_by_whitespace = true;
  bool followed_by_whitespace = text.size() == 1 || IsSpaceOrBreak(text[1]);
  bool previous_space = false;
  bool previous_break = false;

  for (size_t index = 0; index < text.size(); ++index) {
    const char32_t ch = text[index];
    if (index == 0) {
      if (In(ch, U"#,[]{}&*!|>'\"%@`")) {
        flow_indicators = true;
        block_indicators = true;
      }
      if (ch == U'?' || ch == U':') {
        flow_indicators = true;
        if (followed_by_whitespace) block_indicators = true;
      }
      if (ch == U'-' && followed_by_whitespace) {
        flow_indicators = true;
        block_indicators = true;
      }
    } else {
      if (In(ch, U",?[]{}")) flow_indicators = true;
      if (ch == U':') {
        flow_indicators = true;
        if (followed_by_whitespace) block_indicators = true;
      }
      if (ch == U'#' && preceded_by_whitespace) {
        flow_indicators = true;
        block_indicators = true;
      }
    }
    if (IsYamlBreak(ch)) line_breaks = true;
    // Non-ASCII is "special" too because allow_unicode is off.
    if (!(ch == U'\n' || (ch >= 0x20 && ch <= 0x7E))) special_characters = true;

    if (ch == U' ') {
      if (index == 0) leading_space = true;
      if (index == text.size() - 1) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (IsYamlBreak(ch)) {
      if (index == 0) leading_break = true;
      if (index == text.size() - 1) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = IsSpaceOrBreak(ch);
    followed_by_whitespace = index + 2 >= text.size() || IsSpaceOrBreak(text[index + 2]);
  }

  if (leading_space || leading_break || trailing_space || trailing_break) {
    a.allow_flow_plain = a.allow_block_plain = false;
  }
  if (trailing_space) a.allow_block = false;
  if (break_space) a.allow_flow_plain = a.allow_block_plain = a.allow_single_quoted = false;
  if (space_break || special_characters) {
    a.allow_flow_plain = a.allow_block_plain = a.allow_single_quoted = a.allow_block = false;
  }
  if (line_breaks) a.allow_flow_plain = a.allow_block_plain = false;
  if (flow_indicators) a.allow_flow_plain = false;
  if (block_indicators) a.allow_block_plain = false;
  a.multiline = line_breaks;
  return a;
}

bool YamlPlainIsString(const std::string& text) {
  return !ResolvesAsBool(text) && !ResolvesAsNullOrSpecial(text) && !ResolvesAsInt(text) &&
         !ResolvesAsFloat(text) && !ResolvesAsTimestamp(text);
}

}  // namespace hgc
