// Replication lag of this mirror's consumer group, per partition, as
// Prometheus text for /metrics. Computed from the log (ComputeLag) at most
// once a second; scrapes in between get the cached text.
// Thread-safety: Render() is safe from any thread (one mutex, taken only by
// /metrics requests).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "log/log.h"

namespace hgc {

class LagMetrics {
 public:
  // `consumer_config`: the mirror's consumer.ini; empty disables the metric.
  explicit LagMetrics(std::string consumer_config);
  ~LagMetrics();
  std::string Render();

 private:
  std::string Compute();
  std::string consumer_config_;
  std::mutex mu_;
  std::unique_ptr<Log> log_;
  std::string topic_, group_;
  std::string cached_;
  std::chrono::steady_clock::time_point computed_at_{};
};

}  // namespace hgc
