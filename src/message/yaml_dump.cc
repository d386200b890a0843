// DumpYaml: the `--dump` output (spec §3.1), byte-identical to PyYAML's
// yaml.safe_dump(bodies, default_flow_style=False) minus the final newline.
// This is a port of the parts of PyYAML's Emitter that block-style dumps of
// JSON values reach (emitter.py: indentation, scalar style choice, the
// plain/single/double-quoted writers with their 80-column folding), kept
// close to the original so differences are easy to audit.
// Thread-safety: pure function; each call owns its emitter.
#include <cstdio>
#include <string>

#include "message/message.h"
#include "message/python_repr.h"
#include "message/utf8.h"
#include "message/yaml_scalar.h"

namespace hgc {
namespace {

constexpr int kNoIndent = -1;  // PyYAML's indent = None
constexpr int kBestIndent = 2;
constexpr int kBestWidth = 80;
// check_simple_key adds the length of the prepared tag ("!!str") to the key.
constexpr size_t kStrTagLength = 5;
constexpr size_t kMaxSimpleKey = 128;

// A scalar as the representer hands it over: its text and whether the tag
// can be omitted when written plain (implicit[0]). Quoted styles always may
// omit it for strings and are never chosen for the other types.
struct Scalar {
  std::u32string text;
  bool plain_implicit = true;
};

Scalar RepresentScalar(const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  std::string text;
  switch (value.type()) {
    case Type::string: {
      const auto& s = value.get_ref<const std::string&>();
      return Scalar{DecodeUtf8(s), YamlPlainIsString(s)};
    }
    case Type::boolean:
      text = value.get<bool>() ? "true" : "false";
      break;
    case Type::number_integer:
      text = std::to_string(value.get<int64_t>());
      break;
    case Type::number_unsigned:
      text = std::to_string(value.get<uint64_t>());
      break;
    case Type::number_float: {
      // represent_float: repr().lower(), ".0" inserted before a bare exponent.
      const std::string repr = PythonFloatRepr(value.get<double>());
      if (repr == "nan") {
        text = ".nan";
      } else if (repr == "inf") {
        text = ".inf";
      } else if (repr == "-inf") {
        text = "-.inf";
      } else {
        text = repr;
        const size_t e = text.find('e');
        if (text.find('.') == std::string::npos && e != std::string::npos) {
          text.insert(e, ".0");
        }
      }
      break;
    }
    default:
      text = "null";
  }
  return Scalar{DecodeUtf8(text), true};
}

class Emitter {
 public:
  std::string Dump(const std::vector<nlohmann::json>& bodies) {
    nlohmann::json root = nlohmann::json::array();
    for (const auto& b : bodies) root.push_back(b);
    Node(root, /*root=*/true, false, false);
    WriteIndent();  // expect_document_end
    return out_;
  }

 private:
  enum class Style { kPlain, kSingle, kDouble };

  void IncreaseIndent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (indent_ == kNoIndent) {
      indent_ = flow ? kBestIndent : 0;
    } else if (!indentless) {
      indent_ += kBestIndent;
    }
  }

  void PopIndent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  void Node(const nlohmann::json& value, bool root, bool mapping, bool simple_key) {
    root_context_ = root;
    mapping_context_ = mapping;
    simple_key_context_ = simple_key;
    if (value.is_array() || value.is_binary()) {
      const nlohmann::json items = value.is_binary() ? BinaryAsList(value) : value;
      if (items.empty()) {
        FlowEmpty('[', ']');
      } else {
        BlockSequence(items);
      }
    } else if (value.is_object()) {
      if (value.empty()) {
        FlowEmpty('{', '}');
      } else {
        BlockMapping(value);
      }
    } else {
      ExpectScalar(RepresentScalar(value));
    }
  }

  static nlohmann::json BinaryAsList(const nlohmann::json& value) {
    nlohmann::json list = nlohmann::json::array();
    for (uint8_t b : value.get_binary()) list.push_back(b);
    return list;
  }

  void FlowEmpty(char open, char close) {
    WriteIndicator(std::string(1, open), true, /*whitespace=*/true);
    ++flow_level_;
    IncreaseIndent(/*flow=*/true, false);
    PopIndent();
    --flow_level_;
    WriteIndicator(std::string(1, close), false);
  }

  void BlockSequence(const nlohmann::json& items) {
    const bool indentless = mapping_context_ && !indention_;
    IncreaseIndent(false, indentless);
    for (const auto& item : items) {
      WriteIndent();
      WriteIndicator("-", true, false, /*indention=*/true);
      Node(item, false, false, false);
    }
    PopIndent();
  }

