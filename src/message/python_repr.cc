// Python repr() of floats and strings. Thread-safety: pure functions.
#include "message/python_repr.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "message/utf8.h"

namespace hgc {

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // to_chars without precision yields the shortest digits that round-trip,
  // exactly what Python's repr picks; only the layout differs.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string out;
  size_t i = 0;
  if (sci[i] == '-') {
    out.push_back('-');
    ++i;
  }
  std::string digits;
  for (; i < sci.size() && sci[i] != 'e'; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  const int exponent = std::atoi(sci.c_str() + i + 1);
  const int decpt = exponent + 1;  // value = 0.<digits> * 10^decpt
  const int ndigits = static_cast<int>(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out.push_back(digits[0]);
    if (ndigits > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    char exp[16];
    std::snprintf(exp, sizeof(exp), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= ndigits) {
    out += digits;
    out.append(static_cast<size_t>(decpt - ndigits), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<size_t>(decpt));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(decpt));
  }
  return out;
}

std::string PythonStrRepr(std::string_view text) {
  const std::u32string cps = DecodeUtf8(text);
  bool has_single = false;
  bool has_double = false;
  for (char32_t c : cps) {
    has_single = has_single || c == U'\'';
    has_double = has_double || c == U'"';
  }
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (char32_t c : cps) {
    if (c == static_cast<char32_t>(quote) || c == U'\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == U'\n') {
      out += "\\n";
    } else if (c == U'\r') {
      out += "\\r";
    } else if (c == U'\t') {
      out += "\\t";
    } else if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xAD) {
      // Approximates str.isprintable() for the Latin-1 range; beyond it
      // every character is shown as is, like Python does for letters.
      char hex[16];
      std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned>(c));
      out += hex;
    } else {
      AppendUtf8(c, out);
    }
  }
  out.push_back(quote);
  return out;
}

}  // namespace hgc
