// The hgssh bootstrap document (spec/replication.md §3.10): what `bootstrap
// hgssh` writes on the leader and `bootstrap hgweb` reads on each mirror,
//   {"offsets": {"<partition>": [start, end]}, "repositories": [wire paths]}
// as Python's json.dumps writes it (keys sorted), so either side may be the
// reference's. The one reader and writer of that format.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hgc {

// Records [start, end) of one partition: the syncs, and what was pushed while
// they were written.
struct PartitionRange {
  int partition = 0;
  int64_t start = 0;
  int64_t end = 0;
};

struct HgsshDocument {
  std::vector<PartitionRange> ranges;     // ascending partition
  std::vector<std::string> repositories;  // wire paths
};

std::string ToText(const HgsshDocument& document);

// Throws Error(kMalformed), naming `origin`, for anything but the shape
// above: a partition that is no number, an offset below zero, start > end,
// a partition twice. Ranges come back by ascending partition.
HgsshDocument ParseHgsshDocument(const std::string& text, const std::string& origin);

}  // namespace hgc
