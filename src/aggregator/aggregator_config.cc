#include "aggregator/aggregator_config.h"

#include <fmt/format.h>

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

}  // namespace hgc
