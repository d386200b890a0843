// Decodes obsolescence markers in Mercurial's binary obsstore layout (a
// version byte, then markers in format 0 or 1 of mercurial/obsolete.py): the
// content of .hg/store/obsstore and of the blobs sent in `obsolete` pushkeys.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgc {

struct ObsMarker {
  std::string precursor;                // 40 (or 64) hex
  std::vector<std::string> successors;  // hex; empty = pruned
  // Sorted by key; without format 0's `date` and `p0`/`p1`/`p2` entries,
  // which are the fields below.
  std::vector<std::pair<std::string, std::string>> metadata;
  double date = 0;  // seconds since the epoch
  int tz = 0;       // seconds west of UTC (Mercurial's date tuple)
  unsigned flags = 0;
  // The precursor's parents when the marker records them (prunes do).
  std::optional<std::vector<std::string>> parents;
};

constexpr unsigned kObsMarkerUsingSha256 = 2;  // obsutil.usingsha256

// `data` is a whole obsstore: version byte then markers. Empty data is no
// markers. Throws Error(kMalformed) on an unknown version or a truncated
// marker.
std::vector<ObsMarker> DecodeObsStore(std::string_view data);

// .hg/store/obsstore of `repo_root`; a missing file is no markers.
std::vector<ObsMarker> ReadObsStore(const std::string& repo_root);

// Size in bytes of `repo_root`'s obsstore (0 when it has none): where the
// markers of a transaction that starts now will begin.
uint64_t ObsStoreSize(const std::string& repo_root);

// The markers stored at byte `offset` and after (hg appends): those a
// transaction that began when the obsstore had `offset` bytes added, or
// (when `offset` is 0) all. nullopt when the obsstore is now shorter than
// `offset` (rewritten in between), or `offset` does not fall on a marker.
std::optional<std::vector<ObsMarker>> ReadObsStoreFrom(const std::string& repo_root,
                                                       uint64_t offset);

}  // namespace hgc
