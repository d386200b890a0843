// Obsolescence marker decoding (formats 0 and 1 of mercurial/obsolete.py).
// Thread-safety: pure functions.
#include "hg/obsstore.h"

#include <fmt/format.h>

#include <cstring>
#include <map>

#include "common/error.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"

namespace hgc {
namespace {

[[noreturn]] void Bad(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "obsolete markers: " + what);
}

std::string Hex(std::string_view bytes) {
  return HexEncode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Bounds-checked big-endian reader.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= data_.size(); }
  std::string_view Take(size_t n) {
    if (n > data_.size() - pos_) Bad("truncated marker");
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

constexpr unsigned kUsingSha256 = 2;  // obsutil.usingsha256

// Format 0: >BIB20s (numsuc, mdsize, flags, precursor), successors,
// metadata "key:value" joined by NUL, with the date inside the metadata.
std::vector<ObsMarker> ReadFormat0(Reader& r) {
  std::vector<ObsMarker> out;
  while (!r.done()) {
    ObsMarker m;
    uint64_t numsuc = r.Uint(1);
    uint64_t mdsize = r.Uint(4);
    r.Uint(1);  // flags
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
        if (colon == std::string_view::npos) Bad("metadata entry without ':'");
        fields[std::string(item.substr(0, colon))] = std::string(item.substr(colon + 1));
      }
      start = end + 1;
    }
    auto date = fields.find("date");
    if (date != fields.end()) {
      try {
        m.date = std::stod(date->second.substr(0, date->second.find(' ')));
      } catch (const std::exception&) {
        m.date = 0;  // as the reference: an unparsable date reads as 0
      }
    }
    // Sorted, without the keys format 0 uses for the date and parents.
    for (const auto& [k, v] : fields) {
      if (k != "date" && k != "p0" && k != "p1" && k != "p2") m.metadata.emplace_back(k, v);
    }
    out.push_back(std::move(m));
  }
  return out;
}

// Format 1: >IdhHBBB (size, seconds, tz, flags, numsuc, numpar, nummeta),
// nodes (20 or 32 bytes), metadata sizes, then keys and values.
std::vector<ObsMarker> ReadFormat1(Reader& r) {
  std::vector<ObsMarker> out;
  while (!r.done()) {
    ObsMarker m;
    r.Uint(4);  // total size
    m.date = r.Double();
    r.Uint(2);  // tz
    uint64_t flags = r.Uint(2);
    uint64_t numsuc = r.Uint(1);
    uint64_t numpar = r.Uint(1);
    uint64_t nummeta = r.Uint(1);
    size_t node = (flags & kUsingSha256) ? 32 : 20;
    m.precursor = Hex(r.Take(node));
    for (uint64_t i = 0; i < numsuc; ++i) m.successors.push_back(Hex(r.Take(node)));
    if (numpar != 3) r.Take(node * numpar);  // 3 = parents not recorded
    std::vector<std::pair<size_t, size_t>> sizes;
    for (uint64_t i = 0; i < nummeta; ++i) {
      size_t k = r.Uint(1);
      sizes.emplace_back(k, r.Uint(1));
    }
    for (const auto& [k, v] : sizes) {
      std::string key(r.Take(k));
      m.metadata.emplace_back(std::move(key), std::string(r.Take(v)));
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::vector<ObsMarker> DecodeObsStore(std::string_view data) {
  if (data.empty()) return {};
  Reader r(data);
  unsigned version = static_cast<unsigned>(r.Uint(1));
  if (version == 0) return ReadFormat0(r);
  if (version == 1) return ReadFormat1(r);
  Bad(fmt::format("unknown version {}", version));
}

std::vector<ObsMarker> ReadObsStore(const std::string& repo_root) {
  return DecodeObsStore(ReadFileOrEmpty(repo_root + "/.hg/store/obsstore"));
}

}  // namespace hgc
