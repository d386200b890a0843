// Event identity and the recent-events window. Thread-safety: see header.
#include "notify/event_identity.h"

#include "message/message.h"
#include "common/digest.h"

namespace hgc {

std::string EventKey(std::string_view value, const nlohmann::json* body) {
  if (body != nullptr && body->is_object() && body->contains("_original_created")) {
    nlohmann::json copy = *body;
    copy.erase("_created");
    copy.erase("_aggregated_from");
    return Sha256Hex(PythonJsonDumps(copy));
  }
  return Sha256Hex(value);
}

void RecentEvents::Add(const std::string& key, int64_t offset) {
  if (capacity_ == 0) return;
  // A key already present keeps the offset it was first handled at.
  if (offsets_.emplace(key, offset).second) order_.push_back(key);
  while (order_.size() > capacity_) {
    offsets_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<int64_t> RecentEvents::Find(const std::string& key) const {
  auto it = offsets_.find(key);
  if (it == offsets_.end()) return std::nullopt;
  return it->second;
}

}  // namespace hgc
