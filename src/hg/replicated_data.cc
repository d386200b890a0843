#include "hg/replicated_data.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "common/error.h"
#include "common/text.h"

namespace hgc {
namespace {

// CBOR head: major type in the top 3 bits, shortest argument encoding
// (canonical CBOR, RFC 7049 §3.9).
void Head(std::string& out, uint8_t major, uint64_t value) {
  uint8_t m = static_cast<uint8_t>(major << 5);
  if (value < 24) {
    out += static_cast<char>(m | value);
  } else if (value < 0x100) {
    out += static_cast<char>(m | 24);
    out += static_cast<char>(value);
  } else if (value < 0x10000) {
    out += static_cast<char>(m | 25);
    for (int s = 8; s >= 0; s -= 8) out += static_cast<char>((value >> s) & 0xFF);
  } else if (value < 0x100000000ULL) {
    out += static_cast<char>(m | 26);
    for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((value >> s) & 0xFF);
  } else {
    out += static_cast<char>(m | 27);
    for (int s = 56; s >= 0; s -= 8) out += static_cast<char>((value >> s) & 0xFF);
  }
}

void Bytes(std::string& out, const std::string& b) {
  Head(out, 2, b.size());
  out += b;
}

class CborReader {
 public:
  explicit CborReader(const std::string& s) : s_(s) {}
  // Returns (major, argument); null/simple values come back as major 7.
  std::pair<int, uint64_t> ReadHead() {
    uint8_t b = Byte();
    int major = b >> 5;
    uint8_t info = b & 31;
    uint64_t v = info;
    if (info == 24)
      v = Byte();
    else if (info == 25)
      v = Uint(2);
    else if (info == 26)
      v = Uint(4);
    else if (info == 27)
      v = Uint(8);
    else if (info > 27)
      Fail("indefinite lengths are not supported");
    return {major, v};
  }
  std::string ReadBytes(uint64_t n) {
    if (n > s_.size() - pos_) Fail("truncated byte string");
    std::string out = s_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  bool done() const { return pos_ == s_.size(); }
  [[noreturn]] void Fail(const std::string& why) {
    throw Error(ErrorKind::kMalformed, "malformed CBOR data: " + why);
  }

 private:
  uint8_t Byte() {
    if (pos_ >= s_.size()) Fail("unexpected end of data");
    return static_cast<uint8_t>(s_[pos_++]);
  }
  uint64_t Uint(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | Byte();
    return v;
  }
  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace

std::string EncodeReplicatedData(const std::vector<std::string>& heads,
                                 std::optional<int64_t> last_push_id) {
  std::string out;
  Head(out, 5, 2);
  Bytes(out, "heads");
  Head(out, 4, heads.size());
  for (const auto& h : heads) {
    if (h.size() != 40) throw Error(ErrorKind::kMalformed, "expected 40 byte hex heads in message");
    std::string bin;
    for (size_t i = 0; i < 40; i += 2) {
      int hi = HexDigitValue(h[i]), lo = HexDigitValue(h[i + 1]);
      if (hi < 0 || lo < 0) {
        throw Error(ErrorKind::kMalformed, "expected 40 byte hex heads in message");
      }
      bin += static_cast<char>(hi * 16 + lo);
    }
    Bytes(out, bin);
  }
  Bytes(out, "last_push_id");
  if (last_push_id && *last_push_id >= 0) {
    Head(out, 0, static_cast<uint64_t>(*last_push_id));
  } else {
    out += static_cast<char>(0xF6);
  }
  return out;
}

ReplicatedData DecodeReplicatedData(const std::string& bytes) {
  CborReader r(bytes);
  ReplicatedData d;
  auto [major, n] = r.ReadHead();
  if (major != 5) r.Fail("expected a map");
  for (uint64_t i = 0; i < n; ++i) {
    auto [kmajor, klen] = r.ReadHead();
    if (kmajor != 2 && kmajor != 3) r.Fail("expected a string key");
    std::string key = r.ReadBytes(klen);
    if (key == "heads") {
      auto [amajor, count] = r.ReadHead();
      if (amajor != 4) r.Fail("heads is not an array");
      for (uint64_t j = 0; j < count; ++j) {
        auto [bmajor, blen] = r.ReadHead();
        if (bmajor != 2 || blen != 20) r.Fail("a head is not 20 bytes");
        std::string node = r.ReadBytes(blen);
        static const char* kHex = "0123456789abcdef";
        std::string hex;
        for (unsigned char c : node) {
          hex += kHex[c >> 4];
          hex += kHex[c & 15];
        }
        d.heads.push_back(hex);
      }
    } else if (key == "last_push_id") {
      auto [vmajor, v] = r.ReadHead();
      if (vmajor == 0 && v > static_cast<uint64_t>(INT64_MAX))
        r.Fail("last_push_id out of range");
      else if (vmajor == 0)
        d.last_push_id = static_cast<int64_t>(v);
      else if (!(vmajor == 7 && v == 22))
        r.Fail("last_push_id is neither uint nor null");
    } else {
      r.Fail("unexpected key " + key);
    }
  }
  if (!r.done()) r.Fail("trailing bytes");
  return d;
}

void WriteReplicatedData(const std::string& repo, const std::string& bytes) {
  std::string dest = repo + "/.hg/replicated-data";
  std::string tmp = dest + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0664);
  if (fd < 0) throw Error(ErrorKind::kIo, fmt::format("cannot write {}: {}", tmp, strerror(errno)));
  bool ok = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  ok = ok && fsync(fd) == 0;
  int err = errno;
  close(fd);
  if (!ok) throw Error(ErrorKind::kIo, fmt::format("cannot write {}: {}", tmp, strerror(err)));
  struct stat old {};
  struct stat fresh {};
  if (stat(dest.c_str(), &old) == 0 && stat(tmp.c_str(), &fresh) == 0 &&
      fresh.st_mtim.tv_sec <= old.st_mtim.tv_sec + 1) {
    timespec times[2] = {{old.st_mtim.tv_sec + 2, 0}, {old.st_mtim.tv_sec + 2, 0}};
    utimensat(AT_FDCWD, tmp.c_str(), times, 0);
  }
  if (rename(tmp.c_str(), dest.c_str()) != 0) {
    throw Error(ErrorKind::kIo,
                fmt::format("cannot rename {} to {}: {}", tmp, dest, strerror(errno)));
  }
}

}  // namespace hgc
