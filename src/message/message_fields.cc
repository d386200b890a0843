// Checked field access for DecodeMessage. Thread-safety: pure functions.
#include "message/message_fields.h"

#include <fmt/format.h>

#include <limits>

#include "common/error.h"

namespace hgc {
namespace {

constexpr const char* kHint =
    "; the message cannot be applied: fix the producer that wrote it, then move the consumer "
    "past it with --skip";

}  // namespace

const nlohmann::json& MessageFields::Get(const char* field) const {
  auto it = object_.find(field);
  if (it == object_.end()) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("malformed {} message: required field \"{}\" is missing{}", name_,
                            field, kHint));
  }
  return *it;
}

void MessageFields::Mistyped(const char* field, const char* expected) const {
  throw Error(ErrorKind::kMalformed,
              fmt::format("malformed {} message: field \"{}\" must be {}, got {}{}", name_, field,
                          expected, object_.at(field).type_name(), kHint));
}

std::string MessageFields::String(const char* field) const {
  const auto& v = Get(field);
  if (!v.is_string()) Mistyped(field, "a string");
  return v.get<std::string>();
}

std::optional<std::string> MessageFields::StringOrNull(const char* field) const {
  const auto& v = Get(field);
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) Mistyped(field, "a string or null");
  return v.get<std::string>();
}

bool MessageFields::Bool(const char* field) const {
  const auto& v = Get(field);
  if (!v.is_boolean()) Mistyped(field, "a boolean");
  return v.get<bool>();
}

int64_t MessageFields::Int(const char* field) const {
  const auto& v = Get(field);
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      Mistyped(field, "a 64-bit integer");
    }
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (!v.is_number_integer()) Mistyped(field, "an integer");
  return v.get<int64_t>();
}

std::optional<int64_t> MessageFields::IntOrNull(const char* field) const {
  if (Get(field).is_null()) return std::nullopt;
  const auto& v = Get(field);
  if (!v.is_number_integer()) Mistyped(field, "an integer or null");
  return Int(field);
}

std::vector<std::string> MessageFields::StringList(const char* field) const {
  const auto& v = Get(field);
  if (!v.is_array()) Mistyped(field, "a list of strings");
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const auto& item : v) {
    if (!item.is_string()) {
      throw Error(ErrorKind::kMalformed,
                  fmt::format("malformed {} message: field \"{}\" must be a list of strings, "
                              "but item {} is a {}{}",
                              name_, field, out.size(), item.type_name(), kHint));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

int MessageFields::Ret(const char* field) const {
  const auto& v = Get(field);
  if (v.is_boolean()) return v.get<bool>() ? 0 : 1;
  if (!v.is_number_integer()) Mistyped(field, "an integer");
  const int64_t ret = Int(field);
  if (ret < std::numeric_limits<int>::min() || ret > std::numeric_limits<int>::max()) {
    Mistyped(field, "an integer in the range of an exit status");
  }
  return static_cast<int>(ret);
}

double MessageFields::Created() const {
  auto it = object_.find("_created");
  if (it == object_.end()) return 0;
  if (!it->is_number()) Mistyped("_created", "a number");
  return it->get<double>();
}

}  // namespace hgc
