#include "bundles/bundle_generator.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bundles/bundle_type.h"
#include "bundles/manifest.h"
#include "bundles/s3_upload.h"
#include "common/error.h"
#include "common/text.h"
#include "hg/hg_runner.h"
#include "hg/repo_state.h"
#include "leader/replicate.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

void ReplicateRepo(const std::string& leader_hgrc, const std::string& root) {
  if (leader_hgrc.empty()) return;
  ReplicateOptions o;
  o.config_path = leader_hgrc;
  o.repo = root;
  if (ReplicateSync(o) != 0) {
    throw Error(ErrorKind::kLogUnavailable,
                fmt::format("hg replicatesync failed for {}; the manifest is written but mirrors "
                            "do not have it yet",
                            root));
  }
}

// Last path segments of the URLs in a manifest.
std::set<std::string> FilesNamedBy(const std::string& manifest) {
  std::set<std::string> files;
  std::istringstream in(manifest);
  for (std::string line; std::getline(in, line);) {
    std::string url = line.substr(0, line.find(' '));
    auto slash = url.rfind('/');
    if (slash != std::string::npos && slash + 1 < url.size()) files.insert(url.substr(slash + 1));
  }
  return files;
}

}  // namespace

BundleGenerator::BundleGenerator(BundlesConfig config, bool upload, std::ostream& out)
    : config_(std::move(config)), upload_(upload && !config_.s3_endpoint.empty()), out_(out) {}

void BundleGenerator::Print(const std::string& line) {
  std::lock_guard lock(out_mu_);
  out_ << line << std::endl;
}

std::string BundleGenerator::RepoRoot(const std::string& repo) const {
  return config_.repos_root + "/" + repo;
}

ProcessResult BundleGenerator::Hg(const std::string& root,
                                  const std::vector<std::string>& args) const {
  HgProcessOptions o;
  o.hg = config_.hg;
  o.keep_hgrcpath = true;
  o.extra_config = {"extensions.vcsreplicator=!"};
  return MakeProcessHgRunner(o)->Run(root, args);
}

std::string BundleGenerator::HgChecked(const std::string& root,
                                       const std::vector<std::string>& args) const {
  ProcessResult r = Hg(root, args);
  if (!r.ok()) {
    std::string shown = config_.hg + " -R " + root;
    for (const auto& a : args) shown += " " + ShellQuote(a);
    throw Error(ErrorKind::kHgFailed,
                fmt::format("CalledProcessError: Command '{}' returned non-zero exit status {}: {}",
                            shown, r.exit_code, TrimRight(r.err)));
  }
  return r.out;
}

void BundleGenerator::Replicate(const std::string& root) {
  ReplicateRepo(config_.leader_hgrc, root);
}

void BundleGenerator::CopyFrom(const RepoSpec& spec) {
  std::string root = RepoRoot(spec.repo);
  std::string src = RepoRoot(spec.copyfrom()) + "/.hg/clonebundles.manifest";
  std::string dst = root + "/.hg/clonebundles.manifest";
  if (!fs::exists(root + "/.hg")) {
    throw Error(ErrorKind::kNotFound, fmt::format("no repository at {}", root));
  }
  if (!fs::exists(src)) {
    throw Error(ErrorKind::kNotFound,
                fmt::format("{} has no clone bundles manifest to copy (generate it first)",
                            spec.copyfrom()));
  }
  // The reference keeps this backup as `.last`, not `.old`; we use `.old`
  // for every repo so `bundles restore-old` works the same everywhere.
  if (fs::exists(dst)) fs::copy_file(dst, dst + ".old", fs::copy_options::overwrite_existing);
  Print(fmt::format("copying {} -> {}", src, dst));
  WriteFileAtomic(dst, ReadFileOrEmpty(src));
  fs::permissions(dst, static_cast<fs::perms>(0664));
  Replicate(root);
}

