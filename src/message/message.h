// Replication messages: the types of spec/replication.md §1, their wire
// framing (§2.1: "1\n" + JSON with sorted keys, Python separators, ASCII
// only) and their one-line display (§3.5). Decoding never crashes: a bad
// payload is Error(kMalformed), an unknown name Error(kUnknownMessage).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message/push_bundle.h"
#include "message/push_record.h"

namespace hgc {

enum class MessageType {
  kHeartbeat,    // heartbeat-1
  kRepoInit,     // hg-repo-init-1, hg-repo-init-2
  kHgrcUpdate,   // hg-hgrc-update-1
  kChangegroup,  // hg-changegroup-1, hg-changegroup-2
  kPushkey,      // hg-pushkey-1
  kRepoSync,     // hg-repo-sync-1, hg-repo-sync-2
  kHeads,        // hg-heads-1
  kRepoDelete,   // hg-repo-delete-1
  kRepoVerify,   // hg-repo-verify-1 (our extension, docs/formats.md)
};

// A decoded message. `body` is the full JSON object as received (unknown extra
// fields are kept, so re-encoding loses nothing); the other members are the
// normalised view consumers act on (legacy versions mapped onto current ones).
struct Message {
  MessageType type = MessageType::kHeartbeat;
  std::string name;  // e.g. "hg-changegroup-2"
  nlohmann::json body;
  double created = 0;  // _created

  std::string path;                           // wire path; empty for heartbeat-1
  std::vector<std::string> heads;             // changegroup, sync, heads
  int64_t nodecount = 0;                      // changegroup (v1: len(nodes))
  std::string source;                         // changegroup
  bool generaldelta = false;                  // repo-init-2
  std::optional<std::string> hgrc;            // hgrc-update content / sync hgrc (nullopt = null)
  std::vector<std::string> requirements;      // sync
  bool bootstrap = false;                     // sync-2
  std::string ns, key, old_value, new_value;  // pushkey
  int ret = 0;                                // pushkey
  std::optional<int64_t> last_push_id;        // heads
  nlohmann::json digest;                      // repo-verify: the leader's RepoDigest
  // changegroup-2 / repo-sync-2 extension (docs/formats.md): the pushlog
  // rows the event brings; nullopt when the producer did not send them.
  std::optional<std::vector<PushRecord>> pushes;
  // repo-sync-2 extension (docs/formats.md): the leader's
  // .hg/clonebundles.manifest. `has_clonebundles_manifest` is false when the
  // producer did not send the field (leave the mirror's copy alone); with the
  // field, nullopt means the leader has none (delete the mirror's copy).
  bool has_clonebundles_manifest = false;
  std::optional<std::string> clonebundles_manifest;
  // changegroup-2 extension (message/push_bundle.h): the push as an hg
  // bundle, checked against its size and sha256; nullopt when absent or
  // unusable, and then `bundle_problem` says why when it was unusable.
  std::optional<PushBundle> bundle;
  std::string bundle_problem;
};

// "1\n" + PythonJsonDumps(object).
std::string EncodeMessage(const nlohmann::json& object);

// Parses a framed value. Throws Error(kMalformed) when the value does not
// start with "1\n", is not a JSON object, or lacks/mistypes a required field
// of its type; Error(kUnknownMessage) for an unknown `name`.
Message DecodeMessage(std::string_view value);

// json.dumps(obj, sort_keys=True) as Python does it: ", " and ": "
// separators, non-ASCII escaped as lowercase \uXXXX (surrogate pairs above
// the BMP), floats in shortest round-trip repr ("1.0", "1e+16", "1.5e-05").
std::string PythonJsonDumps(const nlohmann::json& value);

// §3.5 display: "heartbeat-1" or "<name>: (<summary>)".
std::string DisplayMessage(const Message& message);

// §3.1 `--dump` YAML (PyYAML safe_dump, block style) of a list of message
// bodies, without the trailing newline; "[]" for an empty list.
std::string DumpYaml(const std::vector<nlohmann::json>& bodies);

// Builders for every produced type; `created` is the _created stamp.
nlohmann::json MakeHeartbeat(double created);
nlohmann::json MakeRepoInit(const std::string& path, bool generaldelta, double created);
nlohmann::json MakeHgrcUpdate(const std::string& path, const std::optional<std::string>& content,
                              double created);
nlohmann::json MakeChangegroup(const std::string& path, const std::string& source,
                               int64_t nodecount, const std::vector<std::string>& heads,
                               double created);
nlohmann::json MakePushkey(const std::string& path, const std::string& ns, const std::string& key,
                           const std::string& old_value, const std::string& new_value, int ret,
                           double created);
nlohmann::json MakeRepoSync(const std::string& path, const std::vector<std::string>& requirements,
                            const std::optional<std::string>& hgrc,
                            const std::vector<std::string>& heads, bool bootstrap, double created);
nlohmann::json MakeHeads(const std::string& path, const std::vector<std::string>& heads,
                         std::optional<int64_t> last_push_id, double created);
nlohmann::json MakeRepoDelete(const std::string& path, double created);
// `digest` is ComputeRepoDigest's object (src/hg/repo_digest.h).
nlohmann::json MakeRepoVerify(const std::string& path, const nlohmann::json& digest,
                              double created);
// Adds the `pushes` field (pushlog rows) to a changegroup or sync message.
void AttachPushes(nlohmann::json& message, const std::vector<PushRecord>& pushes);

}  // namespace hgc
