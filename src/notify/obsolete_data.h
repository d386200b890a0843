// The data of an `obsolete.1` notification (spec/hosting.md §2.4): each
// marker of an `obsolete` pushkey with, for its precursor and successors,
// what the leader's repository knows (known, visible, description, push).
// Thread-safety: stateless; runs hg read-only in the repository.
#pragma once

#include <string>

#include "notify/ordered_json.h"

namespace hgc {

// {repo_url, markers: [{precursor, successors, user, time}]}. Throws
// Error(kMalformed) for undecodable markers, Error(kHgFailed) when hg fails
// in an unexpected way.
OrderedJson ObsoleteData(const std::string& hg, const std::string& repo_path,
                         const std::string& repo_url, const std::string& base85_markers,
                         const std::string& logger);

}  // namespace hgc
