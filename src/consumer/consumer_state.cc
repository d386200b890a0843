#include "consumer/consumer_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "common/error.h"
#include "hg/repo_state.h"

namespace hgc {

std::string ConsumerStateFile(const std::string& state_dir, const std::string& group,
                              bool heads_consumer) {
  return fmt::format("{}/{}-{}.json", state_dir, heads_consumer ? "heads" : "consumer", group);
}

nlohmann::json ParkedRepoToJson(const ParkedRepo& p) {
  return {{"repo", p.repo},       {"partition", p.partition}, {"offset", p.offset},
          {"attempts", p.attempts}, {"error", p.error},         {"since", p.since}};
}

nlohmann::json LostRangeToJson(const LostRange& l) {
  return {{"partition", l.partition}, {"from", l.from}, {"to", l.to}, {"since", l.since}};
}

std::string DescribeLostRange(const LostRange& l, const std::string& topic,
                              const std::string& config) {
  return fmt::format(
      "partition {} of {}: offsets {} to {} ({} events) were deleted by the log's retention "
      "before this consumer applied them; it stopped applying partition {} so that nothing is "
      "skipped silently. Recover: stop the consumer, rebuild from the leader (`hgcluster "
      "bootstrap hgssh` there, then `hgcluster bootstrap hgweb {} DOC` here), start it again; "
      "or run `hg replicatesync` in the leader's repositories of partition {}, then `hgcluster "
      "consume {} --accept-lost` and start it again",
      l.partition, topic, l.from, l.to - 1, l.to - l.from, l.partition, config, l.partition,
      config);
}

std::string FormatConsumerState(const ConsumerState& state) {
  nlohmann::json parked = nlohmann::json::array();
  for (const auto& p : state.parked) {
    parked.push_back(ParkedRepoToJson(p));
  }
  nlohmann::json lost = nlohmann::json::array();
  for (const auto& l : state.lost) lost.push_back(LostRangeToJson(l));
  nlohmann::json json = {{"lost", lost}, {"parked", parked}, {"updated", state.updated}};
  return json.dump(2) + "\n";
}

ConsumerState ParseConsumerState(const std::string& text) {
  ConsumerState state;
  try {
    auto json = nlohmann::json::parse(text);
    if (!json.is_object()) throw Error(ErrorKind::kMalformed, "not a JSON object");
    for (const auto& p : json.value("parked", nlohmann::json::array())) {
      ParkedRepo r;
      r.repo = p.at("repo").get<std::string>();
      r.partition = p.at("partition").get<int>();
      r.offset = p.at("offset").get<int64_t>();
      r.attempts = p.value("attempts", int64_t{0});
      r.error = p.value("error", std::string());
      r.since = p.value("since", 0.0);
      state.parked.push_back(std::move(r));
    }
    for (const auto& l : json.value("lost", nlohmann::json::array())) {
      LostRange r;
      r.partition = l.at("partition").get<int>();
      r.from = l.at("from").get<int64_t>();
      r.to = l.at("to").get<int64_t>();
      r.since = l.value("since", 0.0);
      state.lost.push_back(r);
    }
    state.updated = json.value("updated", 0.0);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kMalformed, e.what());
  }
  std::sort(state.parked.begin(), state.parked.end(),
            [](const ParkedRepo& a, const ParkedRepo& b) {
              return std::tie(a.partition, a.offset, a.repo) <
                     std::tie(b.partition, b.offset, b.repo);
            });
  std::sort(state.lost.begin(), state.lost.end(), [](const LostRange& a, const LostRange& b) {
    return std::tie(a.partition, a.from) < std::tie(b.partition, b.from);
  });
  return state;
}

void WriteConsumerState(const std::string& path, const ConsumerState& state) {
  WriteFileAtomic(path, FormatConsumerState(state));
}

ConsumerStateRead ReadConsumerState(const std::string& path) {
  ConsumerStateRead read;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return read;
  read.exists = true;
  std::ifstream in(path);
  if (!in) {
    read.error = "cannot open the file";
    return read;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    read.state = ParseConsumerState(text.str());
  } catch (const Error& e) {
    read.error = e.what();
  }
  return read;
}

}  // namespace hgc
