// Parses a changelog entry text (ChangelogIndex::RevisionText) into its
// fields, as mercurial/changelog.py changelogrevision does:
//   manifest hex \n user \n time tz [extras] \n files (one a line) \n\n description
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hgc {

struct Changeset {
  std::string manifest;  // 40 hex
  std::string user;      // bytes as stored (UTF-8 in practice)
  int64_t time = 0;      // seconds since the epoch; a fractional part is dropped
  int tz = 0;            // seconds west of UTC, as hg stores it
  std::map<std::string, std::string> extras;  // decoded; always has "branch"
  std::vector<std::string> files;
  std::string description;

  const std::string& branch() const { return extras.at("branch"); }
};

// Throws Error(kMalformed) on a text without the four header lines or with
// undecodable extras.
Changeset ParseChangeset(std::string_view text);

// changelog.decodeextra: NUL-separated escaped "key:value" items; "branch"
// defaults to "default".
std::map<std::string, std::string> DecodeChangesetExtras(std::string_view text);

}  // namespace hgc
