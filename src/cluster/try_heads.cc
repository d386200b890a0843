#include "cluster/try_heads.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/error.h"
#include "common/subprocess.h"
#include "hg/cmdserver.h"
#include "hg/hg_runner.h"
#include "layout/cluster_layout.h"
#include "master/act_as_master.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMergeable =
    "head() and branch(default) and not public() and not ancestors({})";

constexpr const char* kMergeUser = "Try head merge <hgcluster@localhost>";

// hg with no configuration but the repository's: the leader repository
// brings its own hooks (.hg/hgrc-not-shared), which the work clone must not
// run.
std::unique_ptr<HgRunner> MergeHg(const std::string& hg = "hg") {
  HgProcessOptions o;
  o.hg = hg;
  o.env = {{"HGUSER", kMergeUser}};
  return MakeProcessHgRunner(o);
}

ProcessResult HgOrThrow(HgRunner& hg, const std::string& repo,
                        const std::vector<std::string>& args) {
  ProcessResult r = hg.Run(repo, args);
  if (!r.ok()) {
    std::string shown;
    for (const auto& a : args) shown += " " + a;
    throw Error(ErrorKind::kHgFailed, fmt::format("hg{} failed: {}{}", shown, r.out, r.err));
  }
  return r;
}

int64_t CountHeads(const std::string& repo, const std::string& hg) {
  ProcessResult r = MergeHg(hg)->Run(repo, {"log", "-r", "head()", "-T", "x"});
  if (!r.ok()) throw Error(ErrorKind::kHgFailed, "cannot count heads of " + repo + ": " + r.err);
  return static_cast<int64_t>(r.out.size());
}

std::string LeaderRepo(const std::string& root, const std::string& name) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  std::string path = layout.leader_repos() + "/" + name;
  if (!fs::exists(path + "/.hg")) {
    throw Error(ErrorKind::kNotFound, fmt::format("no repository {} on the leader", name));
  }
  return path;
}

int Prune(const std::string& root, const std::string& name, const std::string& into, bool push) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  std::string leader = LeaderRepo(root, name);
  std::string work = layout.root + "/tmp/try-heads-" + std::to_string(::getpid());
  fs::remove_all(work);
  fs::create_directories(fs::path(work).parent_path());
  std::cout << "cloning " << leader << " into " << work << std::endl;
  auto plain = MergeHg();
  HgOrThrow(*plain, "", {"clone", "-q", "-U", "--", leader, work});
  std::string target = HgOrThrow(*plain, work, {"log", "-r", into, "-T", "{node}\n"}).out;
  if (target.size() != 41) {
    throw Error(ErrorKind::kUsage, fmt::format("--into {} must name exactly one revision", into));
  }
  target.pop_back();
  ProcessResult heads_out = HgOrThrow(
      *plain, work, {"log", "-r", fmt::format(fmt::runtime(kMergeable), target), "-T", "{node}\n"});
  std::vector<std::string> heads;
  std::istringstream in(heads_out.out);
  for (std::string line; std::getline(in, line);) {
    if (line.size() == 40) heads.push_back(line);
  }
  std::cout << heads.size() << " heads to merge into " << target.substr(0, 12) << std::endl;
  if (heads.empty()) {
    fs::remove_all(work);
    return 0;
  }
  HgOrThrow(*plain, work, {"update", "-q", "-r", target});
  // The runbook's loop (debugsetparents + commit), in one hg process.
  auto server = MakeCmdServerHgRunner("hg", "", {std::string("ui.username=") + kMergeUser}, 1);
  size_t done = 0;
  for (const auto& head : heads) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"debugsetparents", ".", head},
          std::vector<std::string>{"commit", "-q", "-m", "Merge try head"}}) {
      ProcessResult r = server->Run(work, args);
      if (!r.ok()) {
        throw Error(ErrorKind::kHgFailed,
                    fmt::format("hg {} failed after {} merges: {}{}", args[0], done, r.out, r.err));
      }
    }
    if (++done % 100 == 0) std::cout << "  merged " << done << " heads" << std::endl;
  }
  std::string tip = server->Run(work, {"log", "-r", ".", "-T", "{node}"}).out;
  std::cout << "merged " << done << " heads; tip " << tip.substr(0, 12) << std::endl;
  if (!push) {
    std::cout << "push with: hg -R " << work << " push -r " << tip << " " << leader << std::endl;
    return 0;
  }
  ProcessResult pushed = plain->Run(work, {"push", "-r", tip, "--", leader});
  std::cout << pushed.out;
  if (!pushed.ok()) {
    throw Error(ErrorKind::kHgFailed, "push to the leader failed: " + pushed.err);
  }
  fs::remove_all(work);
  std::cout << name << " now has " << CountHeads(leader, "hg") << " heads" << std::endl;
  return 0;
}

}  // namespace

