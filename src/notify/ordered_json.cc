// Insertion-ordered Python-style JSON. Scalars go through PythonJsonDumps so
// floats and string escapes are byte-identical to the wire encoding.
// Thread-safety: pure functions.
#include "notify/ordered_json.h"

#include "message/message.h"

namespace hgc {
namespace {

nlohmann::json Scalar(const OrderedJson& value) {
  using Type = OrderedJson::value_t;
  switch (value.type()) {
    case Type::boolean:
      return value.get<bool>();
    case Type::number_integer:
      return value.get<int64_t>();
    case Type::number_unsigned:
      return value.get<uint64_t>();
    case Type::number_float:
      return value.get<double>();
    case Type::string:
      return value.get<std::string>();
    default:
      return nullptr;
  }
}

void Append(const OrderedJson& value, std::string& out) {
  if (value.is_array()) {
    out.push_back('[');
    bool first = true;
    for (const auto& item : value) {
      if (!first) out += ", ";
      first = false;
      Append(item, out);
    }
    out.push_back(']');
  } else if (value.is_object()) {
    out.push_back('{');
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (!first) out += ", ";
      first = false;
      out += PythonJsonDumps(nlohmann::json(key));
      out += ": ";
      Append(item, out);
    }
    out.push_back('}');
  } else {
    out += PythonJsonDumps(Scalar(value));
  }
}

}  // namespace

std::string PythonJsonDumpsOrdered(const OrderedJson& value) {
  std::string out;
  Append(value, out);
  return out;
}

nlohmann::json ToSortedJson(const OrderedJson& value) {
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(ToSortedJson(item));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[key] = ToSortedJson(item);
    return out;
  }
  return Scalar(value);
}

}  // namespace hgc
