#include "consumer/heads_applier.h"

#include <fmt/format.h>

#include <filesystem>

#include "common/logline.h"
#include "hg/replicated_data.h"
#include "routing/confined_path.h"

namespace hgc {

HeadsApplier::HeadsApplier(const ConsumerConfig& config, std::string logger)
    : config_(config), logger_(std::move(logger)) {}

void HeadsApplier::Apply(const Message& m, int partition, int64_t offset) {
  if (m.type != MessageType::kHeads) return;
  std::string local = ConfineWirePath(config_.path_rewrites, m.path, config_.allow_symlinks).local;
  if (!std::filesystem::exists(local + "/.hg")) {
    // Deleted since, or never replicated here: nothing to expose.
    LogLine(logger_, fmt::format("repository {} does not exist; ignoring heads for it", local));
    return;
  }
  LogLine(logger_, "updating replicated data for " + local);
  WriteReplicatedData(local, EncodeReplicatedData(m.heads, m.last_push_id));
  LogLine(logger_, fmt::format("{}/.hg/replicated-data wrote with {} heads successfully; last push "
                               "id: {}",
                               local, m.heads.size(),
                               m.last_push_id ? std::to_string(*m.last_push_id) : "None"));
}

}  // namespace hgc
