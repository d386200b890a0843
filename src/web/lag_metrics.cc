#include "web/lag_metrics.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/logline.h"
#include "consumer/consumer_config.h"
#include "consumer/lag.h"

namespace hgc {

LagMetrics::LagMetrics(std::string consumer_config)
    : consumer_config_(std::move(consumer_config)) {}

LagMetrics::~LagMetrics() = default;

std::string LagMetrics::Render() {
  if (consumer_config_.empty()) return "";
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (!cached_.empty() && now - computed_at_ < std::chrono::seconds(1)) return cached_;
  cached_ = Compute();
  computed_at_ = now;
  return cached_;
}

std::string LagMetrics::Compute() {
  std::string out =
      "# HELP hgcluster_replication_lag_messages Messages of this mirror's consumer group not "
      "yet applied, per partition.\n"
      "# TYPE hgcluster_replication_lag_messages gauge\n";
  std::string seconds =
      "# HELP hgcluster_replication_lag_seconds Age of the oldest message not yet applied "
      "(0 in sync), per partition.\n"
      "# TYPE hgcluster_replication_lag_seconds gauge\n";
  bool ok = false;
  try {
    if (!log_) {
      ConsumerConfig config = ConsumerConfig::Load(consumer_config_);
      topic_ = config.topic;
      group_ = config.group;
      log_ = OpenLog(config.log_url, "hgcluster-web");
    }
    double now = WallNow();
    for (const auto& p : ComputeLag(*log_, topic_, group_, now)) {
      std::string labels =
          fmt::format("group=\"{}\",topic=\"{}\",partition=\"{}\"", group_, topic_, p.partition);
      out += fmt::format("hgcluster_replication_lag_messages{{{}}} {}\n", labels,
                         std::max<int64_t>(0, p.available - p.offset));
      if (p.lag_seconds) {
        seconds +=
            fmt::format("hgcluster_replication_lag_seconds{{{}}} {:.3f}\n", labels, *p.lag_seconds);
      }
    }
    ok = true;
  } catch (const std::exception& e) {
    LogLine("hgcluster.web", fmt::format("replication lag unavailable: {}", e.what()));
    log_.reset();
  }
  return out + seconds +
         "# HELP hgcluster_replication_lag_available Whether the lag could be read from the "
         "log.\n# TYPE hgcluster_replication_lag_available gauge\n" +
         fmt::format("hgcluster_replication_lag_available {}\n", ok ? 1 : 0);
}

}  // namespace hgc
