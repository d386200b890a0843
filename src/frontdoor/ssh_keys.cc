#include "frontdoor/ssh_keys.h"

#include <fmt/format.h>

#include <iostream>

#include "common/error.h"
#include "common/subprocess.h"

namespace hgc {

bool SafeLogin(const std::string& login) {
  if (login.empty()) return false;
  for (char c : login) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '@' || c == '.' || c == '_' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return login[0] != '-';
}

int PrintUserKeys(const FrontdoorConfig& config, const std::string& user) {
  std::optional<Account> account;
  try {
    account = config.Directory()->Find(user);
  } catch (const Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (!account) {
    std::cerr << "user not found\n";
    return 1;
  }
  if (account->keys.empty()) {
    std::cerr << "no SSH keys found for user\n";
    return 1;
  }
  int printed = 0;
  for (const auto& k : account->keys) {
    if (!UsableKeyLine(k)) continue;
    std::cout << k << "\n";
    ++printed;
  }
  if (printed == 0) {
    std::cerr << "no valid SSH keys found for user\n";
    return 1;
  }
  return 0;
}

int PrintAuthorizedKeys(const FrontdoorConfig& config, const std::string& account,
                        const std::string& self) {
  if (account != config.account) return 0;  // nobody else may log in
  if (config.path.find_first_of("\"\\") != std::string::npos ||
      self.find_first_of("\"\\") != std::string::npos) {
    std::cerr << "ssh-keys: paths with '\"' or '\\' cannot go into a forced command\n";
    return 1;
  }
  std::vector<Account> accounts;
  try {
    accounts = config.Directory()->AllWithKeys();
  } catch (const Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  for (const auto& a : accounts) {
    if (!SafeLogin(a.login)) {
      std::cerr << fmt::format(
          "ssh-keys: skipping login '{}' (characters outside [A-Za-z0-9@._+-])\n", a.login);
      continue;
    }
    std::string forced = fmt::format("{} pash --config {} --user {}", ShellQuote(self),
                                     ShellQuote(config.path), a.login);
    for (const auto& k : a.keys) {
      if (UsableKeyLine(k)) std::cout << fmt::format("restrict,command=\"{}\" {}\n", forced, k);
    }
  }
  return 0;
}

}  // namespace hgc
