// An owned librdkafka client (producer, consumer or admin), destroyed with
// rd_kafka_destroy. Thread-safety: as librdkafka's handle (thread-safe).
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace hgc {

struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

}  // namespace hgc
