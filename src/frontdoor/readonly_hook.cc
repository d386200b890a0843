#include "frontdoor/readonly_hook.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

namespace hgc {
namespace {

std::string Strip(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// nullopt when the file does not exist; throws on other I/O errors.
std::optional<std::string> ReadReason(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw std::runtime_error(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int RunReadonlyHook(const std::string& repo_root, const std::string& global_reason_file,
                    const std::string& hook_type, const std::string& pushkey_namespace) {
  std::string refusing = hook_type == "prepushkey"
                             ? fmt::format("refusing to update {}", pushkey_namespace)
                             : std::string("refusing to add changesets");
  try {
    struct Source {
      std::string path;
      const char* headline;
    };
    for (const Source& s : {Source{repo_root + "/.hg/readonlyreason", "repository is read only"},
                            Source{global_reason_file, "all repositories currently read only"}}) {
      if (s.path.empty()) continue;
      auto reason = ReadReason(s.path);
      if (!reason) continue;
      // One write: hg relays each write of a bundle2 hook as its own line.
      std::string out = std::string(s.headline) + "\n";
      if (!Strip(*reason).empty()) out += Strip(*reason) + "\n";
      std::cerr << out + refusing + "\n" << std::flush;
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace hgc
