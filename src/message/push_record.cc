#include "message/push_record.h"

#include "common/error.h"

namespace hgc {

nlohmann::json PushRecordToJson(const PushRecord& push) {
  nlohmann::json j = nlohmann::json::object();
  j["pushid"] = push.id;
  j["user"] = push.user;
  j["date"] = push.date;
  j["nodes"] = push.nodes;
  return j;
}

PushRecord PushRecordFromJson(const nlohmann::json& value) {
  auto bad = [](const char* what) {
    return Error(
        ErrorKind::kMalformed,
        std::string("pushes entry: ") + what +
            "; expected {\"pushid\": int, \"user\": str, \"date\": int, \"nodes\": [hex]}");
  };
  if (!value.is_object()) throw bad("not an object");
  PushRecord push;
  if (!value.contains("pushid") || !value["pushid"].is_number_integer()) throw bad("bad pushid");
  if (!value.contains("user") || !value["user"].is_string()) throw bad("bad user");
  if (!value.contains("date") || !value["date"].is_number_integer()) throw bad("bad date");
  if (!value.contains("nodes") || !value["nodes"].is_array()) throw bad("bad nodes");
  push.id = value["pushid"].get<int64_t>();
  push.user = value["user"].get<std::string>();
  push.date = value["date"].get<int64_t>();
  for (const auto& n : value["nodes"]) {
    if (!n.is_string() || n.get<std::string>().size() != 40) throw bad("a node is not 40-hex");
    push.nodes.push_back(n.get<std::string>());
  }
  return push;
}

}  // namespace hgc
