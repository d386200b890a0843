// [replicationrules] include/exclude filter (spec/replication.md §3.6), with
// the reference's bugs fixed: the reported rule is the one that matched, and
// patterns may contain ':'.
// Thread-safety: immutable after construction.
#pragma once

#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace hgc {

class RepoFilter {
 public:
  struct Decision {
    bool pass = true;
    std::string rule;  // rule name, "nofilter" or "noinclude"
  };

  // Entries are (key, value) from the ini section: key
  // "<include|exclude>.<name>", value "<path|re>:<pattern>". Throws
  // Error(kConfig) naming the bad entry ("bad ruletype <t>", ...).
  static RepoFilter FromEntries(const std::vector<std::pair<std::string, std::string>>& entries);

  Decision Evaluate(const std::string& wire_path) const;

 private:
  struct Rule {
    std::string name;
    bool include = true;
    bool is_regex = false;
    std::string pattern;
    std::regex regex;
  };
  std::vector<Rule> rules_;
};

}  // namespace hgc
