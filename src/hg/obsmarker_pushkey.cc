// Base85 framing and format 0 encoding of obsolescence markers sent over
// pushkey. Thread-safety: pure functions.
#include "hg/obsmarker_pushkey.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/error.h"

namespace hgc {
namespace {

constexpr std::string_view kB85Chars =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
constexpr size_t kMaxPayload = 5300;  // obsolete._maxpayload

[[noreturn]] void BadPushkeyMarkers(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "obsolete markers: " + what);
}

void PutUint(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

std::string Unhex(const std::string& hex) {
  if (hex.size() % 2) BadPushkeyMarkers("odd-length node " + hex);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) BadPushkeyMarkers("not a hex node: " + hex);
    out.push_back(static_cast<char>(value));
  }
  return out;
}

// Python's repr() of a float: the shortest text that reads back as the same
// number, fixed notation from 1e-4 to 1e16 (with ".0" when integral),
// scientific otherwise.
std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buf[64];
  double magnitude = std::fabs(value);
  bool fixed = magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e16);
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value,
                                 fixed ? std::chars_format::fixed : std::chars_format::scientific);
  std::string text(buf, end);
  if (fixed && text.find('.') == std::string::npos) text += ".0";
  if (!fixed) {
    // Python writes at least two exponent digits ("1e-07"); to_chars too.
    auto e = text.find('e');
    if (e != std::string::npos && text[e + 1] != '-' && text[e + 1] != '+') text.insert(e + 1, "+");
  }
  return text;
}

// A node of a marker: 20 bytes, or 32 with the sha256 flag.
std::string NodeBytes(const ObsMarker& m, const std::string& hex) {
  std::string bytes = Unhex(hex);
  size_t want = (m.flags & kObsMarkerUsingSha256) ? 32 : 20;
  if (bytes.size() != want)
    BadPushkeyMarkers(fmt::format("node {} is not {} bytes as its flags say", hex, want));
  return bytes;
}

// Format 1 (_fm1encodeonemarker), for markers format 0 cannot hold.
std::string EncodeFormat1(const ObsMarker& m) {
  std::string nodes = NodeBytes(m, m.precursor);
  for (const auto& s : m.successors) nodes += NodeBytes(m, s);
  if (m.parents) {
    if (m.parents->size() > 2) BadPushkeyMarkers("more than 2 parents");
    for (const auto& p : *m.parents) nodes += NodeBytes(m, p);
  }
  std::string meta_sizes, meta;
  if (m.metadata.size() > 255) BadPushkeyMarkers("more than 255 metadata entries");
  for (const auto& [k, v] : m.metadata) {
    if (k.size() > 255 || v.size() > 255) BadPushkeyMarkers("metadata entry over 255 bytes");
    meta_sizes.push_back(static_cast<char>(k.size()));
    meta_sizes.push_back(static_cast<char>(v.size()));
    meta += k + v;
  }
  std::string out;
  uint64_t total = 4 + 8 + 2 + 2 + 3 + nodes.size() + meta_sizes.size() + meta.size();
  PutUint(out, total, 4);
  uint64_t bits;
  static_assert(sizeof(bits) == sizeof(m.date));
  std::memcpy(&bits, &m.date, sizeof(bits));
  PutUint(out, bits, 8);
  PutUint(out, static_cast<uint16_t>(static_cast<int16_t>(m.tz / 60)), 2);
  PutUint(out, m.flags, 2);
  PutUint(out, m.successors.size(), 1);
  PutUint(out, m.parents ? m.parents->size() : 3, 1);
  PutUint(out, m.metadata.size(), 1);
  return out + nodes + meta_sizes + meta;
}

std::string Dump(char version, const std::vector<std::string>& part) {
  std::string blob(1, version);
  for (const auto& marker : part) blob += marker;
  return Base85Encode(blob);
}

}  // namespace

