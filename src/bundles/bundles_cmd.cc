#include "bundles/bundles_cmd.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "bundles/bundle_age_check.h"
#include "bundles/bundle_generator.h"
#include "common/error.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "master/act_as_master.h"

namespace hgc {
namespace {

struct Where {
  std::string root;
  std::string config;
};

void AddWhere(CLI::App* cmd, Where& w) {
  cmd->add_option("--root", w.root, "local cluster directory (default: $HGCLUSTER_ROOT or cwd)");
  cmd->add_option("--config", w.config, "INI file with a [bundles] section (production leader)");
}

BundlesConfig ConfigFor(const Where& w) {
  if (!w.config.empty()) return BundlesConfig::Load(w.config);
  return BundlesConfig::ForCluster(ClusterLayoutAsMaster(w.root));
}

// The reference exits 1 after printing `<Exception>: <message>`.
template <typename Fn>
int Guard(Fn fn) {
  try {
    return fn();
  } catch (const Error& e) {
    std::cerr << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace

void RegisterBundlesCommands(CLI::App& app) {
  auto* bundles = app.add_subcommand("bundles", "clone bundles: generate, restore-old");
  bundles->require_subcommand(1);

  struct GenerateArgs {
    Where where;
    std::string repos_file;
    bool no_upload = false;
    std::vector<std::string> repos;
  };
  auto g = std::make_shared<GenerateArgs>();
  auto* gen = bundles->add_subcommand(
      "generate", "generate-hg-s3-bundles: make bundles, write manifests, replicate them");
  AddWhere(gen, g->where);
  gen->add_option("-f", g->repos_file, "file listing repos (`<repo> [attr ...]` per line)");
  gen->add_flag("--no-upload", g->no_upload, "do not upload to S3 (the mirrors still serve them)");
  gen->add_option("repos", g->repos, "repo specs: <relative path> [zstd_max] [copyfrom=REPO]");
  gen->callback([g] {
    throw CLI::RuntimeError(Guard([&] {
      BundlesConfig config = ConfigFor(g->where);
      std::vector<RepoSpec> specs;
      if (!g->repos_file.empty()) {
        specs = ReadRepoSpecs(g->repos_file);
      } else if (!g->repos.empty()) {
        // Attributes follow their repo as separate words: `repo zstd_max`.
        std::string line;
        for (const auto& word : g->repos) {
          bool attr = word.find('=') != std::string::npos || word == "zstd_max";
          if (!attr && !line.empty()) {
            specs.push_back(ParseRepoSpec(line));
            line.clear();
          }
          line += (line.empty() ? "" : " ") + word;
        }
        if (!line.empty()) specs.push_back(ParseRepoSpec(line));
      } else if (!config.repos_file.empty() && std::filesystem::exists(config.repos_file)) {
        specs = ReadRepoSpecs(config.repos_file);
      } else {
        throw Error(ErrorKind::kUsage, "no repositories given (REPO... or -f FILE)");
      }
      BundleGenerator(config, !g->no_upload, std::cout).Run(specs);
      return 0;
    }));
  });

  auto r = std::make_shared<std::pair<Where, std::string>>();
  auto* restore = bundles->add_subcommand(
      "restore-old",
      "put .hg/clonebundles.manifest.old back and replicate it (the runbook's restore)");
  AddWhere(restore, r->first);
  restore->add_option("repo", r->second, "repository, relative to the repos root")->required();
  restore->callback([r] {
    throw CLI::RuntimeError(Guard([&] {
      RestoreOldManifest(ConfigFor(r->first), r->second, std::cout);
      return 0;
    }));
  });

  struct AgeArgs {
    Where where;
    std::string lastrun;
    BundleAgeThresholds thresholds;
  };
  auto a = std::make_shared<AgeArgs>();
  auto* age = app.add_subcommand("check-bundle-age",
                                 "check_hg_bundle_generate_age: age of the last bundle generation");
  AddWhere(age, a->where);
  age->add_option("--lastrun", a->lastrun, "the lastrun file (default: BUNDLE_DIR/lastrun)");
  age->add_option("-w,--warning", a->thresholds.warning_seconds, "warning age in seconds")
      ->capture_default_str();
  age->add_option("-c,--critical", a->thresholds.critical_seconds, "critical age in seconds")
      ->capture_default_str();
  age->callback([a] {
    std::string path = a->lastrun;
    if (path.empty()) {
      try {
        path = ConfigFor(a->where).bundle_dir + "/lastrun";
      } catch (const Error& e) {
        std::cout << "CRITICAL - " << OneLine(e.what()) << std::endl;
        throw CLI::RuntimeError(2);
      }
    }
    std::optional<std::string> text;
    if (std::filesystem::exists(path)) text = ReadFileOrEmpty(path);
    CheckReport report =
        CheckBundleAge(path, text, std::chrono::system_clock::now(), a->thresholds);
    std::cout << FormatReport(report);
    throw CLI::RuntimeError(static_cast<int>(report.status));
  });
}

}  // namespace hgc
