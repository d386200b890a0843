#include "master/act_as_master.h"

#include <cstdlib>
#include <filesystem>

#include "common/clock.h"
#include "master/master_state.h"

namespace hgc {

void ActAsMasterHost(const ClusterLayout& layout) {
  const char* env = std::getenv("HGCLUSTER_HOST");
  if (env && *env) return;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(layout.master_state_dir(), ec)) {
    if (entry.path().extension() != ".json") continue;
    auto state = ReadMasterState(entry.path().string());
    if (state && state->Holds(WallNow()) && ProcessAlive(state->monitor_pid)) {
      setenv("HGCLUSTER_HOST", state->host.c_str(), 1);
      return;
    }
  }
}

ClusterLayout ClusterLayoutAsMaster(const std::string& root_option) {
  ClusterLayout layout = ClusterLayout::At(root_option);
  ActAsMasterHost(layout);
  return layout;
}

}  // namespace hgc
