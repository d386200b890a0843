// Obsolescence markers as they arrive from the log (`obsolete` pushkey
// values, base85) or sit in an obsstore: decoding either throws hgc::Error
// or yields markers that, sent on as pushkeys (when format 0 or 1 can hold
// them), decode to the same precursors and successors.
// Input: first byte even = base85 text, odd = a binary obsstore.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/error.h"
#include "hg/obsmarker_pushkey.h"
#include "hg/obsstore.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<hgc::ObsMarker> markers;
  try {
    markers = data[0] % 2 == 0 ? hgc::DecodeObsMarkers(rest) : hgc::DecodeObsStore(rest);
  } catch (const hgc::Error&) {
    return 0;
  }
  std::map<std::string, std::string> dumps;
  try {
    dumps = hgc::ObsMarkerPushkeys(markers);
  } catch (const hgc::Error&) {
    return 0;  // metadata format 0 cannot hold
  }
  std::vector<hgc::ObsMarker> again;
  for (size_t i = dumps.size(); i-- > 0;) {
    auto part = hgc::DecodeObsMarkers(dumps.at("dump" + std::to_string(i)));
    again.insert(again.end(), part.begin(), part.end());
  }
  if (again.size() != markers.size()) std::abort();
  for (size_t i = 0; i < again.size(); ++i) {
    if (again[i].precursor != markers[i].precursor ||
        again[i].successors != markers[i].successors || again[i].flags != markers[i].flags) {
      std::abort();
    }
  }
  return 0;
}
