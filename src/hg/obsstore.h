// Decodes obsolescence markers in Mercurial's binary obsstore layout (a
// version byte, then markers in format 0 or 1 of mercurial/obsolete.py): the
// content of .hg/store/obsstore and of the blobs sent in `obsolete` pushkeys.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgc {

struct ObsMarker {
  std::string precursor;                // 40 (or 64) hex
  std::vector<std::string> successors;  // hex; empty = pruned
  std::vector<std::pair<std::string, std::string>> metadata;
  double date = 0;  // seconds since the epoch
};

// `data` is a whole obsstore: version byte then markers. Empty data is no
// markers. Throws Error(kMalformed) on an unknown version or a truncated
// marker.
std::vector<ObsMarker> DecodeObsStore(std::string_view data);

// .hg/store/obsstore of `repo_root`; a missing file is no markers.
std::vector<ObsMarker> ReadObsStore(const std::string& repo_root);

}  // namespace hgc
