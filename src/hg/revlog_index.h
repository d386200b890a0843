// Reads a repository's changelog (.hg/store/00changelog.i, revlog v1, inline
// or with its data in 00changelog.d, with or without generaldelta) natively,
// so hooks, consumers and the web front learn revision numbers, nodes,
// parents, heads and changeset texts without starting Python (~100 ms per hg
// run). Only the committed changelog is read; hidden (obsolete) changesets are
// not filtered here (see hg/hidden_revs.h). Anything unexpected (revlog-v2,
// changelog-v2, unknown flags, censored revisions) throws
// Error(kNotFound/kMalformed) so callers can fall back to asking hg.
// Thread-safety: immutable value after Load(); const methods may be called
// from several threads (texts are read with pread on a file opened at Load).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace hgc {

class ChangelogIndex {
 public:
  struct Entry {
    int32_t p1 = -1;
    int32_t p2 = -1;
    std::array<uint8_t, 20> node{};
    uint64_t offset = 0;  // of the chunk in the data (inline: without index entries)
    uint16_t flags = 0;   // revision flags (REVIDX_*)
    uint32_t compressed_length = 0;
    uint32_t length = 0;  // of the full text
    int32_t base = 0;     // generaldelta: delta parent; else: first rev of the chain
    int32_t link_rev = 0;
  };

  // `repo_root` is the directory containing .hg. An empty or missing
  // changelog is an empty index.
  static ChangelogIndex Load(const std::string& repo_root);
  // As Load, but inside a hook of an open transaction (`pending_root`, the
  // hook's HG_PENDING, names this repository) it reads the pending changelog
  // hg wrote for hooks (00changelog.i.a), so the transaction's new changesets
  // are included.
  static ChangelogIndex LoadPending(const std::string& repo_root, const std::string& pending_root);

  int size() const { return static_cast<int>(entries_.size()); }
  int tip_rev() const { return size() - 1; }  // -1 for an empty repo
  std::string NodeHex(int rev) const;
  const Entry& at(int rev) const { return entries_.at(static_cast<size_t>(rev)); }
  // Full 40-digit hex only (either case); -1 is never returned.
  std::optional<int> RevOf(const std::string& hex) const;
  // Revisions without children, ascending.
  std::vector<int> HeadRevs() const;

  bool is_inline() const { return inline_data_ != nullptr; }
  bool generaldelta() const { return generaldelta_; }

  // The changelog entry text of `rev` (see hg/changeset.h to parse it),
  // reconstructed along its delta chain. Throws Error(kMalformed) on corrupt
  // or unsupported data, Error(kIo) if 00changelog.d cannot be read.
  std::string RevisionText(int rev) const;

 private:
  class DataFile;

  static ChangelogIndex LoadFile(const std::filesystem::path& path, const std::string& repo_root);
  std::string Chunk(int rev) const;

  std::string path_;  // of 00changelog.i, for messages
  std::vector<Entry> entries_;
  // 20-byte binary node -> rev, built on the first lookup that the newest
  // revisions do not answer: a hook asks for the node it just added, and a
  // changelog of 700,000 revisions takes ~10 times longer to map than to read.
  struct NodeMap {
    std::once_flag once;
    std::unordered_map<std::string, int> rev_of_node;
  };
  std::shared_ptr<NodeMap> node_map_ = std::make_shared<NodeMap>();
  bool generaldelta_ = false;
  std::shared_ptr<const std::string> inline_data_;  // the whole .i when inline
  std::shared_ptr<const DataFile> data_file_;       // 00changelog.d otherwise
};

std::string HexEncode(const uint8_t* data, size_t size);

}  // namespace hgc
