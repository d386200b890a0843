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

std::string ToIni(const AggregatorConfig& c, const std::string& comment) {
  return fmt::format(
      "# {}\n"
      "[aggregator]\n"
      "log = {}\n"
      "client_id = {}\n"
      "monitor_topic = {}\n"
      "monitor_groups_file = {}\n"
      "ack_group = {}\n"
      "aggregate_topic = {}\n",
      comment, c.log_url, c.client_id, c.monitor_topic, c.monitor_groups_file, c.ack_group,
      c.aggregate_topic);
}

}  // namespace hgc
