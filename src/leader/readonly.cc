#include "leader/readonly.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/error.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "master/act_as_master.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

// Content of `path` stripped, or nullopt when it does not exist.
std::optional<std::string> ReadReason(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || !fs::exists(path)) return std::nullopt;
    throw Error(ErrorKind::kIo, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::string();
  size_t e = text.find_last_not_of(" \t\r\n");
  return text.substr(b, e - b + 1);
}

}  // namespace

std::optional<std::vector<std::string>> ReadOnlyRefusal(const std::string& repo_root,
                                                        const std::string& global_reason_file,
                                                        const std::string& what) {
  std::vector<std::string> lines;
  if (auto reason = ReadReason(repo_root + "/.hg/readonlyreason")) {
    lines.push_back("repository is read only");
    if (!reason->empty()) lines.push_back(*reason);
  } else if (!global_reason_file.empty()) {
    if (auto global = ReadReason(global_reason_file)) {
      lines.push_back("all repositories currently read only");
      if (!global->empty()) lines.push_back(*global);
    }
  }
  if (lines.empty()) return std::nullopt;
  lines.push_back("refusing to " + what);
  return lines;
}

namespace {

struct ReadonlyOptions {
  std::string root;
  std::string repo;
  bool all = false;
  bool off = false;
  std::string reason;
};

int RunReadonly(const ReadonlyOptions& o) {
  ClusterLayout layout = ClusterLayoutAsMaster(o.root);
  if (o.all == !o.repo.empty()) {
    std::cerr << "hgcluster readonly: give either a repository name or --all" << std::endl;
    return 2;
  }
  std::string path;
  if (o.all) {
    path = layout.leader_dir() + "/readonlyreason";
  } else {
    std::string repo = layout.leader_repos() + "/" + o.repo;
    if (!fs::exists(repo + "/.hg")) {
      std::cerr << "hgcluster readonly: no repository " << o.repo << " on the leader (" << repo
                << ")" << std::endl;
      return 1;
    }
    path = repo + "/.hg/readonlyreason";
  }
  std::string what = o.all ? "all repositories" : o.repo;
  if (o.off) {
    std::error_code ec;
    bool removed = fs::remove(path, ec);
    if (ec) {
      std::cerr << "hgcluster readonly: cannot remove " << path << ": " << ec.message()
                << std::endl;
      return 1;
    }
    std::cout << (removed ? what + " writable again" : what + " was not read-only") << " (" << path
              << ")" << std::endl;
    return 0;
  }
  WriteFileAtomic(path, o.reason.empty() ? "" : o.reason + "\n");
  std::cout << what << " now read-only" << (o.reason.empty() ? "" : ": " + o.reason) << " (" << path
            << ")" << std::endl;
  return 0;
}

}  // namespace

void RegisterReadonlyCommand(CLI::App& app) {
  auto o = std::make_shared<ReadonlyOptions>();
  auto* cmd = app.add_subcommand(
      "readonly", "refuse pushes to one repository (or --all) with a reason; --off to allow again");
  cmd->add_option("--root", o->root, "cluster directory (default: $HGCLUSTER_ROOT, else cwd)");
  cmd->add_option("repo", o->repo, "repository name on the leader, e.g. mozilla-central");
  cmd->add_flag("--all", o->all, "every repository (the global reason file)");
  cmd->add_option("--reason", o->reason, "text shown to people who push");
  cmd->add_flag("--off", o->off, "make it writable again");
  cmd->callback([o] {
    int status;
    try {
      status = RunReadonly(*o);
    } catch (const Error& e) {
      std::cerr << "hgcluster readonly: " << e.what() << std::endl;
      status = 1;
    }
    throw CLI::RuntimeError(status);
  });
}

}  // namespace hgc
