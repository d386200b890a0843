#include "hg/revlog_index.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "hg/revlog_chunk.h"

namespace hgc {
namespace {

constexpr size_t kEntrySize = 64;
constexpr uint32_t kFlagInline = 1u << 16;
constexpr uint32_t kFlagGeneralDelta = 1u << 17;
constexpr uint16_t kRevisionCensored = 1u << 15;
constexpr uint16_t kRevisionExtStored = 1u << 13;

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

uint64_t Be48(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 6; ++i) v = (v << 8) | p[i];
  return v;
}

// The whole file in one read (a changelog index of 700,000 revisions is
// 45 MB: no stream buffer copies).
std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  std::string data(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// 00changelog.d, opened once at Load so that every text comes from the same
// file even if hg rewrites it later (revlogs are append-only otherwise).
class ChangelogIndex::DataFile {
 public:
  explicit DataFile(std::string path) : path_(std::move(path)) {
    fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) error_ = errno;
  }
  ~DataFile() {
    if (fd_ >= 0) close(fd_);
  }
  DataFile(const DataFile&) = delete;
  DataFile& operator=(const DataFile&) = delete;

  std::string Read(uint64_t offset, size_t length) const {
    if (fd_ < 0) {
      throw Error(ErrorKind::kIo, fmt::format("cannot open {}: {}", path_, strerror(error_)));
    }
    std::string out(length, '\0');
    size_t done = 0;
    while (done < length) {
      ssize_t n = pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        throw Error(ErrorKind::kIo, fmt::format("cannot read {}: {}", path_, strerror(errno)));
      }
      if (n == 0) {
        throw Error(ErrorKind::kMalformed,
                    fmt::format("{}: truncated (chunk at {} of {} bytes)", path_, offset, length));
      }
      done += static_cast<size_t>(n);
    }
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  int error_ = 0;
};

std::string HexEncode(const uint8_t* data, size_t size) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

ChangelogIndex ChangelogIndex::LoadPending(const std::string& repo_root,
                                           const std::string& pending_root) {
  std::error_code ec;
  if (!pending_root.empty() && std::filesystem::equivalent(pending_root, repo_root, ec)) {
    auto path = std::filesystem::path(repo_root) / ".hg" / "store" / "00changelog.i.a";
    if (std::filesystem::exists(path)) return LoadFile(path, repo_root);
  }
  return Load(repo_root);
}

ChangelogIndex ChangelogIndex::Load(const std::string& repo_root) {
  return LoadFile(std::filesystem::path(repo_root) / ".hg" / "store" / "00changelog.i", repo_root);
}

ChangelogIndex ChangelogIndex::LoadFile(const std::filesystem::path& path,
                                        const std::string& repo_root) {
  ChangelogIndex index;
  std::filesystem::path store = std::filesystem::path(repo_root) / ".hg" / "store";
  index.path_ = path.string();
  if (!std::filesystem::exists(path)) {
    if (!std::filesystem::exists(std::filesystem::path(repo_root) / ".hg")) {
      throw Error(ErrorKind::kNotFound, fmt::format("no repository at {}", repo_root));
    }
    return index;
  }
  auto data = std::make_shared<std::string>(ReadFile(path));
  if (data->empty()) return index;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data->data());
  uint32_t header = Be32(bytes);
  uint32_t version = header & 0xFFFF;
  if (version != 1) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{}: unsupported revlog version {:#x} (only revlog v1 is read "
                            "natively; revlog-v2 and changelog-v2 need hg)",
                            path.string(), version));
  }
  if ((header & 0xFFFF0000u & ~(kFlagInline | kFlagGeneralDelta)) != 0) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{}: unsupported revlog flags {:#x}", path.string(), header >> 16));
  }
  bool is_inline = (header & kFlagInline) != 0;
  index.generaldelta_ = (header & kFlagGeneralDelta) != 0;
  if (!is_inline) index.entries_.reserve(data->size() / kEntrySize);
  size_t pos = 0;
  while (pos + kEntrySize <= data->size()) {
    const uint8_t* e = bytes + pos;
    Entry entry;
    // The first entry's offset is always 0: its top bytes hold the header.
    entry.offset = index.entries_.empty() ? 0 : Be48(e);
    entry.flags = static_cast<uint16_t>((e[6] << 8) | e[7]);
    entry.compressed_length = Be32(e + 8);
    entry.length = Be32(e + 12);
    entry.base = static_cast<int32_t>(Be32(e + 16));
    entry.link_rev = static_cast<int32_t>(Be32(e + 20));
    entry.p1 = static_cast<int32_t>(Be32(e + 24));
    entry.p2 = static_cast<int32_t>(Be32(e + 28));
    std::copy(e + 32, e + 52, entry.node.begin());
    pos += kEntrySize;
    if (is_inline) pos += entry.compressed_length;
    index.entries_.push_back(entry);
  }
  if (pos != data->size()) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{}: truncated index ({} trailing bytes)", path.string(),
                            data->size() - std::min(pos, data->size())));
  }
  if (is_inline) {
    index.inline_data_ = std::move(data);
  } else {
    index.data_file_ = std::make_shared<DataFile>((store / "00changelog.d").string());
  }
  return index;
}

