// The notifiers' common configuration (spec/hosting.md §2.1): the consumer
// section ([pulseconsumer], [snsconsumer], [webhooksconsumer]: `log = <url>`
// for our log, else Kafka `hosts`; client_id, topic, group, poll_timeout),
// [programs] hg, [path_rewrites], [public_url_rewrites], [ignore_paths],
// and the retry policy from the environment. Thread-safety: immutable value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ini.h"
#include "common/retry_policy.h"
#include "routing/rewrites.h"

namespace hgc {

struct NotifierConfig {
  std::string path;
  std::string hg = "hg";
  std::string log_url;
  std::string client_id;
  std::string topic;
  std::string group;
  double poll_timeout = 0.1;
  RewriteRules path_rewrites;
  bool allow_symlinks = false;  // [<consumer section>] allow_symlinks
  RewriteRules public_url_rewrites;
  std::vector<std::string> ignore_paths;
  RetryPolicy retry;

  // Throws Error(kConfig) when the consumer section or a required key is
  // missing.
  static NotifierConfig Load(const IniFile& ini, const std::string& consumer_section);

  // Wire path -> public URL; nullopt when no [public_url_rewrites] prefix
  // matches.
  std::optional<std::string> PublicUrl(const std::string& wire_path) const;
  // Throws Error(kRefused) for a path outside the repos root
  // (routing/confined_path.h).
  std::string LocalPath(const std::string& wire_path) const;
  bool Ignored(const std::string& wire_path) const;
};

// The text Load reads back: `# comment`, the consumer section `section`
// (log, client_id, topic, group, poll_timeout, allow_symlinks when set),
// [programs] when hg is not "hg", then [path_rewrites],
// [public_url_rewrites] and [ignore_paths] when not empty. `path` and the
// retry policy (from the environment) are not written.
std::string ToIni(const NotifierConfig& c, const std::string& section, const std::string& comment);

}  // namespace hgc
