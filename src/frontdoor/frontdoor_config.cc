#include "frontdoor/frontdoor_config.h"

#include <filesystem>

#include "common/error.h"
#include "common/ini.h"
#include "frontdoor/users_file.h"

namespace hgc {

std::vector<std::string> DefaultBotAccounts() {
  return {"bind-autoland@mozilla.com",
          "lando_landing_worker@mozilla.com",
          "lando_landing_worker_2@mozilla.com",
          "lando_landing_worker_dev@mozilla.com",
          "lando_landing_worker_try@mozilla.com",
          "lando_landing_worker_try_dev@mozilla.com",
          "lando_landing_worker_try_stage@mozilla.com",
          "githgsync_worker@mozilla.com",
          "githgsync_worker_firefox@mozilla.com",
          "githgsync_worker_thunderbird@mozilla.com"};
}

FrontdoorConfig FrontdoorConfig::Load(const std::string& path) {
  IniFile ini = IniFile::Load(path);
  FrontdoorConfig c;
  // Absolute: the path goes into forced commands sshd runs from $HOME.
  c.path = std::filesystem::absolute(path).string();
  c.repos = ini.Require("frontdoor", "repos");
  c.hgrcpath = ini.GetOr("frontdoor", "hgrcpath", "");
  c.readonly_hgrc = ini.Require("frontdoor", "readonly_hgrc");
  c.hostname = ini.GetOr("frontdoor", "hostname", "localhost");
  c.users_file = ini.GetOr("frontdoor", "users_file", "");
  c.account = ini.GetOr("frontdoor", "account", "root");
  c.default_group = ini.GetOr("frontdoor", "default_group", c.default_group);
  c.repo_group = ini.GetBool("frontdoor", "repo_group", true);
  c.repo_config = ini.GetBool("frontdoor", "repo_config", true);
  c.user_repos = ini.GetBool("frontdoor", "user_repos", true);
  c.leader_hgrc = ini.GetOr("frontdoor", "leader_hgrc", "");
  c.session_log = ini.GetOr("frontdoor", "session_log", "");
  c.bots = DefaultBotAccounts();
  if (auto bots = ini.Get("frontdoor", "bots")) {
    c.bots.clear();
    std::string cur;
    for (char ch : *bots + " ") {
      if (ch == ' ' || ch == ',' || ch == '\n') {
        if (!cur.empty()) c.bots.push_back(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
  }
  std::string url = ini.GetOr("ldap", "url", "");
  if (!url.empty()) {
    LdapSettings l;
    l.url = url;
    l.basedn = ini.GetOr("ldap", "basedn", l.basedn);
    l.groups_basedn = ini.GetOr("ldap", "groups_basedn", l.groups_basedn);
    l.bind_dn = ini.GetOr("ldap", "bind_dn", "");
    l.password = ini.GetOr("ldap", "password", "");
    l.require_hg_account = ini.GetBool("ldap", "require_hg_account", false);
    c.ldap = l;
  }
  return c;
}

std::unique_ptr<AccountDirectory> FrontdoorConfig::Directory() const {
  std::vector<std::unique_ptr<AccountDirectory>> parts;
  if (!users_file.empty()) parts.push_back(std::make_unique<UsersFile>(users_file));
  if (ldap) parts.push_back(std::make_unique<LdapDirectory>(*ldap));
  return std::make_unique<ChainedDirectory>(std::move(parts));
}

}  // namespace hgc
