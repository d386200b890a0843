#include "bootstrap/bootstrap_log.h"

#include <ctime>
#include <mutex>

namespace hgc {

void BootstrapLog(std::FILE* stream, const std::string& message) {
  static std::mutex mu;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);
  std::lock_guard lock(mu);
  std::fprintf(stream, "%s vcsreplicator.bootstrap %s\n", stamp, message.c_str());
  std::fflush(stream);
}

}  // namespace hgc
