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

EpochFence::Verdict EpochFence::Admit(int partition, const nlohmann::json& body) {
  auto it = body.find("_master_epoch");
  if (it == body.end() || !it->is_number_integer()) return {};
  int64_t epoch = it->get<int64_t>();
  // Aggregated topics merge the leader's partitions by time; each source
  // partition's order is kept, so the fence follows the source partition.
  if (auto op = body.find("_original_partition"); op != body.end() && op->is_number_integer()) {
    partition = op->get<int>();
  }
  int64_t highest = Highest(partition);
  if (epoch < highest) {
    std::string name = body.value("name", "message");
    std::string what = fmt::format("{} from deposed master {} (epoch {}; partition {} is at epoch {})",
                                   name, body.value("_master_host", "?"), epoch, partition,
                                   highest);
    if (name.rfind("hg-changegroup-", 0) == 0) {
      return {false, "applying " + what + ": its changesets are in the shared repository"};
    }
    std::string line = "dropping " + what;
    if (body.contains("path") && name != "heartbeat-1") {
      line += fmt::format("; to replicate what it wrote, run `hg replicatesync` in {} on the "
                          "master",
                          body["path"].is_string() ? body["path"].get<std::string>() : "?");
    }
    return {true, line};
  }
  if (epoch > highest) {
    highest_[partition] = epoch;
    if (!state_file_.empty()) {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [p, e] : highest_) j[std::to_string(p)] = e;
      WriteFileAtomic(state_file_, j.dump() + "\n");
    }
  }
  return {};
}

}  // namespace hgc