std::string ChangelogIndex::NodeHex(int rev) const {
  if (rev < 0) return std::string(40, '0');
  const auto& n = at(rev).node;
  return HexEncode(n.data(), n.size());
}

std::optional<int> ChangelogIndex::RevOf(const std::string& hex) const {
  if (hex.size() != 40) return std::nullopt;
  std::string node(20, '\0');
  for (size_t i = 0; i < 20; ++i) {
    int hi = HexDigit(hex[2 * i]);
    int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    node[i] = static_cast<char>((hi << 4) | lo);
  }
  // The newest revisions first, without the map: what hooks ask for.
  constexpr int kTail = 256;
  for (int rev = size() - 1; rev >= 0 && rev >= size() - kTail; --rev) {
    if (std::memcmp(node.data(), entries_[static_cast<size_t>(rev)].node.data(), 20) == 0) {
      return rev;
    }
  }
  if (size() <= kTail) return std::nullopt;
  NodeMap& m = *node_map_;
  std::call_once(m.once, [&] {
    m.rev_of_node.reserve(entries_.size());
    for (size_t rev = 0; rev < entries_.size(); ++rev) {
      const auto& n = entries_[rev].node;
      m.rev_of_node.emplace(std::string(n.begin(), n.end()), static_cast<int>(rev));
    }
  });
  auto it = m.rev_of_node.find(node);
  if (it == m.rev_of_node.end()) return std::nullopt;
  return it->second;
}

std::vector<int> ChangelogIndex::HeadRevs() const {
  std::vector<bool> has_child(entries_.size(), false);
  for (const auto& e : entries_) {
    if (e.p1 >= 0) has_child[static_cast<size_t>(e.p1)] = true;
    if (e.p2 >= 0) has_child[static_cast<size_t>(e.p2)] = true;
  }
  std::vector<int> heads;
  for (size_t r = 0; r < entries_.size(); ++r) {
    if (!has_child[r]) heads.push_back(static_cast<int>(r));
  }
  return heads;
}

std::string ChangelogIndex::Chunk(int rev) const {
  const Entry& e = at(rev);
  if (e.flags & (kRevisionCensored | kRevisionExtStored)) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{}: revision {} is censored or stored externally (flags {:#x})", path_,
                            rev, e.flags));
  }
  if (inline_data_) {
    uint64_t start = e.offset + static_cast<uint64_t>(rev + 1) * kEntrySize;
    if (start > inline_data_->size() || inline_data_->size() - start < e.compressed_length) {
      throw Error(ErrorKind::kMalformed,
                  fmt::format("{}: chunk of revision {} beyond the file", path_, rev));
    }
    return DecompressRevlogChunk(
        std::string_view(*inline_data_).substr(start, e.compressed_length));
  }
  if (!data_file_) return "";  // an empty changelog has no chunks
  return DecompressRevlogChunk(data_file_->Read(e.offset, e.compressed_length));
}

std::string ChangelogIndex::RevisionText(int rev) const {
  if (rev < 0 || rev >= size()) {
    throw Error(ErrorKind::kNotFound, fmt::format("{}: no revision {}", path_, rev));
  }
  // The chain runs from `rev` back to a revision stored as a full text
  // (base == itself), as in revlog._deltachain.
  std::vector<int> chain;
  int r = rev;
  while (true) {
    chain.push_back(r);
    int base = at(r).base;
    if (base == r) break;
    if (base < 0 || base > r) {
      throw Error(ErrorKind::kMalformed,
                  fmt::format("{}: revision {} has delta base {}", path_, r, base));
    }
    r = generaldelta_ ? base : r - 1;
  }
  std::string text = Chunk(chain.back());
  for (auto it = chain.rbegin() + 1; it != chain.rend(); ++it) {
    text = ApplyMpatch(text, Chunk(*it));
  }
  if (text.size() != at(rev).length) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{}: revision {} rebuilt to {} bytes, index says {}", path_, rev,
                            text.size(), at(rev).length));
  }
  return text;
}

}  // namespace hgc
