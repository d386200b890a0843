// Obsolescence marker decoding (formats 0 and 1 of mercurial/obsolete.py).
// Thread-safety: pure functions.
#include "hg/obsstore.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "common/error.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"

namespace hgc {
namespace {

[[noreturn]] void BadMarkers(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "obsolete markers: " + what);
}

std::string Hex(std::string_view bytes) {
  return HexEncode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Bounds-checked big-endian reader.
class MarkerReader {
 public:
  explicit MarkerReader(std::string_view data) : data_(data) {}
  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= data_.size(); }
  std::string_view Take(size_t n) {
    if (n > data_.size() - pos_) BadMarkers("truncated marker");
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  uint64_t Uint(size_t bytes) {
    uint64_t v = 0;
    for (unsigned char c : Take(bytes)) v = (v << 8) | c;
    return v;
  }
  double Double() {
    uint64_t bits = Uint(8);
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    return d;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

bool IsNodeHex(const std::string& hex) {
  return hex.size() == 40 && hex.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Format 0: >BIB20s (numsuc, mdsize, flags, precursor), successors,
// metadata "key:value" joined by NUL, with the date ("seconds tz") and the
// parents (p1, p2; p0 = recorded as none) inside the metadata. Read as
// mercurial/obsolete.py's _fm0readmarkers does, p0 staying in the metadata.
std::vector<ObsMarker> ReadFormat0(MarkerReader& r) {
  std::vector<ObsMarker> out;
  while (!r.done()) {
    ObsMarker m;
    uint64_t numsuc = r.Uint(1);
    uint64_t mdsize = r.Uint(4);
    m.flags = static_cast<unsigned>(r.Uint(1));
    m.precursor = Hex(r.Take(20));
    for (uint64_t i = 0; i < numsuc; ++i) m.successors.push_back(Hex(r.Take(20)));
    std::string_view meta = r.Take(mdsize);
    std::map<std::string, std::string> fields;
    size_t start = 0;
    while (start <= meta.size()) {
      size_t end = meta.find('\0', start);
      if (end == std::string_view::npos) end = meta.size();
      std::string_view item = meta.substr(start, end - start);
      if (!item.empty()) {
        size_t colon = item.find(':');
        if (colon == std::string_view::npos) BadMarkers("metadata entry without ':'");
        fields[std::string(item.substr(0, colon))] = std::string(item.substr(colon + 1));
      }
      start = end + 1;
    }
    if (auto date = fields.find("date"); date != fields.end()) {
      std::string value = date->second;
      fields.erase(date);
      size_t space = value.find(' ');
      try {
        if (space == std::string::npos || value.find(' ', space + 1) != std::string::npos) {
          throw std::invalid_argument("not two words");
        }
        size_t used = 0;
        std::string tz = value.substr(space + 1);
        m.tz = std::stoi(tz, &used);
        if (used != tz.size()) throw std::invalid_argument("tz");
        m.date = std::stod(value.substr(0, space));
      } catch (const std::exception&) {
        m.date = 0;  // as the reference: an unparsable date reads as 0
        m.tz = 0;
      }
    }
    std::vector<std::string> parents;
    bool recorded = true;
    if (fields.count("p2")) {
      parents = {fields["p1"], fields["p2"]};
      fields.erase("p1");
      fields.erase("p2");
    } else if (fields.count("p1")) {
      parents = {fields["p1"]};
      fields.erase("p1");
    } else if (!fields.count("p0")) {
      recorded = false;
    }
    if (recorded && std::all_of(parents.begin(), parents.end(), IsNodeHex)) {
      m.parents = std::move(parents);
    }
    for (auto& [k, v] : fields) m.metadata.emplace_back(k, std::move(v));
    out.push_back(std::move(m));
  }
  return out;
}

// Format 1: >IdhHBBB (size, seconds, tz in minutes, flags, numsuc, numpar,
// nummeta), nodes (20 or 32 bytes), metadata sizes, then keys and values.
std::vector<ObsMarker> ReadFormat1(MarkerReader& r) {
  std::vector<ObsMarker> out;
  while (!r.done()) {
    ObsMarker m;
    size_t start = r.pos();
    uint64_t total = r.Uint(4);
    m.date = r.Double();
    m.tz = static_cast<int16_t>(static_cast<uint16_t>(r.Uint(2))) * 60;
    m.flags = static_cast<unsigned>(r.Uint(2));
    uint64_t numsuc = r.Uint(1);
    uint64_t numpar = r.Uint(1);
    uint64_t nummeta = r.Uint(1);
    size_t node = (m.flags & kObsMarkerUsingSha256) ? 32 : 20;
    m.precursor = Hex(r.Take(node));
    for (uint64_t i = 0; i < numsuc; ++i) m.successors.push_back(Hex(r.Take(node)));
    // 3 = parents not recorded. Mercurial's C reader (the one hg uses)
    // reads 0 parents as not recorded too, so that is what hg sends.
    if (numpar != 3) {
      std::vector<std::string> parents;
      for (uint64_t i = 0; i < numpar; ++i) parents.push_back(Hex(r.Take(node)));
      if (numpar > 0) m.parents = std::move(parents);
    }
    std::vector<std::pair<size_t, size_t>> sizes;
    for (uint64_t i = 0; i < nummeta; ++i) {
      size_t k = r.Uint(1);
      sizes.emplace_back(k, r.Uint(1));
    }
    for (const auto& [k, v] : sizes) {
      std::string key(r.Take(k));
      m.metadata.emplace_back(std::move(key), std::string(r.Take(v)));
    }
    if (r.pos() - start != total) BadMarkers("marker size does not match its content");
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::vector<ObsMarker> DecodeObsStore(std::string_view data) {
  if (data.empty()) return {};
  MarkerReader r(data);
  unsigned version = static_cast<unsigned>(r.Uint(1));
  if (version == 0) return ReadFormat0(r);
  if (version == 1) return ReadFormat1(r);
  BadMarkers(fmt::format("unknown version {}", version));
}

namespace {
std::string ObsStorePath(const std::string& repo_root) { return repo_root + "/.hg/store/obsstore"; }
}  // namespace

std::vector<ObsMarker> ReadObsStore(const std::string& repo_root) {
  return DecodeObsStore(ReadFileOrEmpty(ObsStorePath(repo_root)));
}

uint64_t ObsStoreSize(const std::string& repo_root) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(ObsStorePath(repo_root), ec);
  return ec ? 0 : size;
}

std::optional<std::vector<ObsMarker>> ReadObsStoreFrom(const std::string& repo_root,
                                                       uint64_t offset) {
  std::string data = ReadFileOrEmpty(ObsStorePath(repo_root));
  if (offset == 0 || data.empty()) return DecodeObsStore(data);
  if (offset > data.size()) return std::nullopt;
  std::string tail = data.substr(0, 1) + data.substr(offset);
  try {
    return DecodeObsStore(tail);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace hgc
