#include "log/groups_file.h"

#include <fmt/format.h>

#include <fstream>

#include "common/error.h"

namespace hgc {

std::vector<std::string> ReadGroupsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw Error(
        ErrorKind::kConfig,
        fmt::format("cannot read groups file {}: list one mirror consumer group per line", path));
  }
  std::vector<std::string> groups;
  std::string line;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t\r");
    size_t e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos) continue;
    groups.push_back(line.substr(b, e - b + 1));
  }
  return groups;
}

}  // namespace hgc
