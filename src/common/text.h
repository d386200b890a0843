// Small string helpers for the parsers of config files, HTTP headers and hg
// output: ASCII rules (the bytes these formats give meaning to are ASCII;
// other bytes pass through untouched). Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

// Whitespace as C's isspace in the "C" locale: space, \t, \n, \v, \f, \r.
bool IsAsciiSpace(char c);

// Without leading and trailing whitespace.
std::string Trim(std::string_view s);

// Without trailing whitespace (hg's output lines, a file's last newline).
std::string TrimRight(std::string_view s);

// Without trailing '/' (a base URL that paths are appended to).
std::string TrimTrailingSlashes(std::string_view s);

// ASCII letters lowered; every other byte unchanged.
std::string Lower(std::string_view s);

// The value of a hexadecimal digit (either case), or -1 for any other byte.
int HexDigitValue(char c);

}  // namespace hgc