std::string Base85Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 3) / 4 * 5);
  for (size_t i = 0; i < data.size(); i += 4) {
    uint32_t word = 0;
    for (size_t j = 0; j < 4; ++j) {
      unsigned char c = i + j < data.size() ? static_cast<unsigned char>(data[i + j]) : 0;
      word = (word << 8) | c;
    }
    char chunk[5];
    for (int j = 4; j >= 0; --j) {
      chunk[j] = kB85Chars[word % 85];
      word /= 85;
    }
    out.append(chunk, 5);
  }
  size_t rest = data.size() % 4;
  out.resize(data.size() / 4 * 5 + (rest ? rest + 1 : 0));
  return out;
}

std::string Base85Decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); i += 5) {
    std::string_view chunk = text.substr(i, 5);
    uint64_t acc = 0;
    for (size_t j = 0; j < chunk.size(); ++j) {
      size_t digit = kB85Chars.find(chunk[j]);
      if (digit == std::string_view::npos) {
        BadPushkeyMarkers(fmt::format("bad base85 character at position {}", i + j));
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
    if (acc > 0xFFFFFFFFull)
      BadPushkeyMarkers(fmt::format("base85 overflow in hunk starting at byte {}", i));
    char word[4] = {static_cast<char>(acc >> 24), static_cast<char>(acc >> 16),
                    static_cast<char>(acc >> 8), static_cast<char>(acc)};
    out.append(word, keep);
  }
  return out;
}

std::vector<ObsMarker> DecodeObsMarkers(std::string_view base85) {
  std::string data = Base85Decode(base85);
  if (data.empty()) BadPushkeyMarkers("empty obsstore data");
  return DecodeObsStore(data);
}

std::string EncodeObsMarkerFormat0(const ObsMarker& m) {
  if (m.flags & kObsMarkerUsingSha256)
    BadPushkeyMarkers("cannot handle sha256 with old obsstore format");
  if (m.flags > 0xFF)
    BadPushkeyMarkers(fmt::format("flags {:#x} do not fit format 0's byte", m.flags));
  std::map<std::string, std::string> meta(m.metadata.begin(), m.metadata.end());
  meta["date"] = PythonFloatRepr(m.date) + " " + std::to_string(m.tz);
  if (m.parents) {
    if (m.parents->empty()) meta["p0"] = "";
    if (m.parents->size() > 2) BadPushkeyMarkers("more than 2 parents");
    for (size_t i = 0; i < m.parents->size(); ++i) {
      NodeBytes(m, (*m.parents)[i]);
      meta[fmt::format("p{}", i + 1)] = (*m.parents)[i];
    }
  }
  std::string encoded;
  for (const auto& [k, v] : meta) {
    if (k.find_first_of(std::string(":\0", 2)) != std::string::npos) {
      BadPushkeyMarkers("':' and NUL are forbidden in metadata keys");
    }
    if (v.find('\0') != std::string::npos) BadPushkeyMarkers("NUL is forbidden in metadata values");
    if (!encoded.empty()) encoded.push_back('\0');
    encoded += k + ":" + v;
  }
  if (m.successors.size() > 255) BadPushkeyMarkers("more than 255 successors");
  std::string out;
  PutUint(out, m.successors.size(), 1);
  PutUint(out, encoded.size(), 4);
  PutUint(out, m.flags, 1);
  out += NodeBytes(m, m.precursor);
  for (const auto& s : m.successors) out += NodeBytes(m, s);
  return out + encoded;
}

std::map<std::string, std::string> ObsMarkerPushkeys(const std::vector<ObsMarker>& markers) {
  struct Part {
    char version;
    std::vector<std::string> markers;
    size_t bytes = 0;
  };
  std::vector<Part> parts;
  for (const auto& m : markers) {
    bool format1 = (m.flags & kObsMarkerUsingSha256) || m.flags > 0xFF;
    char version = format1 ? 1 : 0;
    std::string data = format1 ? EncodeFormat1(m) : EncodeObsMarkerFormat0(m);
    if (parts.empty() || parts.back().version != version ||
        parts.back().bytes + data.size() > kMaxPayload) {
      parts.push_back(Part{version, {}, 0});
    }
    parts.back().bytes += data.size();
    parts.back().markers.push_back(std::move(data));
  }
  std::map<std::string, std::string> keys;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Part& part = parts[parts.size() - 1 - i];
    keys[fmt::format("dump{}", i)] = Dump(part.version, part.markers);
  }
  return keys;
}

}  // namespace hgc
