// DisplayMessage: the one-line form of a message in log lines (spec §3.5),
// e.g. "hg-heads-1: (repo: {moz}/x, heads: ['77538e1ce4be'], last_push_id: 1)".
// Thread-safety: pure function.
#include <fmt/format.h>

#include "message/message.h"
#include "message/python_repr.h"
#include "message/utf8.h"

namespace hgc {
namespace {

constexpr size_t kShownHeads = 25;
constexpr size_t kHeadChars = 12;

// Python: repr([h[:12] for h in heads[:25]]) + " and %d more".
std::string HeadsRepr(const std::vector<std::string>& heads) {
  std::string out = "[";
  for (size_t i = 0; i < heads.size() && i < kShownHeads; ++i) {
    if (i > 0) out += ", ";
    // Slices count code points, not bytes.
    std::u32string cps = DecodeUtf8(heads[i]);
    if (cps.size() > kHeadChars) cps.resize(kHeadChars);
    std::string prefix;
    for (char32_t c : cps) AppendUtf8(c, prefix);
    out += PythonStrRepr(prefix);
  }
  out += "]";
  if (heads.size() > kShownHeads) out += fmt::format(" and {} more", heads.size() - kShownHeads);
  return out;
}

std::string Summary(const Message& m) {
  switch (m.type) {
    case MessageType::kHeartbeat:
    case MessageType::kRepoInit:
    case MessageType::kHgrcUpdate:
    case MessageType::kRepoDelete:
    case MessageType::kRepoVerify:
      return fmt::format("repo: {}", m.path);
    case MessageType::kChangegroup:
      return fmt::format("repo: {}, heads: {}", m.path, HeadsRepr(m.heads));
    case MessageType::kRepoSync:
      if (m.name == "hg-repo-sync-1") {
        return fmt::format("repo: {}, heads: {}", m.path, HeadsRepr(m.heads));
      }
      return fmt::format("repo: {}, heads: {}, bootstrap: {}", m.path, HeadsRepr(m.heads),
                         m.bootstrap ? "True" : "False");
    case MessageType::kPushkey:
      return fmt::format("repo: {}, namespace/key: {}/{}", m.path, m.ns, m.key);
    case MessageType::kHeads:
      return fmt::format("repo: {}, heads: {}, last_push_id: {}", m.path, HeadsRepr(m.heads),
                         m.last_push_id ? std::to_string(*m.last_push_id) : "None");
  }
  return "";
}

}  // namespace

std::string DisplayMessage(const Message& message) {
  if (message.type == MessageType::kHeartbeat) return message.name;
  return fmt::format("{}: ({})", message.name, Summary(message));
}

}  // namespace hgc
