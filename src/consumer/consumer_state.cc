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

std::string FormatConsumerState(const ConsumerState& state) {
  nlohmann::json parked = nlohmann::json::array();
  for (const auto& p : state.parked) {
    parked.push_back(ParkedRepoToJson(p));
  }
  nlohmann::json json = {{"parked", parked}, {"updated", state.updated}};
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
    state.updated = json.value("updated", 0.0);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kMalformed, e.what());
  }
  std::sort(state.parked.begin(), state.parked.end(),
            [](const ParkedRepo& a, const ParkedRepo& b) {
              return std::tie(a.partition, a.offset, a.repo) <
                     std::tie(b.partition, b.offset, b.repo);
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
