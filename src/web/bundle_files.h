// Which file of the clone bundle directory a web front URL names
// (`/bundles/<repo>/<tip>.<type>.hg`, `/bundles/index.html`, ...): the
// mirror serves `hgcluster bundles generate`'s output straight from disk,
// never through hg. Refuses dot segments, hidden and unfinished (.tmp) files.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

struct BundleFileLookup {
  bool matched = false;  // the path is under the prefix (the front answers it)
  std::string file;      // absolute file to send; empty: answer 404
};

// `prefix` starts and ends with '/'; `url_path` is the decoded request path.
// The prefix itself (and the prefix without its slash) names index.html.
BundleFileLookup ResolveBundleFile(const std::string& dir, const std::string& prefix,
                                   std::string_view url_path);

// Content-Type by file name (.html, .json, lastrun as text; the rest, bundles
// included, application/octet-stream: hg clients ignore it).
const char* BundleContentType(std::string_view file);

}  // namespace hgc
