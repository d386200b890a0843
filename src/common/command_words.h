// Splits SSH_ORIGINAL_COMMAND into words the way Python's shlex.split (POSIX
// mode) does, which is how the reference pash reads the client's command:
// whitespace separates, '...' and "..." group, backslash escapes.
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hgc {

// nullopt for an unterminated quote or a trailing backslash (shlex raises).
std::optional<std::vector<std::string>> SplitCommandWords(const std::string& command);

}  // namespace hgc
