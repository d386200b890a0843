#include "frontdoor/frontdoor_cmd.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "common/error.h"
#include "common/subprocess.h"
#include "frontdoor/frontdoor_config.h"
#include "frontdoor/pash.h"
#include "frontdoor/session_log.h"
#include "frontdoor/ssh_keys.h"
#include "frontdoor/users_file.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "master/act_as_master.h"

namespace hgc {
namespace {

std::string DefaultConfig(const std::string& config) {
  if (!config.empty()) return config;
  return ClusterLayoutAsMaster("").leader_dir() + "/frontdoor.ini";
}

int UserAdd(const std::string& root, const std::string& login, std::vector<std::string> keys,
            const std::vector<std::string>& groups) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  FrontdoorConfig config = FrontdoorConfig::Load(layout.leader_dir() + "/frontdoor.ini");
  if (!SafeLogin(login)) {
    std::cerr << fmt::format("invalid login '{}': use letters, digits and @._+-\n", login);
    return 1;
  }
  for (auto& k : keys) {
    // A file name (e.g. alice.pub) or the key itself.
    if (k.find(' ') == std::string::npos) {
      std::string text = ReadFileOrEmpty(k);
      k = text.substr(0, text.find('\n'));
    }
    if (!UsableKeyLine(k)) {
      std::cerr << fmt::format("not a usable public key: '{}'\n", k);
      return 1;
    }
  }
  Account account{login, keys, groups};
  if (auto old = UsersFile(config.users_file).Find(login)) {
    for (const auto& k : old->keys) {
      if (std::find(account.keys.begin(), account.keys.end(), k) == account.keys.end()) {
        account.keys.push_back(k);
      }
    }
    if (groups.empty()) account.groups = old->groups;
  }
  UsersFile::Put(config.users_file, account);
  std::string group_list;
  for (const auto& g : account.groups) group_list += (group_list.empty() ? "" : " ") + g;
  std::cout << fmt::format("{}: {} keys, groups: {}\n", login, account.keys.size(),
                           group_list.empty() ? std::string("none") : group_list);
  return 0;
}

}  // namespace

void RegisterFrontdoorCommands(CLI::App& app) {
  auto config = std::make_shared<std::string>();
  auto user = std::make_shared<std::string>();
  auto* pash = app.add_subcommand(
      "pash", "serve one SSH login (sshd's forced command): hg serve --stdio, repo-group, ...");
  pash->add_option("--config", *config, "frontdoor.ini (default: $HGCLUSTER_ROOT/leader/...)");
  pash->add_option("--user", *user, "the authenticated login (set by ssh-keys)")->required();
  pash->callback([=] {
    FrontdoorConfig c = FrontdoorConfig::Load(DefaultConfig(*config));
    const char* cmd = std::getenv("SSH_ORIGINAL_COMMAND");
    const char* conn = std::getenv("SSH_CONNECTION");
    SessionLog log(c.session_log, *user, cmd ? cmd : "", conn ? conn : "");
    log.Start();
    int code = RunPash(c, *user, cmd ? std::optional<std::string>(cmd) : std::nullopt);
    std::cout.flush();
    std::cerr.flush();
    log.End(code);
    throw CLI::RuntimeError(code);
  });

  auto account = std::make_shared<std::string>();
  auto* keys = app.add_subcommand(
      "ssh-keys", "print a user's SSH keys (or, for sshd, every authorized_keys line)");
  keys->add_option("--config", *config, "frontdoor.ini (default: $HGCLUSTER_ROOT/leader/...)");
  keys->add_option("--authorized-keys", *account,
                   "sshd's AuthorizedKeysCommand: lines for this Unix account");
  keys->add_option("user", *user, "login, e.g. alice@example.com");
  keys->callback([=] {
    FrontdoorConfig c = FrontdoorConfig::Load(DefaultConfig(*config));
    if (!account->empty()) {
      throw CLI::RuntimeError(PrintAuthorizedKeys(c, *account, SelfExecutable()));
    }
    if (user->empty()) {
      std::cerr << "usage: hgcluster ssh-keys <user>\n";
      throw CLI::RuntimeError(1);
    }
    throw CLI::RuntimeError(PrintUserKeys(c, *user));
  });

  auto root = std::make_shared<std::string>();
  auto login = std::make_shared<std::string>();
  auto key_list = std::make_shared<std::vector<std::string>>();
  auto groups = std::make_shared<std::vector<std::string>>();
  auto* users = app.add_subcommand("user", "manage SSH accounts in the cluster's users file");
  users->require_subcommand(1);
  auto* add = users->add_subcommand("add", "add an account, or keys/groups to one");
  add->add_option("--root", *root, "cluster directory");
  add->add_option("login", *login, "login, e.g. alice@example.com")->required();
  add->add_option("--key", *key_list, "public key file or line (repeatable)");
  add->add_option("--group", *groups, "group, e.g. scm_level_3 (repeatable; replaces)");
  add->callback([=] { throw CLI::RuntimeError(UserAdd(*root, *login, *key_list, *groups)); });
}

}  // namespace hgc
