#include "bundles/repo_spec.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "hg/repo_state.h"

namespace hgc {

RepoSpec ParseRepoSpec(const std::string& line) {
  std::istringstream in(line);
  RepoSpec spec;
  in >> spec.repo;
  if (spec.repo.empty()) throw Error(ErrorKind::kUsage, "empty repository spec");
  if (spec.repo.front() == '/' || spec.repo.find("..") != std::string::npos) {
    throw Error(
        ErrorKind::kUsage,
        fmt::format("repository '{}' must be a path relative to the repos root", spec.repo));
  }
  while (spec.repo.size() > 1 && spec.repo.back() == '/') spec.repo.pop_back();
  for (std::string attr; in >> attr;) {
    auto eq = attr.find('=');
    if (eq == std::string::npos) {
      spec.attrs[attr] = "true";
    } else {
      spec.attrs[attr.substr(0, eq)] = attr.substr(eq + 1);
    }
  }
  return spec;
}

std::vector<RepoSpec> ReadRepoSpecs(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(ErrorKind::kNotFound, fmt::format("repo list {} does not exist", path));
  }
  std::vector<RepoSpec> specs;
  std::istringstream in(ReadFileOrEmpty(path));
  for (std::string line; std::getline(in, line);) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    specs.push_back(ParseRepoSpec(line));
  }
  return specs;
}

}  // namespace hgc
