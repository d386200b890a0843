// Recognises an event seen again. The aggregator may copy a record twice if
// it crashes between appending and committing; the copies differ only in
// `_created` and `_aggregated_from` (the position they were copied from,
// which differs too when the duplicate arose in the first stage), so the
// identity is the body without those two fields — it still holds the
// push's `_original_created` and `_original_partition`, which no two
// distinct events share. A record without `_original_created` (not written
// by the aggregator) is identified by its exact bytes.
// Thread-safety: EventKey is pure; RecentEvents is not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hgc {

// `body` is the decoded JSON object, if the value decoded at all.
std::string EventKey(std::string_view value, const nlohmann::json* body);

// The last `capacity` handled events, by key, with the offset each was
// first handled at.
class RecentEvents {
 public:
  explicit RecentEvents(size_t capacity) : capacity_(capacity) {}
  void Add(const std::string& key, int64_t offset);
  std::optional<int64_t> Find(const std::string& key) const;
  size_t size() const { return order_.size(); }

 private:
  size_t capacity_;
  std::deque<std::string> order_;
  std::unordered_map<std::string, int64_t> offsets_;
};

}  // namespace hgc
