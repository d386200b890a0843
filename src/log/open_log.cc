// Chooses a log backend from a URL.
#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "common/error.h"
#include "log/embedded_log.h"
#include "log/kafka_log.h"
#include "log/log.h"

namespace hgc {

void Log::WaitForChange(std::chrono::milliseconds timeout) {
  std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(50)));
}

std::unique_ptr<Log> OpenLog(const std::string& url, const std::string& client_id) {
  if (url.rfind("kafka://", 0) == 0) return OpenKafkaLog(url.substr(8), client_id);
  std::string path;
  if (url.rfind("sqlite://", 0) == 0)
    path = url.substr(9);
  else if (!url.empty() && url.find("://") == std::string::npos)
    path = url;
  if (!path.empty() && path.front() == '/') return OpenEmbeddedLog(path);
  if (!path.empty()) {
    // Hooks run in each repository's directory: a relative path would name a
    // different database for every process.
    throw Error(ErrorKind::kConfig, fmt::format("log path '{}' is relative; use an absolute path "
                                                "(sqlite:///abs/path/log.db) or kafka://host:port",
                                                path));
  }
  throw Error(ErrorKind::kConfig,
              fmt::format("unsupported log URL '{}': use sqlite:///path/to/log.db or "
                          "kafka://host:port[,host:port]",
                          url));
}

}  // namespace hgc