void RegisterTryHeadsCommands(CLI::App& app) {
  auto root = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto into = std::make_shared<std::string>();
  auto no_push = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("try-heads", "count or prune the draft heads of a repository");
  cmd->require_subcommand(1);
  auto* count = cmd->add_subcommand("count", "number of head() revisions");
  count->add_option("--root", *root, "cluster directory");
  count->add_option("name", *name, "repository name on the leader")->required();
  count->callback([=] {
    try {
      std::cout << CountHeads(LeaderRepo(*root, *name), "hg") << std::endl;
    } catch (const Error& e) {
      std::cerr << "hgcluster try-heads count: " << e.what() << std::endl;
      throw CLI::RuntimeError(1);
    }
  });
  auto* prune = cmd->add_subcommand(
      "prune", "merge every draft default-branch head into REV (files stay REV's) and push");
  prune->add_option("--root", *root, "cluster directory");
  prune->add_option("name", *name, "repository name on the leader")->required();
  prune->add_option("--into", *into, "revision to merge into, e.g. a recent central")->required();
  prune->add_flag("--no-push", *no_push, "leave the merges in the work clone, print the push");
  prune->callback([=] {
    int status;
    try {
      status = Prune(*root, *name, *into, !*no_push);
    } catch (const Error& e) {
      std::cerr << "hgcluster try-heads prune: " << e.what() << std::endl;
      status = 1;
    }
    throw CLI::RuntimeError(status);
  });

  // check_try_heads [-w warn] [-c crit] [-r repo] [-h hg]
  auto* check = app.add_subcommand("check_try_heads", "Nagios check of a repository's head count");
  check->allow_extras();
  check->set_help_flag();  // -h is the hg path, as in the reference
  check->prefix_command();
  check->callback([check] {
    int64_t warn = 40000, crit = 50000;
    std::string repo = "/repo/hg/mozilla/try", hg = "hg";
    auto args = check->remaining();
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      bool has_value = i + 1 < args.size();
      if ((a == "-w" || a == "-c" || a == "-r" || a == "-h") && has_value) {
        const std::string& v = args[++i];
        try {
          if (a == "-w") warn = std::stoll(v);
          if (a == "-c") crit = std::stoll(v);
        } catch (const std::exception&) {
          std::cerr << "check_try_heads: " << a << " needs a number" << std::endl;
          throw CLI::RuntimeError(1);
        }
        if (a == "-r") repo = v;
        if (a == "-h") hg = v;
      } else {
        std::cerr << "check_try_heads: unknown option" << std::endl;
        throw CLI::RuntimeError(1);
      }
    }
    int64_t n;
    try {
      n = CountHeads(repo, hg);
    } catch (const Error& e) {
      std::cout << "UNKNOWN - " << e.what() << std::endl;
      throw CLI::RuntimeError(3);
    }
    int status = n >= crit ? 2 : n >= warn ? 1 : 0;
    const char* word = status == 2 ? "CRITICAL" : status == 1 ? "WARNING" : "OK";
    std::cout << word << " - " << repo << " has " << n << " heads" << std::endl;
    throw CLI::RuntimeError(status);
  });
}

}  // namespace hgc
