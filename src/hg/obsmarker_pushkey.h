// Obsolescence markers as Mercurial exchanges them over pushkey (namespace
// `obsolete`, mercurial/obsolete.py's listmarkers/pushmarker): keys `dump0`,
// `dump1`, ..., each value Mercurial's base85 text of a blob made of a
// version byte and markers, format 0 (the reference's `hg-pushkey-1`
// events carry exactly these). Encodes them natively for the leader's hooks
// and decodes them for the notifiers; the binary markers are hg/obsstore's.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hg/obsstore.h"

namespace hgc {

// Mercurial's base85 (util.b85encode without padding / util.b85decode).
// Decode throws Error(kMalformed).
std::string Base85Encode(std::string_view data);
std::string Base85Decode(std::string_view text);

// A pushkey value: throws Error(kMalformed) on bad base85, an unknown format
// version or a truncated marker.
std::vector<ObsMarker> DecodeObsMarkers(std::string_view base85);

// One marker in format 0 (_fm0encodeonemarker), byte for byte. Throws
// Error(kMalformed) for a sha256 marker, flags over a byte, nodes not of
// their flags' size, or metadata format 0 cannot hold (a ':' or NUL in a
// key, a NUL in a value).
std::string EncodeObsMarkerFormat0(const ObsMarker& marker);

// The pushkey values for `markers`, in their order (_pushkeyescape): chunks
// of at most 5,300 bytes of markers, the last chunk named dump0. Markers
// format 0 cannot hold (sha256, flags over a byte) go in chunks of format 1,
// which every Mercurial reads as well. Keys in string order, as the
// reference sends them. Throws Error(kMalformed) as the encoders do.
std::map<std::string, std::string> ObsMarkerPushkeys(const std::vector<ObsMarker>& markers);

}  // namespace hgc
