#include "bootstrap/hgssh_document.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "message/message.h"

namespace hgc {

std::string ToText(const HgsshDocument& document) {
  nlohmann::json offsets = nlohmann::json::object();
  for (const auto& r : document.ranges) offsets[std::to_string(r.partition)] = {r.start, r.end};
  return PythonJsonDumps({{"offsets", offsets}, {"repositories", document.repositories}});
}

HgsshDocument ParseHgsshDocument(const std::string& text, const std::string& origin) {
  HgsshDocument doc;
  try {
    auto j = nlohmann::json::parse(text);
    for (const auto& [key, value] : j.at("offsets").items()) {
      size_t used = 0;
      int partition = std::stoi(key, &used);
      if (used != key.size() || partition < 0) throw std::invalid_argument("partition " + key);
      PartitionRange r{partition, value.at(0).get<int64_t>(), value.at(1).get<int64_t>()};
      if (value.size() != 2 || r.start < 0 || r.start > r.end) {
        throw std::invalid_argument(fmt::format("partition {}: range {}", key, value.dump()));
      }
      doc.ranges.push_back(r);
    }
    doc.repositories = j.at("repositories").get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("{} is not an hgssh bootstrap document ({{\"offsets\": {{\"<partition>"
                            "\": [start, end]}}, \"repositories\": [...]}}): {}",
                            origin, e.what()));
  }
  std::sort(
      doc.ranges.begin(), doc.ranges.end(),
      [](const PartitionRange& a, const PartitionRange& b) { return a.partition < b.partition; });
  for (size_t i = 1; i < doc.ranges.size(); ++i) {
    if (doc.ranges[i].partition == doc.ranges[i - 1].partition) {
      throw Error(ErrorKind::kMalformed,
                  fmt::format("{}: partition {} is listed twice", origin, doc.ranges[i].partition));
    }
  }
  return doc;
}

}  // namespace hgc
