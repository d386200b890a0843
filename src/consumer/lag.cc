#include "consumer/lag.h"

#include <algorithm>
#include <cstdlib>

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

namespace {

// tabulate's _afterpoint: digits after the decimal point (or after the
// exponent mark when there is no point) of a non-integer number, else -1.
int AfterPoint(const std::string& s) {
  if (s.empty()) return -1;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return -1;  // not a number
  std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() + s.size()) return -1;  // an integer
  size_t pos = s.rfind('.');
  if (pos == std::string::npos) pos = s.find_last_of("eE");
  if (pos == std::string::npos) return -1;
  return static_cast<int>(s.size() - pos - 1);
}

}  // namespace

std::string TabulateSimple(const std::vector<std::string>& headers,
                           const std::vector<std::vector<std::string>>& rows,
                           const std::vector<bool>& numeric) {
  // Numeric columns are aligned on the decimal point (tabulate's default
  // numalign="decimal"): cells get trailing spaces up to the column's longest
  // fractional part, then the column is right-aligned.
  std::vector<std::vector<std::string>> cells = rows;
  for (size_t c = 0; c < headers.size(); ++c) {
    if (!numeric[c] || cells.empty()) continue;
    int most = -1;
    for (const auto& r : cells) most = std::max(most, AfterPoint(r[c]));
    for (auto& r : cells) r[c] += std::string(static_cast<size_t>(most - AfterPoint(r[c])), ' ');
  }
  std::vector<size_t> width;
  for (size_t c = 0; c < headers.size(); ++c) {
    size_t w = headers[c].size() + 2;
    for (const auto& r : cells) w = std::max(w, r[c].size());
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
  for (const auto& r : cells) line(r);
  return out;
}

}  // namespace hgc
