#include "consumer/offsets_table.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <sstream>

#include "common/clock.h"
#include "common/error.h"
#include "consumer/consumer_config.h"
#include "consumer/lag.h"
#include "message/python_repr.h"

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
    double now = WallNow();
    std::vector<PartitionLag> lags;
    std::vector<std::string> row_groups;
    bool any_error = false;
    for (const auto& group : groups) {
      for (const auto& lag : ComputeLag(*log, c.topic, group, now)) {
        lags.push_back(lag);
        row_groups.push_back(group);
        if (!lag.lag_seconds) any_error = true;
      }
    }
    // tabulate types the lag column: all floats -> format "g", right-aligned
    // on the decimal point ("0.0" prints as "0"); one "error" cell makes it a
    // text column -> str() of each float ("0.0"), left-aligned.
    std::vector<std::vector<std::string>> rows;
    for (size_t i = 0; i < lags.size(); ++i) {
      const auto& lag = lags[i];
      std::string seconds;
      if (!lag.lag_seconds) {
        seconds = "error";
      } else if (any_error) {
        seconds = PythonFloatRepr(*lag.lag_seconds);
      } else {
        seconds = fmt::format("{:g}", *lag.lag_seconds);  // Python's format(x, "g")
      }
      rows.push_back({c.topic, row_groups[i], std::to_string(lag.partition),
                      std::to_string(lag.offset), std::to_string(lag.available), seconds});
    }
    std::cout << TabulateSimple({"topic", "group", "partition", "offset", "available", "lag (s)"},
                                rows, {false, false, true, true, true, !any_error});
    return 0;
  } catch (const Error& e) {
    std::cerr << "abort: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace hgc
