#include "routing/confined_path.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/log_escape.h"

namespace hgc {
namespace {

constexpr size_t kMaxRelativeBytes = kMaxRelativeRepoPathBytes;

// The path as it can be shown in a log line or an error: control
// characters escaped (as log lines escape them), at most 300 bytes.
std::string Shown(std::string_view text) {
  std::string out = EscapeControl(text.substr(0, 300));
  if (text.size() > 300) out += "...";
  return out;
}

}  // namespace

std::optional<std::string> RelativeRepoPathProblem(std::string_view relative) {
  if (relative.empty()) return "it names the repos root itself, not a repository below it";
  if (relative.size() > kMaxRelativeBytes) {
    return fmt::format("it is {} bytes long (at most {})", relative.size(), kMaxRelativeBytes);
  }
  for (unsigned char c : relative) {
    if (c < 0x20 || c == 0x7f) return fmt::format("it contains the control character \\x{:02x}", c);
  }
  size_t pos = 0;
  while (true) {
    size_t slash = relative.find('/', pos);
    std::string_view seg =
        relative.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (seg.empty()) return "it has an empty segment ('//', or a '/' at the start or end)";
    if (seg == "..") return "it has a '..' segment, which would leave the repos root";
    if (seg == ".") return "it has a '.' segment";
    if (seg.front() == '.') {
      return fmt::format("its segment '{}' starts with '.' (reserved for hg and hgcluster)",
                         Shown(seg));
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return std::nullopt;
}

std::optional<std::string> SymlinkBelow(const std::string& root, std::string_view relative) {
  std::string path = root;
  size_t pos = 0;
  while (pos <= relative.size()) {
    size_t slash = relative.find('/', pos);
    if (slash == std::string_view::npos) slash = relative.size();
    if (slash > pos) {
      path += '/';
      path.append(relative.substr(pos, slash - pos));
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
      if (S_ISLNK(st.st_mode)) return path;
    }
    pos = slash + 1;
  }
  return std::nullopt;
}

ConfinedRepoPath ConfineWirePath(const RewriteRules& rules, const std::string& wire_path,
                                 bool allow_symlinks) {
  for (const auto& rule : rules) {
    // (Named, not a structured binding: the lambda below captures them.)
    const std::string& key = rule.first;
    const std::string& value = rule.second;
    if (key.empty() || !wire_path.starts_with(key)) continue;
    std::string_view rest = std::string_view(wire_path).substr(key.size());
    auto refuse = [&](const std::string& why) {
      return Error(ErrorKind::kRefused,
                   fmt::format("refusing repository path '{}' ([path_rewrites] {} = {}): {}; "
                               "nothing was changed on this host",
                               Shown(wire_path), key, value, why));
    };
    if (key.back() != '/') {
      if (!rest.empty() && rest.front() != '/') continue;  // "{moz}x" is not under "{moz}"
      if (!rest.empty()) rest.remove_prefix(1);
    }
    if (auto problem = RelativeRepoPathProblem(rest)) throw refuse(*problem);
    ConfinedRepoPath out;
    out.root = value;
    while (out.root.size() > 1 && out.root.back() == '/') out.root.pop_back();
    out.relative = std::string(rest);
    out.local = out.root + "/" + out.relative;
    if (!allow_symlinks) {
      if (auto link = SymlinkBelow(out.root, out.relative)) {
        throw refuse(fmt::format(
            "{} is a symbolic link (allow_symlinks = true in this daemon's configuration section "
            "follows links below the repos root)",
            Shown(*link)));
      }
    }
    return out;
  }
  throw Error(ErrorKind::kRefused,
              fmt::format("refusing repository path '{}': it matches no [path_rewrites] rule, so "
                          "it has no place inside a repos root on this host; nothing was changed "
                          "(add a rule if this repository should replicate here)",
                          Shown(wire_path)));
}

}  // namespace hgc
