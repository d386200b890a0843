// Lag of a consumer group per partition: committed offset, available (high
// watermark) and how old the first unconsumed message is. The message is read
// at its absolute offset (the reference seeks relative to the oldest stored
// offset, which is wrong once retention removed the head of the log).
// Thread-safety: pure function of the log.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "log/log.h"

namespace hgc {

struct PartitionLag {
  int partition = 0;
  int64_t offset = 0;                 // committed (0 if none)
  int64_t available = 0;              // high watermark
  std::optional<double> lag_seconds;  // 0 when in sync; nullopt if undeterminable
};

std::vector<PartitionLag> ComputeLag(Log& log, const std::string& topic, const std::string& group,
                                     double now);

// Python tabulate's "simple" format, which the reference's print-offsets uses.
// `numeric` columns are right-aligned on the decimal point; a column holding
// any non-number is text for tabulate (left-aligned), so pass false for it.
std::string TabulateSimple(const std::vector<std::string>& headers,
                           const std::vector<std::vector<std::string>>& rows,
                           const std::vector<bool>& numeric);

}  // namespace hgc
