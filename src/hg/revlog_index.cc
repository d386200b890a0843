#include "hg/revlog_index.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace hgc {
namespace {

constexpr size_t kEntrySize = 64;
constexpr uint32_t kFlagInline = 1u << 16;

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

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

ChangelogIndex ChangelogIndex::LoadPending(const std::string& repo_root) {
  const char* pending = std::getenv("HG_PENDING");
  std::error_code ec;
  if (pending && std::filesystem::equivalent(pending, repo_root, ec)) {
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
  if (!std::filesystem::exists(path)) {
    if (!std::filesystem::exists(std::filesystem::path(repo_root) / ".hg")) {
      throw Error(ErrorKind::kNotFound, fmt::format("no repository at {}", repo_root));
    }
    return index;
  }
  std::string data = ReadFile(path);
  if (data.empty()) return index;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  uint32_t header = Be32(bytes);
  uint32_t version = header & 0xFFFF;
  if (version != 1) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{}: unsupported revlog version {}", path.string(), version));
  }
  bool is_inline = (header & kFlagInline) != 0;
  size_t pos = 0;
  while (pos + kEntrySize <= data.size()) {
    const uint8_t* e = bytes + pos;
    Entry entry;
    entry.p1 = static_cast<int32_t>(Be32(e + 24));
    entry.p2 = static_cast<int32_t>(Be32(e + 28));
    std::copy(e + 32, e + 52, entry.node.begin());
    pos += kEntrySize;
    if (is_inline) pos += Be32(e + 8);
    index.entries_.push_back(entry);
  }
  if (pos != data.size()) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{}: truncated index ({} trailing bytes)", path.string(),
                            data.size() - std::min(pos, data.size())));
  }
  return index;
}

std::string ChangelogIndex::NodeHex(int rev) const {
  if (rev < 0) return std::string(40, '0');
  const auto& n = at(rev).node;
  return HexEncode(n.data(), n.size());
}

std::optional<int> ChangelogIndex::RevOf(const std::string& hex) const {
  for (int r = size() - 1; r >= 0; --r) {
    if (NodeHex(r) == hex) return r;
  }
  return std::nullopt;
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

}  // namespace hgc
