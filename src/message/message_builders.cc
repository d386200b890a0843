// Builders for every message type the producer emits (spec §1.2): exactly
// the documented fields plus `name` and `_created`.
// Thread-safety: pure functions.
#include <algorithm>

#include "message/message.h"

namespace hgc {
namespace {

nlohmann::json Base(const char* name, double created) {
  return nlohmann::json{{"name", name}, {"_created", created}};
}

nlohmann::json StringOrNull(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json MakeHeartbeat(double created) { return Base("heartbeat-1", created); }

nlohmann::json MakeRepoInit(const std::string& path, bool generaldelta, double created) {
  nlohmann::json m = Base("hg-repo-init-2", created);
  m["path"] = path;
  m["generaldelta"] = generaldelta;
  return m;
}

nlohmann::json MakeHgrcUpdate(const std::string& path, const std::optional<std::string>& content,
                              double created) {
  nlohmann::json m = Base("hg-hgrc-update-1", created);
  m["path"] = path;
  m["content"] = StringOrNull(content);
  return m;
}

nlohmann::json MakeChangegroup(const std::string& path, const std::string& source,
                               int64_t nodecount, const std::vector<std::string>& heads,
                               double created) {
  nlohmann::json m = Base("hg-changegroup-2", created);
  m["path"] = path;
  m["source"] = source;
  m["nodecount"] = nodecount;
  m["heads"] = heads;
  return m;
}

nlohmann::json MakePushkey(const std::string& path, const std::string& ns, const std::string& key,
                           const std::string& old_value, const std::string& new_value, int ret,
                           double created) {
  nlohmann::json m = Base("hg-pushkey-1", created);
  m["path"] = path;
  m["namespace"] = ns;
  m["key"] = key;
  m["old"] = old_value;
  m["new"] = new_value;
  m["ret"] = ret;
  return m;
}

nlohmann::json MakeRepoSync(const std::string& path, const std::vector<std::string>& requirements,
                            const std::optional<std::string>& hgrc,
                            const std::vector<std::string>& heads, bool bootstrap, double created) {
  nlohmann::json m = Base("hg-repo-sync-2", created);
  // §1.2 promises sorted requirements; sorting here keeps that true whatever
  // order the caller read them in.
  std::vector<std::string> sorted = requirements;
  std::sort(sorted.begin(), sorted.end());
  m["path"] = path;
  m["requirements"] = sorted;
  m["hgrc"] = StringOrNull(hgrc);
  m["heads"] = heads;
  m["bootstrap"] = bootstrap;
  return m;
}

nlohmann::json MakeHeads(const std::string& path, const std::vector<std::string>& heads,
                         std::optional<int64_t> last_push_id, double created) {
  nlohmann::json m = Base("hg-heads-1", created);
  m["path"] = path;
  m["heads"] = heads;
  m["last_push_id"] = last_push_id ? nlohmann::json(*last_push_id) : nlohmann::json(nullptr);
  return m;
}

nlohmann::json MakeRepoDelete(const std::string& path, double created) {
  nlohmann::json m = Base("hg-repo-delete-1", created);
  m["path"] = path;
  return m;
}

nlohmann::json MakeRepoVerify(const std::string& path, const nlohmann::json& digest,
                              double created) {
  nlohmann::json m = Base("hg-repo-verify-1", created);
  m["path"] = path;
  m["digest"] = digest;
  return m;
}

void AttachPushes(nlohmann::json& message, const std::vector<PushRecord>& pushes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : pushes) list.push_back(PushRecordToJson(p));
  message["pushes"] = std::move(list);
}

}  // namespace hgc
