#include "layout/cluster_layout.h"

#include <fmt/format.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "hg/repo_state.h"

namespace hgc {

ClusterLayout ClusterLayout::At(const std::string& root_option) {
  std::string root = root_option;
  if (root.empty()) {
    const char* env = std::getenv("HGCLUSTER_ROOT");
    root = env && *env ? env : std::filesystem::current_path().string();
  }
  return ClusterLayout{std::filesystem::weakly_canonical(std::filesystem::absolute(root)).string()};
}

ClusterState ClusterLayout::LoadState() const {
  std::string text = ReadFileOrEmpty(state_file());
  if (text.empty()) {
    throw Error(ErrorKind::kNotFound,
                fmt::format("no cluster at {} (no cluster.json); start one with "
                            "`hgcluster up --root {}` or pass --root / set HGCLUSTER_ROOT",
                            root, root));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{} is not valid JSON: {}", state_file(), e.what()));
  }
  return ClusterStateFromJson(j);
}

void ClusterLayout::SaveState(const ClusterState& state) const {
  WriteFileAtomic(state_file(), ToJson(state).dump(2) + "\n");
}

std::string LeaderHgrcPath(const ClusterLayout& layout) {
  return "/etc/mercurial/hgrc:/etc/mercurial/hgrc.d:" + layout.leader_hgrc();
}

bool ProcessAlive(int pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A zombie child of ours still answers kill(0); check its state.
  std::string stat = ReadFileOrEmpty(fmt::format("/proc/{}/stat", pid));
  auto close_paren = stat.rfind(')');
  if (close_paren != std::string::npos && close_paren + 2 < stat.size() &&
      stat[close_paren + 2] == 'Z') {
    return false;
  }
  return true;
}

}  // namespace hgc
