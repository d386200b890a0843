// Who a push is recorded for (spec/hosting.md §1.2 steps 2-5): REMOTE_USER,
// else USER, with the landing-bot substitution (AUTOLAND_REQUEST_USER for
// the ten bot accounts) and the optional `[pushlog] userprefix` /
// `remoteuserprefix`. One deliberate difference: a local push by an account
// whose environment has neither variable (cron, containers) is recorded
// under the OS account name instead of being refused; over ssh, sshd always
// sets USER.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/ini.h"

namespace hgc {

struct PushUserSettings {
  std::string user_prefix;
  std::string remote_user_prefix;
  std::vector<std::string> bot_accounts;  // the ten defaults, overridable

  // From the `[pushlog]` section (keys of §1.16); defaults when absent.
  static PushUserSettings FromIni(const IniFile* ini);
};

struct PushUser {
  std::string user;
  bool landing_bot = false;  // print "autoland or landing worker push detected"
};

using EnvLookup = std::function<std::string(const char*)>;

// nullopt when no user can be determined at all (the push must be refused
// with "authenticated user not found; refusing to write into pushlog").
std::optional<PushUser> ResolvePushUser(const PushUserSettings& settings, const EnvLookup& env,
                                        const std::string& os_account);

}  // namespace hgc
