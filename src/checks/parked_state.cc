#include "checks/parked_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

namespace hgc {

std::string ConsumerStateFile(const std::string& state_dir, const std::string& group) {
  return fmt::format("{}/consumer-{}.json", state_dir, group);
}

ParkedState ReadParkedState(const std::string& state_file) {
  ParkedState state;
  std::error_code ec;
  if (!std::filesystem::exists(state_file, ec)) return state;
  std::ifstream in(state_file);
  if (!in) {
    state.error = "cannot open the file";
    return state;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    auto json = nlohmann::json::parse(text.str());
    for (const auto& p : json.value("parked", nlohmann::json::array())) {
      ParkedEntry e;
      e.repo = p.at("repo").get<std::string>();
      e.partition = p.at("partition").get<int>();
      e.offset = p.at("offset").get<int64_t>();
      e.attempts = p.value("attempts", int64_t{0});
      e.error = p.value("error", std::string());
      state.entries.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    state.entries.clear();
    state.error = e.what();
    return state;
  }
  std::sort(
      state.entries.begin(), state.entries.end(), [](const ParkedEntry& a, const ParkedEntry& b) {
        return std::tie(a.partition, a.offset, a.repo) < std::tie(b.partition, b.offset, b.repo);
      });
  return state;
}

}  // namespace hgc
