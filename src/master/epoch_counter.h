// The file method's fencing token: a counter in a file beside the master
// files (on the shared volume), incremented under flock() by each monitor
// that takes the role, so every acquisition gets a higher epoch than the one
// before, whichever host makes it.
// Thread-safety: safe across processes (flock); plain function.
#pragma once

#include <cstdint>
#include <string>

namespace hgc {

// Returns the new epoch. Throws Error(kIo) when the file cannot be used.
int64_t NextEpoch(const std::string& counter_file);

}  // namespace hgc
