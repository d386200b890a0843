#include "aggregator/aggregator_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/ini.h"
#include "log/log_url.h"

namespace hgc {

AggregatorConfig AggregatorConfig::Load(const std::string& path) {
  IniFile ini = IniFile::Load(path);
  const std::string s = "aggregator";
  AggregatorConfig c;
  c.path = path;
  c.log_url = LogUrlFromSection(ini, s);
  c.client_id = ini.GetOr(s, "client_id", "pushdataaggregator");
  c.monitor_topic = ini.Require(s, "monitor_topic");
  c.monitor_groups_file = ini.Require(s, "monitor_groups_file");
  c.ack_group = ini.Require(s, "ack_group");
  c.aggregate_topic = ini.Require(s, "aggregate_topic");
  return c;
}

std::vector<std::string> ReadGroupsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw Error(
        ErrorKind::kConfig,
        fmt::format("cannot read groups file {}: list one mirror consumer group per line", path));
  }
  std::vector<std::string> groups;
  std::string line;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t\r");
    size_t e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos) continue;
    groups.push_back(line.substr(b, e - b + 1));
  }
  return groups;
}

}  // namespace hgc
