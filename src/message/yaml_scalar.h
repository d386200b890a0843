// Scalar analysis for the PyYAML-compatible emitter (yaml_dump.cc): which
// styles a string may be written in (Emitter.analyze_scalar) and whether a
// plain string would read back as something else (Resolver, YAML 1.1).
// Thread-safety: pure functions.
#pragma once

#include <string>

namespace hgc {

// YAML's line breaks (PyYAML's '\n\x85\u2028\u2029').
inline bool IsYamlBreak(char32_t c) {
  return c == U'\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

struct YamlScalarAnalysis {
  bool empty = false;
  bool multiline = false;
  bool allow_flow_plain = true;
  bool allow_block_plain = true;
  bool allow_single_quoted = true;
  bool allow_double_quoted = true;
  bool allow_block = true;
};

// PyYAML's analyze_scalar with allow_unicode=False (safe_dump's default), so
// any character outside printable ASCII and '\n' forces double quotes.
YamlScalarAnalysis AnalyzeYamlScalar(const std::u32string& text);

// True when a plain scalar `text` resolves to a string under PyYAML's
// implicit resolvers (bool, int, float, null, timestamp, merge, value).
bool YamlPlainIsString(const std::string& text);

}  // namespace hgc
