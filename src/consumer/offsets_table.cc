#include "consumer/offsets_table.h"

#include <chrono>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "common/error.h"
#include "consumer/consumer_config.h"
#include "consumer/lag.h"

namespace hgc {

int PrintOffsets(const std::string& config_path, const std::string& groups_arg) {
  try {
    ConsumerConfig c = ConsumerConfig::Load(config_path);
    auto log = OpenLog(c.log_url, c.client_id);
    std::vector<std::string> groups;
    std::istringstream in(groups_arg.empty() ? c.group : groups_arg);
    std::string g;
    while (std::getline(in, g, ',')) {
      if (!g.empty()) groups.push_back(g);
    }
    double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::vector<std::vector<std::string>> rows;
    for (const auto& group : groups) {
      for (const auto& lag : ComputeLag(*log, c.topic, group, now)) {
        std::string seconds = "error";
        if (lag.lag_seconds) seconds = *lag.lag_seconds == 0 ? "0" : fmt::format("{:g}", *lag.lag_seconds);
        rows.push_back({c.topic, group, std::to_string(lag.partition), std::to_string(lag.offset),
                        std::to_string(lag.available), seconds});
      }
    }
    std::cout << TabulateSimple({"topic", "group", "partition", "offset", "available", "lag (s)"},
                                rows, {false, false, true, true, true, true});
    return 0;
  } catch (const Error& e) {
    std::cerr << "abort: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace hgc
