#include "consumer/lag.h"

#include <algorithm>

#include "common/error.h"
#include "message/message.h"

namespace hgc {

std::vector<PartitionLag> ComputeLag(Log& log, const std::string& topic, const std::string& group,
                                     double now) {
  int n = log.PartitionCount(topic);
  std::vector<int> parts;
  for (int i = 0; i < n; ++i) parts.push_back(i);
  auto committed = log.Committed(group, topic, parts);
  std::vector<PartitionLag> out;
  for (int p : parts) {
    PartitionLag lag;
    lag.partition = p;
    lag.offset = committed.count(p) ? committed[p] : 0;
    lag.available = log.GetWatermarks(topic, p).high;
    if (lag.offset >= lag.available) {
      lag.lag_seconds = 0.0;
    } else {
      try {
        auto cursor = log.OpenCursor({{topic, p, lag.offset}});
        auto records = cursor->Poll(1, std::chrono::milliseconds(2000));
        if (!records.empty()) lag.lag_seconds = now - DecodeMessage(records[0].value).created;
      } catch (const Error&) {
      }
    }
    out.push_back(lag);
  }
  return out;
}

std::string TabulateSimple(const std::vector<std::string>& headers,
                           const std::vector<std::vector<std::string>>& rows,
                           const std::vector<bool>& numeric) {
  std::vector<size_t> width;
  for (size_t c = 0; c < headers.size(); ++c) {
    size_t w = headers[c].size() + 2;
    for (const auto& r : rows) w = std::max(w, r[c].size());
    width.push_back(w);
  }
  auto cell = [&](const std::string& s, size_t c) {
    std::string pad(width[c] - std::min(width[c], s.size()), ' ');
    return numeric[c] ? pad + s : s + pad;
  };
  std::string out;
  auto line = [&](const std::vector<std::string>& r) {
    std::string l;
    for (size_t c = 0; c < r.size(); ++c) l += (c ? "  " : "") + cell(r[c], c);
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(headers);
  std::vector<std::string> rule;
  for (size_t c = 0; c < headers.size(); ++c) rule.push_back(std::string(width[c], '-'));
  line(rule);
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace hgc
