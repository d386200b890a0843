// .hg/replicated-data: the heads a mirror may expose, written by the heads
// consumer once every mirror has applied an event (spec/replication.md
// §3.7). Canonical CBOR of {b"heads": [20-byte nodes], b"last_push_id":
// uint|null}, byte-compatible with the reference's Python reader.
// Thread-safety: pure functions; WriteReplicatedData writes one file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hgc {

// Throws Error(kMalformed, "expected 40 byte hex heads in message") for a
// head that is not 40 hex characters.
std::string EncodeReplicatedData(const std::vector<std::string>& heads,
                                 std::optional<int64_t> last_push_id);

struct ReplicatedData {
  std::vector<std::string> heads;  // hex
  std::optional<int64_t> last_push_id;
};

// Throws Error(kMalformed, "malformed CBOR data: ...").
ReplicatedData DecodeReplicatedData(const std::string& bytes);

// Writes <repo>/.hg/replicated-data via a temporary file, fsync and rename.
// The new file's mtime is made at least 2 s newer than the old one's (so
// stat-based caches notice two updates within a second) before the rename
// — the reference set it on the file being replaced, which had no effect.
void WriteReplicatedData(const std::string& repo, const std::string& bytes);

}  // namespace hgc