  void BlockMapping(const nlohmann::json& object) {
    IncreaseIndent(false, false);
    // std::map order: UTF-8 byte order, i.e. the code point order of sorted().
    for (const auto& [key, value] : object.get_ref<const nlohmann::json::object_t&>()) {
      WriteIndent();
      const Scalar k = RepresentScalar(nlohmann::json(key));
      const YamlScalarAnalysis a = AnalyzeYamlScalar(k.text);
      if (k.text.size() + kStrTagLength < kMaxSimpleKey && !a.empty && !a.multiline) {
        root_context_ = false;
        mapping_context_ = true;
        simple_key_context_ = true;
        ExpectScalar(k);
        WriteIndicator(":", false);
      } else {
        WriteIndicator("?", true, false, /*indention=*/true);
        Node(nlohmann::json(key), false, true, false);
        WriteIndent();
        WriteIndicator(":", true, false, /*indention=*/true);
      }
      Node(value, false, true, false);
    }
    PopIndent();
  }

  void ExpectScalar(const Scalar& scalar) {
    IncreaseIndent(/*flow=*/true, false);
    const YamlScalarAnalysis a = AnalyzeYamlScalar(scalar.text);
    const bool split = !simple_key_context_;
    switch (ChooseStyle(scalar, a)) {
      case Style::kPlain:
        WritePlain(scalar.text, split);
        break;
      case Style::kSingle:
        WriteSingleQuoted(scalar.text, split);
        break;
      case Style::kDouble:
        WriteDoubleQuoted(scalar.text, split);
        break;
    }
    PopIndent();
  }

  Style ChooseStyle(const Scalar& scalar, const YamlScalarAnalysis& a) const {
    if (scalar.plain_implicit && !(simple_key_context_ && (a.empty || a.multiline)) &&
        (flow_level_ > 0 ? a.allow_flow_plain : a.allow_block_plain)) {
      return Style::kPlain;
    }
    if (a.allow_single_quoted && !(simple_key_context_ && a.multiline)) return Style::kSingle;
    return Style::kDouble;
  }

  // --- Writers (emitter.py). Output is ASCII only: anything else is escaped
  // by the double-quoted writer, so a byte is a column.

  void Write(const std::u32string& text, size_t start, size_t end) {
    for (size_t i = start; i < end; ++i) out_.push_back(static_cast<char>(text[i]));
    column_ += static_cast<int>(end - start);
  }

  void WriteRaw(const std::string& data) {
    out_ += data;
    column_ += static_cast<int>(data.size());
  }

  void WriteIndicator(const std::string& indicator, bool need_whitespace, bool whitespace = false,
                      bool indention = false) {
    const std::string data = (whitespace_ || !need_whitespace) ? indicator : " " + indicator;
    whitespace_ = whitespace;
    indention_ = indention_ && indention;
    WriteRaw(data);
  }

  void WriteIndent() {
    const int indent = indent_ == kNoIndent ? 0 : indent_;
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) {
      WriteLineBreak();
    }
    if (column_ < indent) {
      whitespace_ = true;
      out_.append(static_cast<size_t>(indent - column_), ' ');
      column_ = indent;
    }
  }

  void WriteLineBreak(char32_t br = U'\n') {
    whitespace_ = true;
    indention_ = true;
    column_ = 0;
    // Only '\n' reaches here: other breaks make a scalar double-quoted.
    AppendUtf8(br, out_);
  }

  void WriteBreaks(const std::u32string& text, size_t start, size_t end) {
    for (size_t i = start; i < end; ++i) WriteLineBreak(text[i]);
  }

