#include "pushlog/push_user.h"

#include <algorithm>
#include <utility>

namespace hgc {
namespace {

// (config key, default account) in the reference's order.
const std::vector<std::pair<const char*, const char*>>& BotDefaults() {
  static const std::vector<std::pair<const char*, const char*>> kBots = {
      {"autolanduser", "bind-autoland@mozilla.com"},
      {"landingworkeruser", "lando_landing_worker@mozilla.com"},
      {"landingworkeruser2", "lando_landing_worker_2@mozilla.com"},
      {"landingworkeruserdev", "lando_landing_worker_dev@mozilla.com"},
      {"landingworkertry", "lando_landing_worker_try@mozilla.com"},
      {"landingworkertrydev", "lando_landing_worker_try_dev@mozilla.com"},
      {"landingworkertrystage", "lando_landing_worker_try_stage@mozilla.com"},
      {"githgsyncworker", "githgsync_worker@mozilla.com"},
      {"githgsyncworkerfirefox", "githgsync_worker_firefox@mozilla.com"},
      {"githgsyncworkerthunderbird", "githgsync_worker_thunderbird@mozilla.com"},
  };
  return kBots;
}

}  // namespace

PushUserSettings PushUserSettings::FromIni(const IniFile* ini) {
  PushUserSettings s;
  for (const auto& [key, account] : BotDefaults()) {
    s.bot_accounts.push_back(ini ? ini->GetOr("pushlog", key, account) : account);
  }
  if (ini) {
    s.user_prefix = ini->GetOr("pushlog", "userprefix", "");
    s.remote_user_prefix = ini->GetOr("pushlog", "remoteuserprefix", "");
  }
  return s;
}

std::optional<PushUser> ResolvePushUser(const PushUserSettings& settings, const EnvLookup& env,
                                        const std::string& os_account) {
  std::string remote_user = env("REMOTE_USER");
  std::string user = env("USER");
  if (remote_user.empty() && user.empty()) {
    if (os_account.empty()) return std::nullopt;
    user = os_account;
  }
  PushUser result;
  if (!user.empty() && std::find(settings.bot_accounts.begin(), settings.bot_accounts.end(),
                                 user) != settings.bot_accounts.end()) {
    result.landing_bot = true;
    std::string requester = env("AUTOLAND_REQUEST_USER");
    if (!requester.empty()) user = requester;
  }
  if (!remote_user.empty() && !settings.remote_user_prefix.empty()) {
    remote_user = settings.remote_user_prefix + ":" + remote_user;
  }
  if (!user.empty() && !settings.user_prefix.empty()) user = settings.user_prefix + ":" + user;
  result.user = remote_user.empty() ? user : remote_user;
  return result;
}

}  // namespace hgc
