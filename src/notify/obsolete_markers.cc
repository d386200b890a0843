// Base85 framing of obsolescence markers sent over pushkey; the binary
// markers themselves are decoded by hg/obsstore.
// Thread-safety: pure functions.
#include "notify/obsolete_markers.h"

#include <fmt/format.h>

#include "common/error.h"

namespace hgc {
namespace {

constexpr std::string_view kB85Chars =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

[[noreturn]] void Bad(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "obsolete markers: " + what);
}

}  // namespace

std::string Base85Decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); i += 5) {
    std::string_view chunk = text.substr(i, 5);
    uint64_t acc = 0;
    for (size_t j = 0; j < chunk.size(); ++j) {
      size_t digit = kB85Chars.find(chunk[j]);
      if (digit == std::string_view::npos) {
        Bad(fmt::format("bad base85 character at position {}", i + j));
      }
      acc = acc * 85 + digit;
    }
    size_t keep = 4;
    if (chunk.size() < 5) {
      // A short final chunk is completed exactly as util.b85decode does,
      // then the padding bytes are cut.
      size_t cl = chunk.size();
      for (size_t j = cl; j < 5; ++j) acc *= 85;
      if (cl > 1) acc += 0xFFFFFFull >> ((cl - 2) * 8);
      keep = cl - 1;
    }
    if (acc > 0xFFFFFFFFull) Bad(fmt::format("base85 overflow in hunk starting at byte {}", i));
    char word[4] = {static_cast<char>(acc >> 24), static_cast<char>(acc >> 16),
                    static_cast<char>(acc >> 8), static_cast<char>(acc)};
    out.append(word, keep);
  }
  return out;
}

std::vector<ObsMarker> DecodeObsMarkers(std::string_view base85) {
  std::string data = Base85Decode(base85);
  if (data.empty()) Bad("empty obsstore data");
  return DecodeObsStore(data);
}

}  // namespace hgc
