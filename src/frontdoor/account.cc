#include "frontdoor/account.h"

#include <iostream>
#include <set>

#include "common/error.h"

namespace hgc {

std::optional<Account> ChainedDirectory::Find(const std::string& login) {
  for (auto& p : parts_) {
    if (auto a = p->Find(login)) return a;
  }
  return std::nullopt;
}

std::vector<Account> ChainedDirectory::AllWithKeys() {
  std::vector<Account> out;
  std::set<std::string> seen;
  for (auto& p : parts_) {
    std::vector<Account> accounts;
    try {
      accounts = p->AllWithKeys();
    } catch (const Error& e) {
      // LDAP down must not lock out the users file's accounts; sshd logs this.
      std::cerr << "ssh-keys: " << e.what() << "\n";
    }
    for (auto& a : accounts) {
      if (seen.insert(a.login).second) out.push_back(std::move(a));
    }
  }
  return out;
}

bool UsableKeyLine(const std::string& line) {
  static const char* const kTypes[] = {"ssh-ed25519 ",
                                       "ssh-rsa ",
                                       "ecdsa-sha2-nistp256 ",
                                       "ecdsa-sha2-nistp384 ",
                                       "ecdsa-sha2-nistp521 ",
                                       "sk-ssh-ed25519@openssh.com ",
                                       "sk-ecdsa-sha2-nistp256@openssh.com "};
  if (line.find_first_of("\n\r\"") != std::string::npos) return false;
  for (const char* t : kTypes) {
    if (line.rfind(t, 0) == 0) return true;
  }
  return false;
}

}  // namespace hgc
