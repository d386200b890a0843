#include "master/epoch_fence.h"

#include <fmt/format.h>

#include "hg/repo_state.h"

namespace hgc {

EpochFence::EpochFence(std::string state_file) : state_file_(std::move(state_file)) {
  if (state_file_.empty()) return;
  std::string text = ReadFileOrEmpty(state_file_);
  if (text.empty()) return;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;  // rewritten at the next raise
  for (const auto& [p, e] : j.items()) {
    if (e.is_number_integer()) highest_[std::stoi(p)] = e.get<int64_t>();
  }
}

int64_t EpochFence::Highest(int partition) const {
  auto it = highest_.find(partition);
  return it == highest_.end() ? 0 : it->second;
}

std::optional<std::string> EpochFence::Admit(int partition, const nlohmann::json& body) {
  auto it = body.find("_master_epoch");
  if (it == body.end() || !it->is_number_integer()) return std::nullopt;
  int64_t epoch = it->get<int64_t>();
  int64_t highest = Highest(partition);
  if (epoch < highest) {
    std::string line =
        fmt::format("dropping {} from deposed master {} (epoch {}; partition {} is at epoch {})",
                    body.value("name", "message"), body.value("_master_host", "?"), epoch,
                    partition, highest);
    if (body.contains("path") && body.value("name", "") != "heartbeat-1") {
      line += fmt::format("; to replicate what it wrote, run `hg replicatesync` in {} on the "
                          "master",
                          body["path"].is_string() ? body["path"].get<std::string>() : "?");
    }
    return line;
  }
  if (epoch > highest) {
    highest_[partition] = epoch;
    if (!state_file_.empty()) {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [p, e] : highest_) j[std::to_string(p)] = e;
      WriteFileAtomic(state_file_, j.dump() + "\n");
    }
  }
  return std::nullopt;
}

}  // namespace hgc
