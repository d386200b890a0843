#include "common/logline.h"

#include <cstdio>
#include <mutex>

namespace hgc {

void LogLine(const std::string& logger, const std::string& message) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fputs(logger.c_str(), stdout);
  std::fputc(' ', stdout);
  std::fputs(message.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace hgc
