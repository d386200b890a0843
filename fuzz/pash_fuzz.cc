// The SSH front door's command parser: SSH_ORIGINAL_COMMAND is chosen by any
// user with a key. It is split as shlex does and every word is checked as a
// repository name; nothing may crash, and an accepted name never leaves the
// repos root.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/command_words.h"
#include "common/log_escape.h"
#include "frontdoor/repo_name.h"
#include "routing/confined_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string command(reinterpret_cast<const char*>(data), size);
  std::string shown = hgc::EscapeForLog(command, "'");
  if (shown.find('\n') != std::string::npos) std::abort();
  auto words = hgc::SplitCommandWords(command);
  if (!words) return 0;
  for (const auto& w : *words) {
    auto name = hgc::ValidateRepoName(w);
    if (!name) continue;  // refused
    // An accepted name is a clean relative path: it stays inside the root.
    if (hgc::RelativeRepoPathProblem(*name)) std::abort();
  }
  return 0;
}
