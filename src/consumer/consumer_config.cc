#include "consumer/consumer_config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "common/ini.h"
#include "common/retry_policy.h"
#include "log/log_url.h"

namespace hgc {

ConsumerConfig ConsumerConfig::Load(const std::string& path, const std::string& section) {
  IniFile ini = IniFile::Load(path);
  ConsumerConfig c;
  c.path = path;
  c.hg = ini.GetOr("programs", "hg", "hg");
  c.log_url = LogUrlFromSection(ini, section);
  c.client_id = ini.GetOr(section, "client_id", "hgcluster");
  c.topic = ini.Require(section, "topic");
  c.group = ini.Require(section, "group");
  c.poll_timeout = ini.GetDouble(section, "poll_timeout", 0.1);
  c.backup = ini.GetBool(section, "backup", false);
  std::string dir = std::filesystem::absolute(path).parent_path().string();
  c.state_dir = ini.GetOr(section, "state_dir", dir);
  c.todelete_path = ini.GetOr(section, "todelete_path", c.state_dir + "/todelete");
  c.hgrcpath = ini.GetOr(section, "hgrcpath", "");
  c.hg_runner = ini.GetOr(section, "hg_runner", "cmdserver");
  if (c.hg_runner != "cmdserver" && c.hg_runner != "process") {
    throw Error(ErrorKind::kConfig, "[" + section + "] hg_runner in " + path +
                                        " must be cmdserver or process, not " + c.hg_runner);
  }
  c.workers = static_cast<int>(ini.GetDouble(section, "workers", 4));
  if (c.workers < 1) c.workers = 1;
  c.parked_retry = ini.GetDouble(section, "parked_retry", 30);
  c.repair_parked = ini.GetBool(section, "repair_parked", true);
  c.repair_diverged = ini.GetBool(section, "repair_diverged", true);
  c.allow_symlinks = ini.GetBool(section, "allow_symlinks", false);
  c.apply_bundles = ini.GetBool(section, "apply_bundles", true);
  c.bundle_store = ini.GetOr(section, "bundle_store", "");
  RetryPolicy retry = RetryPolicy::FromEnv();
  c.max_retries = retry.max_retries;
  c.retry_base = retry.base_seconds;
  if (const char* v = std::getenv("HGCLUSTER_PARKED_RETRY")) c.parked_retry = std::atof(v);
  if (const char* v = std::getenv("HGCLUSTER_REPAIR_PARKED"))
    c.repair_parked = std::string(v) != "0";
  if (const char* v = std::getenv("HGCLUSTER_REPAIR_DIVERGED")) {
    c.repair_diverged = std::string(v) != "0";
  }
  c.path_rewrites = ini.Items("path_rewrites");
  c.pull_url_rewrites = ini.Items("pull_url_rewrites");
  c.filter = RepoFilter::FromEntries(ini.Items("replicationrules"));
  return c;
}

std::string ToIni(const ConsumerConfig& c, const std::string& comment) {
  std::string out = fmt::format(
      "# {}\n"
      "[consumer]\n"
      "log = {}\n"
      "client_id = {}\n"
      "topic = {}\n"
      "group = {}\n"
      "poll_timeout = {}\n"
      "workers = {}\n",
      comment, c.log_url, c.client_id, c.topic, c.group, c.poll_timeout, c.workers);
  if (!c.bundle_store.empty()) {
    out += "# pushes too big to travel in their event (the leader's bundlestore)\n";
    out += fmt::format("bundle_store = {}\n", c.bundle_store);
  }
  if (!c.hgrcpath.empty()) out += fmt::format("hgrcpath = {}\n", c.hgrcpath);
  for (const auto& [section, rules] : {std::pair{"path_rewrites", &c.path_rewrites},
                                       {"pull_url_rewrites", &c.pull_url_rewrites}}) {
    if (rules->empty()) continue;
    out += fmt::format("\n[{}]\n", section);
    for (const auto& [from, to] : *rules) out += fmt::format("{} = {}\n", from, to);
  }
  return out;
}

}  // namespace hgc
