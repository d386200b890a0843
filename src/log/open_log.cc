// Chooses a log backend from a URL.
#include <fmt/format.h>

#include "common/error.h"
#include "log/embedded_log.h"
#include "log/kafka_log.h"
#include "log/log.h"

namespace hgc {

std::unique_ptr<Log> OpenLog(const std::string& url, const std::string& client_id) {
  if (url.rfind("kafka://", 0) == 0) return OpenKafkaLog(url.substr(8), client_id);
  if (url.rfind("sqlite://", 0) == 0) return OpenEmbeddedLog(url.substr(9));
  if (!url.empty() && url.find("://") == std::string::npos) return OpenEmbeddedLog(url);
  throw Error(ErrorKind::kConfig,
              fmt::format("unsupported log URL '{}': use sqlite:///path/to/log.db or "
                          "kafka://host:port[,host:port]",
                          url));
}

}  // namespace hgc
