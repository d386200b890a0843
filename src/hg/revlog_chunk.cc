#include "hg/revlog_chunk.h"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <memory>

#include "common/error.h"

namespace hgc {
namespace {

[[noreturn]] void BadChunk(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "revlog chunk: " + what);
}

std::string Inflate(std::string_view in) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) BadChunk("zlib init failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      BadChunk(fmt::format("zlib: {}", zs.msg ? zs.msg : "corrupt data"));
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) BadChunk("zlib: truncated data");
  }
  return out;
}

std::string Unzstd(std::string_view in) {
  // A decompression context costs a large allocation; one per thread is
  // reused (reset for each chunk) so reading 50,000 texts stays cheap.
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ds(ZSTD_createDCtx(),
                                                                     ZSTD_freeDCtx);
  if (!ds) BadChunk("zstd init failed");
  ZSTD_DCtx_reset(ds.get(), ZSTD_reset_session_only);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::string out;
  char buf[16384];
  size_t rc = 1;
  while (input.pos < input.size) {
    ZSTD_outBuffer output{buf, sizeof(buf), 0};
    rc = ZSTD_decompressStream(ds.get(), &output, &input);
    if (ZSTD_isError(rc)) BadChunk(fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
    out.append(buf, output.pos);
  }
  // Flush what the decoder still holds once all input is consumed.
  while (rc != 0) {
    ZSTD_outBuffer output{buf, sizeof(buf), 0};
    rc = ZSTD_decompressStream(ds.get(), &output, &input);
    if (ZSTD_isError(rc)) BadChunk(fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
    if (output.pos == 0 && rc != 0) BadChunk("zstd: truncated frame");
    out.append(buf, output.pos);
  }
  return out;
}

uint32_t Be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

}  // namespace

std::string DecompressRevlogChunk(std::string_view chunk) {
  if (chunk.empty()) return "";
  switch (chunk[0]) {
    case '\0':
      return std::string(chunk);
    case 'u':
      return std::string(chunk.substr(1));
    case 'x':
      return Inflate(chunk);
    case '(':
      return Unzstd(chunk);
    default:
      BadChunk(fmt::format("unknown compression engine marker 0x{:02x}",
                           static_cast<unsigned char>(chunk[0])));
  }
}

std::string ApplyMpatch(std::string_view base, std::string_view delta) {
  std::string out;
  out.reserve(base.size() + delta.size());
  size_t last = 0;  // end of the previous hunk in `base`
  size_t pos = 0;
  while (pos < delta.size()) {
    if (delta.size() - pos < 12) BadChunk("truncated mpatch hunk header");
    size_t start = Be32(delta.data() + pos);
    size_t end = Be32(delta.data() + pos + 4);
    size_t len = Be32(delta.data() + pos + 8);
    pos += 12;
    if (start < last || end < start || end > base.size()) {
      BadChunk(fmt::format("mpatch hunk [{}, {}) out of order or beyond base of {} bytes", start,
                           end, base.size()));
    }
    if (delta.size() - pos < len) BadChunk("truncated mpatch hunk data");
    out.append(base.substr(last, start - last));
    out.append(delta.substr(pos, len));
    pos += len;
    last = end;
  }
  out.append(base.substr(last));
  return out;
}

}  // namespace hgc
