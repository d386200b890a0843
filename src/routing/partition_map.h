// Routes a repository's wire path to a partition (spec/replication.md §2.3):
// `partitionmap.<name> = <p>[,<p>...]:<regex>` entries visited in sorted
// name order, the first regex matching at the start of the path wins, and the
// partition is list[md5(path) as a 128-bit big-endian integer mod len(list)].
// Thread-safety: immutable after construction.
#pragma once

#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace hgc {

class PartitionMap {
 public:
  // `entries` are (name without the "partitionmap." prefix, value). Throws
  // Error(kConfig) for an unparsable value or an invalid regex, naming it.
  static PartitionMap FromEntries(const std::vector<std::pair<std::string, std::string>>& entries);

  // Throws Error(kConfig, "unable to map repo to partition ...") when no
  // entry matches.
  int PartitionFor(const std::string& wire_path) const;

  // Union of all partitions named in the map, ascending.
  std::vector<int> AllPartitions() const;

  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string name;
    std::vector<int> partitions;
    std::string pattern;
    std::regex regex;
  };
  std::vector<Entry> entries_;
};

// Big-endian MD5 of `text` modulo `n` (n > 0).
int Md5Mod(const std::string& text, int n);

}  // namespace hgc
