// Python's repr() of floats and strings, which the reference's outputs embed
// (JSON and YAML floats, the heads list in log display).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

// repr(float): shortest round-trip digits, fixed notation when the decimal
// exponent is in [-4, 16) (with ".0" if integral), else "1.5e-07" style;
// "nan", "inf", "-inf" for non-finite values.
std::string PythonFloatRepr(double value);

// repr(str) of UTF-8 text: single quotes unless the text contains ' and no ".
std::string PythonStrRepr(std::string_view text);

}  // namespace hgc
