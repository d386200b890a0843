// Maps a request path under a mirror's repos directory to a repository and the
// rest of the path: the longest prefix that is a directory containing `.hg`
// wins, so `/integration/autoland/json-pushes/2` is repo `integration/autoland`,
// command `json-pushes`, argument `2`. Also decodes query strings in order.
// Thread-safety: pure functions (they only stat the filesystem).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgc {

struct RepoPath {
  enum class Kind {
    kRepo,        // a repository: repo_name, repo_root, command, path_arg
    kCollection,  // "/" or a directory of repositories (hgweb's index page)
    kNotFound,    // nothing there, or a path with "." / ".." segments
  };
  Kind kind = Kind::kNotFound;
  std::string repo_name;
  std::string repo_root;
  std::string command;   // first segment after the repository, "" if none
  std::string path_arg;  // the remaining segments joined with '/'
};

// `path` is the decoded URL path (starting with '/'); `repos_dir` is absolute.
// A symbolic link below `repos_dir` is not followed unless `allow_symlinks`
// (a link to any directory would otherwise be served, cloned and listed);
// segments naming hgcluster's staging directories (starting with '.', or
// ending in ".hgcluster-reclone") are never a repository or a collection.
RepoPath ResolveRepoPath(const std::string& repos_dir, std::string_view path,
                         bool allow_symlinks = false);

// Decodes "a=1&b=x%20y&a=2" (with '+' as space) keeping order and repeats.
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query);

std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace hgc
