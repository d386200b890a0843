#include "frontdoor/repo_name.h"

#include "routing/confined_path.h"

namespace hgc {

const char* const kInvalidRepoNameMessage =
    "Only alpha-numeric characters, \".\", \"_\", and \"-\" are allowed in repository\n"
    "names.  Additionally the first character of repository names must be alpha-numeric.\n";

namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool ValidComponent(const std::string& c) {
  if (c.empty() || !IsAlnum(c[0])) return false;
  for (char ch : c) {
    if (!IsAlnum(ch) && ch != '.' && ch != '_' && ch != '-') return false;
  }
  return !c.ends_with(".hg") && !c.ends_with(".git");
}

}  // namespace

std::optional<std::string> ValidateRepoName(const std::string& name) {
  std::string n = name;
  while (!n.empty() && n.back() == '/') n.pop_back();
  // Longer than any repository path may be (found by fuzzing: accepted
  // here, refused when resolved).
  if (n.empty() || n.size() > kMaxRelativeRepoPathBytes) return std::nullopt;
  size_t start = 0;
  while (true) {
    size_t slash = n.find('/', start);
    std::string part =
        n.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!ValidComponent(part)) return std::nullopt;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return n;
}

}  // namespace hgc
