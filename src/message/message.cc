// Message framing and decoding (spec §2.1, §1.2, §1.3): "1\n" + JSON; the
// legacy versions are normalised onto the current ones. Decoding is total:
// every input either yields a Message or throws hgc::Error.
// Thread-safety: pure functions.
#include "message/message.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "common/error.h"
#include "message/message_fields.h"
#include "message/push_bundle.h"

namespace hgc {
namespace {

// Real messages nest two levels deep; the cap keeps the recursive writers
// (JSON, YAML) far from the stack limit whatever a broken producer sends.
constexpr int kMaxNesting = 64;

// The first bytes of a payload, printable whatever they contain.
std::string Preview(std::string_view value) {
  constexpr size_t kMax = 32;
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  out += value.size() > kMax ? "\"..." : "\"";
  return out;
}

[[noreturn]] void Malformed(const std::string& what) {
  throw Error(ErrorKind::kMalformed,
              "malformed message payload: " + what +
                  "; the message cannot be applied: fix the producer that wrote it, then move "
                  "the consumer past it with --skip");
}

// Deepest [ / { nesting outside strings; stops counting past the cap.
int NestingDepth(std::string_view json) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size() && max_depth <= kMaxNesting; ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

struct TypeInfo {
  const char* name;
  MessageType type;
};

constexpr TypeInfo kTypes[] = {
    {"heartbeat-1", MessageType::kHeartbeat},
    {"hg-repo-init-1", MessageType::kRepoInit},
    {"hg-repo-init-2", MessageType::kRepoInit},
    {"hg-hgrc-update-1", MessageType::kHgrcUpdate},
    {"hg-changegroup-1", MessageType::kChangegroup},
    {"hg-changegroup-2", MessageType::kChangegroup},
    {"hg-pushkey-1", MessageType::kPushkey},
    {"hg-repo-sync-1", MessageType::kRepoSync},
    {"hg-repo-sync-2", MessageType::kRepoSync},
    {"hg-heads-1", MessageType::kHeads},
    {"hg-repo-delete-1", MessageType::kRepoDelete},
    {"hg-repo-verify-1", MessageType::kRepoVerify},
};

void DecodePushes(Message& m) {
  auto it = m.body.find("pushes");
  if (it == m.body.end() || it->is_null()) return;
  if (!it->is_array()) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{}: field 'pushes' is not a list; the producer is broken", m.name));
  }
  std::vector<PushRecord> pushes;
  try {
    for (const auto& p : *it) pushes.push_back(PushRecordFromJson(p));
  } catch (const Error& e) {
    throw Error(ErrorKind::kMalformed, m.name + ": " + e.what());
  }
  m.pushes = std::move(pushes);
}

void DecodeCloneBundlesManifest(Message& m) {
  auto it = m.body.find("clonebundles_manifest");
  if (it == m.body.end()) return;
  if (!it->is_null() && !it->is_string()) {
    throw Error(
        ErrorKind::kMalformed,
        fmt::format("{}: field 'clonebundles_manifest' is neither a string nor null", m.name));
  }
  m.has_clonebundles_manifest = true;
  if (it->is_string()) m.clonebundles_manifest = it->get<std::string>();
}

void DecodeFields(Message& m) {
  const MessageFields f(m.body, m.name);
  m.created = f.Created();
  if (m.type == MessageType::kHeartbeat) return;
  m.path = f.String("path");
  switch (m.type) {
    case MessageType::kHeartbeat:
    case MessageType::kRepoDelete:
      break;
    case MessageType::kRepoInit:
      m.generaldelta = m.name == "hg-repo-init-1" ? false : f.Bool("generaldelta");
      break;
    case MessageType::kHgrcUpdate:
      m.hgrc = f.StringOrNull("content");
      break;
    case MessageType::kChangegroup:
      m.source = f.String("source");
      m.heads = f.StringList("heads");
      m.nodecount = m.name == "hg-changegroup-1"
                        ? static_cast<int64_t>(f.StringList("nodes").size())
                        : f.Int("nodecount");
      DecodePushes(m);
      try {
        m.bundle = DecodePushBundle(m.body);
      } catch (const Error& e) {
        m.bundle_problem = e.what();  // the mirror pulls instead
      }
      break;
    case MessageType::kPushkey:
      m.ns = f.String("namespace");
      m.key = f.String("key");
      m.old_value = f.String("old");
      m.new_value = f.String("new");
      m.ret = f.Ret("ret");
      break;
    case MessageType::kRepoSync:
      m.requirements = f.StringList("requirements");
      m.hgrc = f.StringOrNull("hgrc");
      m.heads = f.StringList("heads");
      m.bootstrap = m.name == "hg-repo-sync-1" ? false : f.Bool("bootstrap");
      DecodePushes(m);
      DecodeCloneBundlesManifest(m);
      break;
    case MessageType::kHeads:
      m.heads = f.StringList("heads");
      m.last_push_id = f.IntOrNull("last_push_id");
      break;
    case MessageType::kRepoVerify: {
      auto it = m.body.find("digest");
      if (it == m.body.end() || !it->is_object()) {
        throw Error(ErrorKind::kMalformed,
                    fmt::format("{}: field 'digest' is missing or not an object", m.name));
      }
      m.digest = *it;
      break;
    }
  }
}

}  // namespace

std::string EncodeMessage(const nlohmann::json& object) { return "1\n" + PythonJsonDumps(object); }

Message DecodeMessage(std::string_view value) {
  if (value.size() < 2 || value[0] != '1' || value[1] != '\n') {
    throw Error(ErrorKind::kMalformed,
                fmt::format("unrecognized message payload. this is bad: expected \"1\\n\" "
                            "followed by JSON, got {} ({} bytes); it was not written by a "
                            "replication producer: move the consumer past it with --skip",
                            Preview(value), value.size()));
  }
  const std::string_view json = value.substr(2);
  if (NestingDepth(json) > kMaxNesting) {
    Malformed(fmt::format("JSON nested deeper than {} levels", kMaxNesting));
  }
  Message m;
  try {
    m.body = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::exception& e) {
    Malformed(fmt::format("invalid JSON after \"1\\n\": {}", e.what()));
  }
  if (!m.body.is_object()) {
    Malformed(fmt::format("expected a JSON object, got {}", m.body.type_name()));
  }
  auto name = m.body.find("name");
  if (name == m.body.end() || !name->is_string()) {
    Malformed("the JSON object has no string \"name\" field");
  }
  m.name = name->get<std::string>();
  bool known = false;
  for (const auto& t : kTypes) {
    if (m.name == t.name) {
      m.type = t.type;
      known = true;
    }
  }
  if (!known) {
    throw Error(ErrorKind::kUnknownMessage,
                fmt::format("unrecognized message type: {} (this version of hgcluster does not "
                            "know it; upgrade the consumer, or move it past the message with "
                            "--skip)",
                            m.name));
  }
  DecodeFields(m);
  return m;
}

}  // namespace hgc
