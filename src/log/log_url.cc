#include "log/log_url.h"

#include <sstream>

namespace hgc {

std::string LogUrlFromSection(const IniFile& ini, const std::string& section) {
  auto log = ini.Get(section, "log");
  if (log && !log->empty()) return *log;
  std::string hosts = ini.Require(section, "hosts");
  for (char& ch : hosts) {
    if (ch == ',') ch = ' ';
  }
  std::istringstream in(hosts);
  std::string brokers;
  for (std::string broker; in >> broker;) brokers += (brokers.empty() ? "" : ",") + broker;
  return "kafka://" + brokers;
}

}  // namespace hgc
