// Repository names accepted over SSH (hosting spec §4.6): every '/'-separated
// component matches [a-zA-Z0-9][a-zA-Z0-9./_-]* in full and does not end with
// .hg or .git, and the whole is at most 1,024 bytes; one trailing '/' is dropped. This is what keeps `..`, absolute
// paths and option-looking names out of every pash command.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

namespace hgc {

// The two-line refusal pash prints for an invalid name (exit 1).
extern const char* const kInvalidRepoNameMessage;

// The name without its trailing '/', or nullopt when it is not valid.
std::optional<std::string> ValidateRepoName(const std::string& name);

}  // namespace hgc
