// Accounts from LDAP with the reference's layout (hosting spec §4.1, §4.4):
// a person is the entry under `basedn` whose `mail` is the login, with
// `sshPublicKey` values; groups are posixGroup entries one level under
// `groups_basedn` listing the login in `memberUid`. Each call opens its own
// connection (pash and ssh-keys are short-lived processes).
// Thread-safety: one thread at a time.
#pragma once

#include <string>

#include "frontdoor/account.h"

namespace hgc {

struct LdapSettings {
  std::string url;  // ldap://host:port
  std::string basedn = "dc=mozilla";
  std::string groups_basedn = "ou=groups,dc=mozilla";
  std::string bind_dn;  // empty: anonymous
  std::string password;
  // Whether logins need `hgAccountEnabled: TRUE` (the reference's hgAccount
  // object class); off for directories without that schema.
  bool require_hg_account = false;
};

class LdapDirectory : public AccountDirectory {
 public:
  explicit LdapDirectory(LdapSettings settings) : settings_(std::move(settings)) {}
  // Throws Error(kIo, "Could not connect to the LDAP server at <url>") when
  // the server cannot be reached.
  std::optional<Account> Find(const std::string& login) override;
  std::vector<Account> AllWithKeys() override;

 private:
  LdapSettings settings_;
};

// RFC 4515 escaping for a value inside a search filter.
std::string LdapFilterEscape(const std::string& value);

}  // namespace hgc
