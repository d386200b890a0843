// The groups file (spec/replication.md §5.4): the consumer groups — one per
// mirror — that must all have applied a record before it counts as fully
// replicated. One group per line, surrounding whitespace stripped, blank
// lines ignored. Read by both aggregator stages, their lag check, `hgcluster
// groups`, and the leader's read-your-writes wait.
// Thread-safety: a pure function of the file.
#pragma once

#include <string>
#include <vector>

namespace hgc {

// Throws Error(kConfig) if the file cannot be read.
std::vector<std::string> ReadGroupsFile(const std::string& path);

}  // namespace hgc
