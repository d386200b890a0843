// How big one record of the replication log may be, and whether values fit,
// checked before anything is appended: an event that cannot be written is
// refused whole, with a sentence saying why and what to change, instead of
// failing halfway (a push committed on the leader but never announced).
// Kafka: the producer gzip-compresses records and the brokers compare the
// compressed record with the topic's max.message.bytes, which `kafka-topics`
// and `up` set to 104857600 as the reference did. The embedded log: SQLite's
// 1,000,000,000-byte value limit.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hgc {

// max.message.bytes of the topics `kafka-topics` creates (the reference's).
inline constexpr int64_t kKafkaTopicMaxMessageBytes = 104857600;

struct MessageLimit {
  int64_t max_bytes = kKafkaTopicMaxMessageBytes;
  bool compressed = true;  // the limit applies to the gzip-compressed value
  std::string what;        // where the limit comes from, for the error
};

// The limit of the log at `log_url`; `configured` > 0 overrides the Kafka
// figure (`[replicationproducer] maxmessagebytes`, for topics created with
// another max.message.bytes).
MessageLimit MessageLimitFor(const std::string& log_url, int64_t configured = 0);

// Bytes of `value` gzip-compressed at zlib's default level, as librdkafka's
// gzip codec compresses it.
size_t GzipSize(std::string_view value);

// nullopt when every value fits; else why the first one that does not, as a
// sentence naming its size, the limit and what to do. `what` names the
// values ("the changegroup and heads events of this push").
std::optional<std::string> OversizedValue(const std::vector<std::string>& values,
                                          const MessageLimit& limit, const std::string& what);

}  // namespace hgc
