#include "cluster/fncache.h"

#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/subprocess.h"
#include "hg/changeset.h"
#include "hg/hg_runner.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "layout/cluster_layout.h"
#include "master/act_as_master.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Copies(const std::string& root, const std::string& name,
                                const std::string& repo) {
  if (!repo.empty()) return {fs::absolute(repo).string()};
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  ClusterState state = layout.LoadState();
  std::vector<std::string> copies{layout.leader_repos() + "/" + name};
  for (const auto& m : state.mirrors) copies.push_back(layout.mirror_repos(m.name) + "/" + name);
  return copies;
}

int Check(const std::vector<std::string>& copies) {
  int bad = 0;
  for (const auto& repo : copies) {
    if (!fs::exists(repo + "/.hg")) {
      std::cout << repo << ": no repository" << std::endl;
      continue;
    }
    auto missing = MissingFncacheEntries(repo);
    if (missing.empty()) {
      std::cout << repo << ": fncache OK" << std::endl;
      continue;
    }
    ++bad;
    std::cout << repo << ": fncache is missing " << missing.size()
              << " entries (corrupt):" << std::endl;
    for (const auto& m : missing) std::cout << "  " << m << std::endl;
  }
  if (bad) std::cout << "repair with: hgcluster fncache rebuild ..." << std::endl;
  return bad ? 1 : 0;
}

int Rebuild(const std::vector<std::string>& copies) {
  for (const auto& repo : copies) {
    if (!fs::exists(repo + "/.hg")) continue;
    std::string fncache = repo + "/.hg/store/fncache";
    if (fs::exists(fncache)) {
      std::time_t t = std::time(nullptr);
      std::string backup = fmt::format("{}.bak-{}", fncache, static_cast<long long>(t));
      fs::copy_file(fncache, backup, fs::copy_options::overwrite_existing);
      std::cout << repo << ": saved " << backup << std::endl;
    }
    ProcessResult r = PlainHg()->Run(repo, {"debugrebuildfncache"});
    std::cout << r.out;
    if (!r.ok()) {
      std::cerr << repo << ": hg debugrebuildfncache failed: " << r.err;
      return 1;
    }
    std::cout << repo << ": fncache rebuilt" << std::endl;
  }
  return 0;
}

}  // namespace

std::vector<std::string> MissingFncacheEntries(const std::string& repo_root) {
  std::string requires_text = ReadFileOrEmpty(repo_root + "/.hg/requires") +
                              ReadFileOrEmpty(repo_root + "/.hg/store/requires");
  if (requires_text.find("fncache") == std::string::npos) return {};
  std::set<std::string> listed;
  std::istringstream in(ReadFileOrEmpty(repo_root + "/.hg/store/fncache"));
  for (std::string line; std::getline(in, line);) listed.insert(line);
  ChangelogIndex index = ChangelogIndex::Load(repo_root);
  std::set<std::string> missing;
  for (int r = 0; r <= index.tip_rev(); ++r) {
    for (const auto& f : ParseChangeset(index.RevisionText(r)).files) {
      std::string entry = "data/" + f + ".i";
      if (!listed.count(entry)) missing.insert(entry);
    }
  }
  return {missing.begin(), missing.end()};
}

void RegisterFncacheCommand(CLI::App& app) {
  auto root = std::make_shared<std::string>();
  auto repo = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("fncache", "check or rebuild a repository's .hg/store/fncache");
  cmd->require_subcommand(1);
  for (const char* action : {"check", "rebuild"}) {
    auto* sub = cmd->add_subcommand(action, std::string(action) == "check"
                                                ? "list data/<path>.i entries missing from it"
                                                : "back it up and run hg debugrebuildfncache");
    sub->add_option("--root", *root, "cluster directory: handle the leader's and mirrors' copies");
    sub->add_option("--repo", *repo, "one repository directory instead");
    sub->add_option("name", *name, "repository name in the cluster");
    std::string a = action;
    sub->callback([=] {
      if (repo->empty() && name->empty()) {
        std::cerr << "hgcluster fncache " << a << ": give a repository NAME or --repo PATH"
                  << std::endl;
        throw CLI::RuntimeError(2);
      }
      int status;
      try {
        auto copies = Copies(*root, *name, *repo);
        status = a == "check" ? Check(copies) : Rebuild(copies);
      } catch (const Error& e) {
        std::cerr << "hgcluster fncache " << a << ": " << e.what() << std::endl;
        status = 1;
      }
      throw CLI::RuntimeError(status);
    });
  }
}

}  // namespace hgc
