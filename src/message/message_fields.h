// Typed, checked access to the fields of a message object for DecodeMessage:
// a missing or mistyped field is Error(kMalformed) naming the field and the
// message type, with what to do about it.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hgc {

class MessageFields {
 public:
  // `object` must outlive this view.
  MessageFields(const nlohmann::json& object, std::string name)
      : object_(object), name_(std::move(name)) {}

  std::string String(const char* field) const;
  std::optional<std::string> StringOrNull(const char* field) const;
  bool Bool(const char* field) const;
  int64_t Int(const char* field) const;
  std::optional<int64_t> IntOrNull(const char* field) const;
  std::vector<std::string> StringList(const char* field) const;
  // Pushkey `ret`: an int, or a bool normalised as the producer does
  // (true -> 0, false -> 1).
  int Ret(const char* field) const;
  // `_created`: a number; 0 when absent (hand-made messages).
  double Created() const;

 private:
  const nlohmann::json& Get(const char* field) const;
  [[noreturn]] void Mistyped(const char* field, const char* expected) const;

  const nlohmann::json& object_;
  std::string name_;
};

}  // namespace hgc