std::map<std::string, IndexedBundle> BundleGenerator::GenerateRepo(const RepoSpec& spec) {
  if (!spec.copyfrom().empty()) {
    CopyFrom(spec);
    return {};
  }
  std::string root = RepoRoot(spec.repo);
  if (!fs::exists(root + "/.hg")) {
    throw Error(ErrorKind::kNotFound, fmt::format("no repository at {}", root));
  }
  std::string tip = TrimRight(HgChecked(root, {"log", "-r", "tip", "-T", "{node}"}));
  Print(fmt::format("tip of {} is {}", spec.repo, tip));
  if (tip == std::string(40, '0')) {
    throw Error(ErrorKind::kNotFound, fmt::format("{} is empty; there is nothing to bundle", root));
  }
  bool generaldelta = false;
  for (const auto& f : nlohmann::json::parse(HgChecked(root, {"debugformat", "-T", "json"}))) {
    if (f.value("name", "") == "generaldelta") generaldelta = f.value("repo", false);
  }
  if (!generaldelta) {
    throw Error(ErrorKind::kConfig, fmt::format("non-generaldelta repo not supported: {}", root));
  }
  std::string dir = config_.bundle_dir + "/" + spec.repo;
  fs::create_directories(dir);
  fs::permissions(dir, static_cast<fs::perms>(0755));
  // Unlike the reference (whose S3 objects outlive the local files for 7
  // days), the mirrors serve this directory: the files the current manifest
  // names are kept too, so it stays servable once it becomes `.old`.
  std::set<std::string> keep = FilesNamedBy(ReadFileOrEmpty(root + "/.hg/clonebundles.manifest"));
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name[0] == '.' || name.rfind(tip, 0) == 0 || keep.count(name)) {
      continue;
    }
    Print("removing old bundle file: " + e.path().string());
    fs::remove(e.path());
  }

  std::vector<BundleType> types = BundleTypesFor(spec);
  auto make = [&](BundleType type) {
    std::string path = dir + "/" + BundleFileName(tip, type);
    if (fs::exists(path)) {
      Print("bundle already exists, skipping: " + path);
      return;
    }
    std::vector<std::string> args = BundleHgArgs(type, path + ".tmp");
    std::string shown = config_.hg + " -R " + root;
    for (const auto& a : args) shown += " " + ShellQuote(a);
    Print(fmt::format("running \"{}\"", shown));
    auto start = SteadyClock::now();
    HgChecked(root, args);
    fs::rename(path + ".tmp", path);
    Print(fmt::format("bundle generated: {} (in {:.1f}s)", path,
                      std::chrono::duration<double>(SteadyClock::now() - start).count()));
  };
  // At most `threads` hg processes at once, in manifest order.
  for (size_t i = 0; i < types.size();) {
    std::vector<std::future<void>> running;
    for (int n = 0; n < config_.threads && i < types.size(); ++n, ++i) {
      running.push_back(std::async(std::launch::async, make, types[i]));
    }
    for (auto& f : running) f.get();  // rethrows the first failure
  }

  std::vector<GeneratedBundle> bundles;
  std::map<std::string, IndexedBundle> indexed;
  for (BundleType type : types) {
    std::string file = BundleFileName(tip, type);
    std::string path = dir + "/" + file;
    std::string bundle_spec = TrimRight(HgChecked(root, {"debugbundle", "--spec", path}));
    ValidateBundleSpec(type, bundle_spec, path);
    uint64_t size = fs::file_size(path);
    bundles.push_back({type, file, bundle_spec, size});
    indexed[BundleTypeName(type)] = {spec.repo + "/" + file, size};
  }

  if (upload_) {
    S3Target target{config_.s3_endpoint, config_.s3_bucket, config_.s3_region,
                    CredentialsFromEnvironment()};
    for (const auto& b : bundles) {
      std::string key = spec.repo + "/" + b.file;
      Print(fmt::format("uploading to {}/{}/{}", config_.s3_endpoint, config_.s3_bucket, key));
      Print(fmt::format("uploading {}:{} from {}/{}", config_.s3_bucket, key, dir, b.file));
      PutS3Object(target, key, ReadFileOrEmpty(dir + "/" + b.file), "application/octet-stream");
      Print(fmt::format("uploading {}:{} completed", config_.s3_bucket, key));
    }
  }

  ManifestTargets targets;
  targets.mirror_base_url = config_.base_url;
  if (upload_) {
    targets.s3_base_url = config_.s3_endpoint + "/" + config_.s3_bucket;
    targets.s3_region = config_.s3_region;
  }
  std::string manifest = root + "/.hg/clonebundles.manifest";
  if (fs::exists(manifest)) {
    fs::copy_file(manifest, manifest + ".old", fs::copy_options::overwrite_existing);
  }
  WriteFileAtomic(manifest, JoinManifest(ManifestLines(spec.repo, bundles, targets)));
  fs::permissions(manifest, static_cast<fs::perms>(0664));
  Replicate(root);
  return indexed;
}

void BundleGenerator::Run(const std::vector<RepoSpec>& specs) {
  BundleIndex index;
  for (const auto& spec : specs) {
    auto bundles = GenerateRepo(spec);
    if (bundles.count("gzip-v2")) {
      index[spec.repo] = std::move(bundles);
    } else {
      Print(fmt::format("ignoring repo {} in index because no gzip bundle", spec.repo));
    }
  }
  auto now = std::chrono::system_clock::now();
  fs::create_directories(config_.bundle_dir);
  std::string html = RenderIndexHtml(index, now);
  std::string json = RenderBundlesJson(index);
  WriteFileAtomic(config_.bundle_dir + "/index.html", html);
  WriteFileAtomic(config_.bundle_dir + "/bundles.json", json);
  if (upload_) {
    S3Target target{config_.s3_endpoint, config_.s3_bucket, config_.s3_region,
                    CredentialsFromEnvironment()};
    PutS3Object(target, "index.html", html, "text/html", {{"Cache-Control", "max-age=60"}});
    PutS3Object(target, "bundles.json", json, "application/json",
                {{"Cache-Control", "max-age=60"}});
  }
  WriteFileAtomic(config_.bundle_dir + "/lastrun", LastRunText(now));
}

void RestoreOldManifest(const BundlesConfig& config, const std::string& repo, std::ostream& out) {
  std::string root = config.repos_root + "/" + repo;
  std::string manifest = root + "/.hg/clonebundles.manifest";
  if (!fs::exists(root + "/.hg")) {
    throw Error(ErrorKind::kNotFound, fmt::format("no repository at {}", root));
  }
  if (!fs::exists(manifest + ".old")) {
    throw Error(ErrorKind::kNotFound,
                fmt::format("{}.old does not exist: nothing to restore", manifest));
  }
  fs::copy_file(manifest + ".old", manifest, fs::copy_options::overwrite_existing);
  out << fmt::format("restored {} from {}.old", manifest, manifest) << std::endl;
  ReplicateRepo(config.leader_hgrc, root);
}

}  // namespace hgc
