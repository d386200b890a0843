#include "web/repo_path.h"

#include <sys/stat.h>

#include "common/text.h"

namespace hgc {
namespace {

// lstat(2) unless links are followed: a link is then not a directory.
bool IsDir(const std::string& path, bool follow) {
  struct stat st;
  int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  return rc == 0 && S_ISDIR(st.st_mode);
}

// Where hgcluster stages a repository being deleted or re-cloned.
bool IsStaging(std::string_view segment) {
  return segment.front() == '.' || segment.ends_with(".hgcluster-reclone");
}

}  // namespace

RepoPath ResolveRepoPath(const std::string& repos_dir, std::string_view path, bool allow_symlinks) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    if (seg == "." || seg == ".." || seg.find('\0') != std::string_view::npos) return {};
    if (!seg.empty()) segments.push_back(seg);
    pos = slash + 1;
  }
  RepoPath out;
  if (segments.empty()) {
    out.kind = RepoPath::Kind::kCollection;
    return out;
  }
  // Walk down from the shortest prefix: a prefix that is not a directory
  // ends the search, so a deep file path (raw-file/tip/a/b/c) costs no more
  // stats than the repository's depth.
  std::string dir = repos_dir;
  size_t repo_segments = 0;
  bool all_dirs = true;
  for (size_t i = 0; i < segments.size(); ++i) {
    dir += '/';
    dir.append(segments[i]);
    if (IsStaging(segments[i]) || !IsDir(dir, allow_symlinks)) {
      all_dirs = false;
      break;
    }
    if (IsDir(dir + "/.hg", allow_symlinks)) {
      repo_segments = i + 1;
      out.repo_root = dir;
    }
  }
  if (repo_segments == 0) {
    out.kind = all_dirs ? RepoPath::Kind::kCollection : RepoPath::Kind::kNotFound;
    return out;
  }
  out.kind = RepoPath::Kind::kRepo;
  for (size_t i = 0; i < repo_segments; ++i) {
    if (i) out.repo_name += '/';
    out.repo_name.append(segments[i]);
  }
  if (repo_segments < segments.size()) out.command = segments[repo_segments];
  for (size_t i = repo_segments + 1; i < segments.size(); ++i) {
    if (i > repo_segments + 1) out.path_arg += '/';
    out.path_arg.append(segments[i]);
  }
  return out;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexDigitValue(text[i + 1]), lo = HexDigitValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view item = query.substr(pos, amp - pos);
    if (!item.empty()) {
      size_t eq = item.find('=');
      std::string_view key = item.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
      out.emplace_back(PercentDecode(key, true), PercentDecode(value, true));
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace hgc
