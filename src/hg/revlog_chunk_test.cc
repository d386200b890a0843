// Chunk decompression by engine marker and mpatch deltas, on inputs built
// with zlib and libzstd directly (the real-repository cases are in
// changelog_text_test.cc).
#include "hg/revlog_chunk.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "common/error.h"

namespace hgc {
namespace {

std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string Hunk(uint32_t start, uint32_t end, const std::string& data) {
  return Be32(start) + Be32(end) + Be32(static_cast<uint32_t>(data.size())) + data;
}

std::string Text() {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + "\n";
  return text;
}

TEST(RevlogChunk, DecompressesEachEngine) {
  std::string text = Text();
  uLongf zsize = compressBound(text.size());
  std::string z(zsize, '\0');
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(z.data()), &zsize,
                      reinterpret_cast<const Bytef*>(text.data()), text.size(), 6),
            Z_OK);
  z.resize(zsize);
  ASSERT_EQ(z[0], 'x');
  EXPECT_EQ(DecompressRevlogChunk(z), text);

  std::string zs(ZSTD_compressBound(text.size()), '\0');
  zs.resize(ZSTD_compress(zs.data(), zs.size(), text.data(), text.size(), 3));
  ASSERT_EQ(zs[0], '(');
  EXPECT_EQ(DecompressRevlogChunk(zs), text);

  EXPECT_EQ(DecompressRevlogChunk("uliteral"), "literal");
  EXPECT_EQ(DecompressRevlogChunk(std::string("\0raw", 4)), std::string("\0raw", 4));
  EXPECT_EQ(DecompressRevlogChunk(""), "");
}

TEST(RevlogChunk, CorruptOrUnknownChunksAreMalformed) {
  try {
    DecompressRevlogChunk("Zwhat");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kMalformed);
  }
  EXPECT_THROW(DecompressRevlogChunk("x\x9c garbage"), Error);
  EXPECT_THROW(DecompressRevlogChunk("(\xb5/\xfd garbage"), Error);
}

TEST(RevlogChunk, AppliesMpatchHunksInOrder) {
  EXPECT_EQ(ApplyMpatch("hello world", ""), "hello world");
  EXPECT_EQ(ApplyMpatch("hello world", Hunk(0, 5, "HELLO") + Hunk(6, 11, "there, world")),
            "HELLO there, world");
  EXPECT_EQ(ApplyMpatch("abc", Hunk(3, 3, "def")), "abcdef");
  EXPECT_EQ(ApplyMpatch("abc", Hunk(0, 3, "")), "");
  EXPECT_EQ(ApplyMpatch("", Hunk(0, 0, "new")), "new");
}

TEST(RevlogChunk, BadMpatchHunksAreMalformed) {
  EXPECT_THROW(ApplyMpatch("abc", Hunk(2, 1, "")), Error);                   // end before start
  EXPECT_THROW(ApplyMpatch("abc", Hunk(0, 4, "")), Error);                   // beyond the base
  EXPECT_THROW(ApplyMpatch("abc", Hunk(2, 3, "") + Hunk(0, 1, "")), Error);  // out of order
  EXPECT_THROW(ApplyMpatch("abc", Hunk(0, 1, "xyz").substr(0, 13)), Error);  // truncated data
  EXPECT_THROW(ApplyMpatch("abc", Be32(0)), Error);                          // truncated header
}

}  // namespace
}  // namespace hgc
