// Decodes the value of an `obsolete` pushkey (`dump<N>` keys): Mercurial's
// base85 text around an obsstore blob (version byte, then markers in format
// 0 or 1, mercurial/obsolete.py), natively instead of through the
// reference's `hg debugbase85obsmarkers` extension command.
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

// Mercurial's base85 (util.b85decode). Throws Error(kMalformed).
std::string Base85Decode(std::string_view text);

// Throws Error(kMalformed) on bad base85, an unknown format version or a
// truncated marker.
std::vector<ObsMarker> DecodeObsMarkers(std::string_view base85);

}  // namespace hgc
