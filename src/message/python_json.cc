// PythonJsonDumps: byte-for-byte json.dumps(obj, sort_keys=True), the wire
// encoding of every message (spec §2.1), so that our producer and the
// reference's write identical values. Thread-safety: pure function.
#include <cstdio>
#include <string>

#include "message/message.h"
#include "message/python_repr.h"
#include "message/utf8.h"

namespace hgc {
namespace {

void AppendEscapedUnit(unsigned unit, std::string& out) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "\\u%04x", unit & 0xFFFFu);
  out += buf;
}

// ensure_ascii=True escaping; invalid UTF-8 has already become U+FFFD.
void AppendString(const std::string& text, std::string& out) {
  out.push_back('"');
  for (char32_t c : DecodeUtf8(text)) {
    switch (c) {
      case U'"':
        out += "\\\"";
        break;
      case U'\\':
        out += "\\\\";
        break;
      case U'\n':
        out += "\\n";
        break;
      case U'\r':
        out += "\\r";
        break;
      case U'\t':
        out += "\\t";
        break;
      case U'\b':
        out += "\\b";
        break;
      case U'\f':
        out += "\\f";
        break;
      default:
        if (c >= 0x20 && c <= 0x7E) {
          out.push_back(static_cast<char>(c));
        } else if (c < 0x10000) {
          AppendEscapedUnit(static_cast<unsigned>(c), out);
        } else {
          const char32_t v = c - 0x10000;
          AppendEscapedUnit(static_cast<unsigned>(0xD800 | (v >> 10)), out);
          AppendEscapedUnit(static_cast<unsigned>(0xDC00 | (v & 0x3FF)), out);
        }
    }
  }
  out.push_back('"');
}

void AppendFloat(double value, std::string& out) {
  // json.dumps writes non-finite floats as JavaScript literals, not repr().
  const std::string repr = PythonFloatRepr(value);
  if (repr == "nan") {
    out += "NaN";
  } else if (repr == "inf") {
    out += "Infinity";
  } else if (repr == "-inf") {
    out += "-Infinity";
  } else {
    out += repr;
  }
}

void Append(const nlohmann::json& value, std::string& out) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::null:
    case Type::discarded:
      out += "null";
      return;
    case Type::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Type::number_integer:
      out += std::to_string(value.get<int64_t>());
      return;
    case Type::number_unsigned:
      out += std::to_string(value.get<uint64_t>());
      return;
    case Type::number_float:
      AppendFloat(value.get<double>(), out);
      return;
    case Type::string:
      AppendString(value.get_ref<const std::string&>(), out);
      return;
    case Type::binary: {
      // Never produced by us; written as a list of byte values.
      out.push_back('[');
      bool first = true;
      for (uint8_t b : value.get_binary()) {
        if (!first) out += ", ";
        first = false;
        out += std::to_string(b);
      }
      out.push_back(']');
      return;
    }
    case Type::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ", ";
        first = false;
        Append(item, out);
      }
      out.push_back(']');
      return;
    }
    case Type::object: {
      // nlohmann's object is a std::map ordered by bytes; for UTF-8 byte
      // order equals code point order, which is what sorted() uses.
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out += ", ";
        first = false;
        AppendString(key, out);
        out += ": ";
        Append(item, out);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string PythonJsonDumps(const nlohmann::json& value) {
  std::string out;
  Append(value, out);
  return out;
}

}  // namespace hgc
