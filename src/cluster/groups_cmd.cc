#include "cluster/groups_cmd.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "common/clock.h"
#include "common/error.h"
#include "consumer/lag.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "log/groups_file.h"
#include "log/log.h"
#include "master/act_as_master.h"

namespace hgc {
namespace {

struct GroupsOptions {
  std::string root;
  std::string group;
  bool force = false;
};

// Messages of pushdata the group has not consumed yet, or nullopt when it
// never committed anything.
std::optional<int64_t> Behind(Log& log, const std::string& group) {
  bool consumed = false;
  int64_t behind = 0;
  for (const auto& p : ComputeLag(log, "pushdata", group, WallNow())) {
    if (p.offset > 0) consumed = true;
    behind += std::max<int64_t>(0, p.available - p.offset);
  }
  if (!consumed) return std::nullopt;
  return behind;
}

void Save(const std::string& path, const std::vector<std::string>& groups) {
  std::string text;
  for (const auto& g : groups) text += g + "\n";
  WriteFileAtomic(path, text);
}

int Run(const std::string& action, const GroupsOptions& o) {
  ClusterLayout layout = ClusterLayoutAsMaster(o.root);
  ClusterState state = layout.LoadState();
  std::string path = layout.groups_file();
  std::vector<std::string> groups = ReadGroupsFile(path);
  auto log = OpenLog(state.log.url, "hgcluster-groups");
  if (action == "list") {
    for (const auto& g : groups) {
      auto behind = Behind(*log, g);
      std::cout << g << "  "
                << (behind ? fmt::format("{} messages behind", *behind) : "never consumed")
                << std::endl;
    }
    return 0;
  }
  bool listed = std::find(groups.begin(), groups.end(), o.group) != groups.end();
  if (o.group.empty() || o.group.find_first_of(" \t\n#") != std::string::npos) {
    std::cerr << "hgcluster groups " << action << ": invalid group name '" << o.group << "'"
              << std::endl;
    return 2;
  }
  if (action == "add") {
    if (listed) {
      std::cout << o.group << " is already listed in " << path << std::endl;
      return 0;
    }
    auto behind = Behind(*log, o.group);
    if (!behind && !o.force) {
      std::cerr << "hgcluster groups add: group " << o.group
                << " has never consumed pushdata; aggregation would wait for it. Start its "
                   "consumer first (or --force)."
                << std::endl;
      return 1;
    }
    groups.push_back(o.group);
    Save(path, groups);
    std::cout << "added " << o.group << " to " << path
              << (behind ? fmt::format(" ({} messages behind)", *behind) : "") << std::endl;
    return 0;
  }
  if (!listed) {
    std::cout << o.group << " is not listed in " << path << std::endl;
    return 0;
  }
  if (groups.size() == 1) {
    std::cerr << "hgcluster groups remove: " << o.group
              << " is the last group; the aggregators need at least one" << std::endl;
    return 1;
  }
  groups.erase(std::find(groups.begin(), groups.end(), o.group));
  Save(path, groups);
  std::cout << "removed " << o.group << " from " << path << "; aggregation no longer waits for it"
            << std::endl;
  return 0;
}

}  // namespace

void RegisterGroupsCommand(CLI::App& app) {
  auto o = std::make_shared<GroupsOptions>();
  auto* cmd = app.add_subcommand(
      "groups", "list or edit the mirror groups the aggregators wait for (the groups file)");
  cmd->require_subcommand(1);
  for (const char* action : {"list", "add", "remove"}) {
    auto* sub = cmd->add_subcommand(action, std::string(action) + " mirror consumer groups");
    sub->add_option("--root", o->root, "cluster directory");
    if (std::string(action) != "list") {
      sub->add_option("group", o->group, "consumer group (a mirror's name)")->required();
    }
    if (std::string(action) == "add") {
      sub->add_flag("--force", o->force, "add even if it never consumed anything");
    }
    std::string a = action;
    sub->callback([o, a] {
      int status;
      try {
        status = Run(a, *o);
      } catch (const Error& e) {
        std::cerr << "hgcluster groups " << a << ": " << e.what() << std::endl;
        status = 1;
      }
      throw CLI::RuntimeError(status);
    });
  }
}

}  // namespace hgc
