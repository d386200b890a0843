// The two transforms between a revlog's stored chunks and revision texts:
// decompressing one chunk (its first byte names the engine, as in
// mercurial/revlog.py decompress) and applying one mpatch delta (Mercurial's
// binary delta: big-endian int32 start, end, length, then the data, repeated).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

// '\0' (stored raw, byte included), 'u' (raw after the marker), 'x' (zlib),
// '(' (zstd); an empty chunk is empty text. Throws Error(kMalformed) on an
// unknown engine or corrupt data.
std::string DecompressRevlogChunk(std::string_view chunk);

// Replaces base[start, end) by the data of each hunk; hunks are ordered and
// do not overlap. Throws Error(kMalformed) on a truncated or out-of-order hunk.
std::string ApplyMpatch(std::string_view base, std::string_view delta);

}  // namespace hgc