  void WritePlain(const std::u32string& text, bool split) {
    if (text.empty()) return;
    if (!whitespace_) WriteRaw(" ");
    whitespace_ = false;
    indention_ = false;
    bool spaces = false;
    bool breaks = false;
    size_t start = 0;
    for (size_t end = 0; end <= text.size(); ++end) {
      const bool at_end = end == text.size();
      const char32_t ch = at_end ? 0 : text[end];
      if (spaces) {
        if (at_end || ch != U' ') {
          if (start + 1 == end && column_ > kBestWidth && split) {
            WriteIndent();
            whitespace_ = false;
            indention_ = false;
          } else {
            Write(text, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (at_end || !IsYamlBreak(ch)) {
          if (text[start] == U'\n') WriteLineBreak();
          WriteBreaks(text, start, end);
          WriteIndent();
          whitespace_ = false;
          indention_ = false;
          start = end;
        }
      } else if (at_end || ch == U' ' || IsYamlBreak(ch)) {
        Write(text, start, end);
        start = end;
      }
      if (!at_end) {
        spaces = ch == U' ';
        breaks = IsYamlBreak(ch);
      }
    }
  }

  void WriteSingleQuoted(const std::u32string& text, bool split) {
    WriteIndicator("'", true);
    bool spaces = false;
    bool breaks = false;
    size_t start = 0;
    for (size_t end = 0; end <= text.size(); ++end) {
      const bool at_end = end == text.size();
      const char32_t ch = at_end ? 0 : text[end];
      if (spaces) {
        if (at_end || ch != U' ') {
          if (start + 1 == end && column_ > kBestWidth && split && start != 0 &&
              end != text.size()) {
            WriteIndent();
          } else {
            Write(text, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (at_end || !IsYamlBreak(ch)) {
          if (text[start] == U'\n') WriteLineBreak();
          WriteBreaks(text, start, end);
          WriteIndent();
          start = end;
        }
      } else if (at_end || ch == U' ' || IsYamlBreak(ch) || ch == U'\'') {
        if (start < end) {
          Write(text, start, end);
          start = end;
        }
      }
      if (ch == U'\'' && !at_end) {
        WriteRaw("''");
        start = end + 1;
      }
      if (!at_end) {
        spaces = ch == U' ';
        breaks = IsYamlBreak(ch);
      }
    }
    WriteIndicator("'", false);
  }

  static std::string Escape(char32_t ch) {
    switch (ch) {
      case U'\0':
        return "\\0";
      case 0x07:
        return "\\a";
      case 0x08:
        return "\\b";
      case 0x09:
        return "\\t";
      case 0x0A:
        return "\\n";
      case 0x0B:
        return "\\v";
      case 0x0C:
        return "\\f";
      case 0x0D:
        return "\\r";
      case 0x1B:
        return "\\e";
      case U'"':
        return "\\\"";
      case U'\\':
        return "\\\\";
      case 0x85:
        return "\\N";
      case 0xA0:
        return "\\_";
      case 0x2028:
        return "\\L";
      case 0x2029:
        return "\\P";
      default:
        break;
    }
    char buf[16];
    if (ch <= 0xFF) {
      std::snprintf(buf, sizeof(buf), "\\x%02X", static_cast<unsigned>(ch));
    } else if (ch <= 0xFFFF) {
      std::snprintf(buf, sizeof(buf), "\\u%04X", static_cast<unsigned>(ch));
    } else {
      std::snprintf(buf, sizeof(buf), "\\U%08X", static_cast<unsigned>(ch));
    }
    return buf;
  }

  void WriteDoubleQuoted(const std::u32string& text, bool split) {
    WriteIndicator("\"", true);
    size_t start = 0;
    for (size_t end = 0; end <= text.size(); ++end) {
      const bool at_end = end == text.size();
      const char32_t ch = at_end ? 0 : text[end];
      if (at_end || ch == U'"' || ch == U'\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 ||
          ch == 0xFEFF || !(ch >= 0x20 && ch <= 0x7E)) {
        if (start < end) {
          Write(text, start, end);
          start = end;
        }
        if (!at_end) {
          WriteRaw(Escape(ch));
          start = end + 1;
        }
      }
      if (end > 0 && end + 1 < text.size() && (ch == U' ' || start >= end) &&
          column_ + static_cast<int>(end) - static_cast<int>(start) > kBestWidth && split) {
        // `start >= end` is possible after an escape (start = end + 1); the
        // slice text[start:end] is then empty in Python.
        if (start < end) {
          Write(text, start, end);
          start = end;
        }
        WriteRaw("\\");
        WriteIndent();
        whitespace_ = false;
        indention_ = false;
        if (text[start] == U' ') WriteRaw("\\");
      }
    }
    WriteIndicator("\"", false);
  }

  std::string out_;
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  int indent_ = kNoIndent;
  std::vector<int> indents_;
  int flow_level_ = 0;
  bool root_context_ = false;
  bool mapping_context_ = false;
  bool simple_key_context_ = false;
};

}  // namespace

std::string DumpYaml(const std::vector<nlohmann::json>& bodies) {
  std::string out = Emitter().Dump(bodies);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace hgc
