// Decodes the value of an `obsolete` pushkey (`dump<N>` keys): Mercurial's
// base85 text around an obsstore blob (version byte, then markers in format
// 0 or 1, mercurial/obsolete.py), natively instead of through the
// reference's `hg debugbase85obsmarkers` extension command.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hg/obsstore.h"

namespace hgc {

// Mercurial's base85 (util.b85decode). Throws Error(kMalformed).
std::string Base85Decode(std::string_view text);

// Throws Error(kMalformed) on bad base85, an unknown format version or a
// truncated marker.
std::vector<ObsMarker> DecodeObsMarkers(std::string_view base85);

}  // namespace hgc
