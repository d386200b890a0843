// `vcsreplicator-print-offsets CONFIG [GROUPS]` (spec/replication.md §3.11).
#pragma once

#include <string>

namespace hgc {

int PrintOffsets(const std::string& config_path, const std::string& groups);

}  // namespace hgc
