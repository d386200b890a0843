// Notifier configuration loading. Thread-safety: see notifier_config.h.
#include "notify/notifier_config.h"

#include <fmt/format.h>

#include "common/error.h"
#include "log/log_url.h"
#include "routing/confined_path.h"

namespace hgc {

NotifierConfig NotifierConfig::Load(const IniFile& ini, const std::string& section) {
  if (!ini.HasSection(section)) {
    throw Error(ErrorKind::kConfig, "no [" + section + "] config section in " + ini.origin());
  }
  NotifierConfig c;
  c.path = ini.origin();
  c.hg = ini.GetOr("programs", "hg", "hg");
  c.log_url = LogUrlFromSection(ini, section);
  c.client_id = ini.GetOr(section, "client_id", section);
  c.topic = ini.Require(section, "topic");
  c.group = ini.Require(section, "group");
  c.poll_timeout = ini.GetDouble(section, "poll_timeout", 0.1);
  c.path_rewrites = ini.Items("path_rewrites");
  c.allow_symlinks = ini.GetBool(section, "allow_symlinks", false);
  c.public_url_rewrites = ini.Items("public_url_rewrites");
  for (const auto& [prefix, unused] : ini.Items("ignore_paths")) c.ignore_paths.push_back(prefix);
  c.retry = RetryPolicy::FromEnv();
  return c;
}

std::optional<std::string> NotifierConfig::PublicUrl(const std::string& wire_path) const {
  // Same rule shape as pull URLs: first matching prefix, replaced once.
  return WirePathToPullUrl(public_url_rewrites, wire_path);
}

std::string NotifierConfig::LocalPath(const std::string& wire_path) const {
  return ConfineWirePath(path_rewrites, wire_path, allow_symlinks).local;
}

bool NotifierConfig::Ignored(const std::string& wire_path) const {
  for (const auto& prefix : ignore_paths) {
    if (wire_path.starts_with(prefix)) return true;
  }
  return false;
}

std::string ToIni(const NotifierConfig& c, const std::string& section, const std::string& comment) {
  std::string out = fmt::format(
      "# {}\n"
      "[{}]\n"
      "log = {}\n"
      "client_id = {}\n"
      "topic = {}\n"
      "group = {}\n"
      "poll_timeout = {}\n",
      comment, section, c.log_url, c.client_id, c.topic, c.group, c.poll_timeout);
  if (c.allow_symlinks) out += "allow_symlinks = true\n";
  if (c.hg != "hg") out += fmt::format("\n[programs]\nhg = {}\n", c.hg);
  for (const auto& [name, rules] : {std::pair{"path_rewrites", &c.path_rewrites},
                                    {"public_url_rewrites", &c.public_url_rewrites}}) {
    if (rules->empty()) continue;
    out += fmt::format("\n[{}]\n", name);
    for (const auto& [from, to] : *rules) out += fmt::format("{} = {}\n", from, to);
  }
  if (!c.ignore_paths.empty()) {
    out += "\n[ignore_paths]\n";
    for (const auto& prefix : c.ignore_paths) out += fmt::format("{} = true\n", prefix);
  }
  return out;
}

}  // namespace hgc
