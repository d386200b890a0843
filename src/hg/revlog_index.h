// Reads a repository's changelog index (.hg/store/00changelog.i, revlog v1,
// inline or not) natively, so hooks and consumers learn revision numbers,
// nodes, parents and heads without starting Python (~100 ms per hg run).
// Only the committed changelog is read; hidden (obsolete) changesets are not
// filtered. Anything unexpected throws Error(kNotFound/kMalformed) so callers
// can fall back to asking hg.
// Thread-safety: immutable value after Load().
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hgc {

class ChangelogIndex {
 public:
  struct Entry {
    int32_t p1 = -1;
    int32_t p2 = -1;
    std::array<uint8_t, 20> node{};
  };

  // `repo_root` is the directory containing .hg. An empty or missing
  // changelog is an empty index.
  static ChangelogIndex Load(const std::string& repo_root);
  // As Load, but inside a hook of an open transaction (HG_PENDING names this
  // repository) it reads the pending changelog hg wrote for hooks
  // (00changelog.i.a), so the transaction's new changesets are included.
  static ChangelogIndex LoadPending(const std::string& repo_root);

  int size() const { return static_cast<int>(entries_.size()); }
  int tip_rev() const { return size() - 1; }  // -1 for an empty repo
  std::string NodeHex(int rev) const;
  const Entry& at(int rev) const { return entries_.at(static_cast<size_t>(rev)); }
  std::optional<int> RevOf(const std::string& hex) const;
  // Revisions without children, ascending.
  std::vector<int> HeadRevs() const;

 private:
  static ChangelogIndex LoadFile(const std::filesystem::path& path, const std::string& repo_root);
  std::vector<Entry> entries_;
};

std::string HexEncode(const uint8_t* data, size_t size);

}  // namespace hgc
