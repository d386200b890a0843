#include "log/message_size.h"

#include <fmt/format.h>
#include <zlib.h>

#include "common/error.h"

namespace hgc {
namespace {

// Kafka's record batch header, one record's framing and our room for
// headers: what a compressed value may not use of max.message.bytes.
constexpr int64_t kKafkaFraming = 1024;

// SQLite's default SQLITE_MAX_LENGTH.
constexpr int64_t kSqliteMaxValue = 1'000'000'000;

std::string Mb(int64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6); }

}  // namespace

MessageLimit MessageLimitFor(const std::string& log_url, int64_t configured) {
  if (log_url.rfind("kafka://", 0) == 0) {
    if (configured > 0) {
      return {configured, true,
              fmt::format("[replicationproducer] maxmessagebytes = {}", configured)};
    }
    return {kKafkaTopicMaxMessageBytes, true,
            fmt::format("the Kafka topics' max.message.bytes, {}", kKafkaTopicMaxMessageBytes)};
  }
  return {kSqliteMaxValue, false, "the embedded log's value limit"};
}

size_t GzipSize(std::string_view value) {
  z_stream z{};
  // 15 + 16: a gzip wrapper, as Kafka's gzip codec writes.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw Error(ErrorKind::kIo, "zlib: cannot initialise deflate");
  }
  std::string out(64 * 1024, '\0');
  size_t total = 0;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(value.data()));
  z.avail_in = static_cast<uInt>(value.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    rc = deflate(&z, Z_FINISH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      deflateEnd(&z);
      throw Error(ErrorKind::kIo, "zlib: deflate failed");
    }
    total += out.size() - z.avail_out;
  }
  deflateEnd(&z);
  return total;
}

std::optional<std::string> OversizedValue(const std::vector<std::string>& values,
                                          const MessageLimit& limit, const std::string& what) {
  int64_t room = limit.compressed ? limit.max_bytes - kKafkaFraming : limit.max_bytes;
  for (const std::string& v : values) {
    auto raw = static_cast<int64_t>(v.size());
    if (raw <= room) continue;  // fits even uncompressed: no need to compress it here
    if (!limit.compressed) {
      return fmt::format("{} would be {} in one log record, more than {} ({}); nothing was "
                         "written",
                         what, Mb(raw), Mb(limit.max_bytes), limit.what);
    }
    auto packed = static_cast<int64_t>(GzipSize(v));
    if (packed <= room) continue;
    return fmt::format("{} would be {} ({} compressed) in one log record, more than the log "
                       "accepts ({}); nothing was written. Raise max.message.bytes of the topics "
                       "(and message.max.bytes of the brokers, replica.fetch.max.bytes) and "
                       "[replicationproducer] maxmessagebytes together",
                       what, Mb(raw), Mb(packed), limit.what);
  }
  return std::nullopt;
}

}  // namespace hgc
