// One push as the pushlog records it (spec/hosting.md §1.1) and as it travels
// in replication events (docs/formats.md "pushes"): id, user, date and the
// pushed changesets in ascending revision order. Revisions are not carried:
// every repository computes its own.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hgc {

struct PushRecord {
  int64_t id = 0;
  std::string user;
  int64_t date = 0;                // Unix seconds
  std::vector<std::string> nodes;  // 40-hex, ascending rev order

  bool operator==(const PushRecord&) const = default;
};

// {"date": D, "nodes": [...], "pushid": I, "user": U}
nlohmann::json PushRecordToJson(const PushRecord& push);
// Throws Error(kMalformed) naming the bad field.
PushRecord PushRecordFromJson(const nlohmann::json& value);

}  // namespace hgc
