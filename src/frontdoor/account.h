// Who may log in over SSH: an account is a login identity (the LDAP `mail`,
// e.g. alice@example.com), its SSH public keys and its groups. Accounts come
// from an AccountDirectory: the cluster's users file, LDAP, or both.
// Thread-safety: implementations are used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hgc {

struct Account {
  std::string login;
  std::vector<std::string> keys;    // authorized_keys lines ("ssh-ed25519 AAAA... comment")
  std::vector<std::string> groups;  // e.g. scm_level_1
  // LDAP `hgAccountEnabled` (§4.3): TRUE may log in, FALSE was disabled
  // (inactivity), anything else was never enabled.
  enum class Access { kEnabled, kDisabled, kNotEnabled };
  Access access = Access::kEnabled;
};

class AccountDirectory {
 public:
  virtual ~AccountDirectory() = default;
  // nullopt when there is no such login. Throws Error(kNotFound,
  // "multiple LDAP entries found; weird") for an ambiguous login and
  // Error(kIo, ...) when the directory cannot be reached.
  virtual std::optional<Account> Find(const std::string& login) = 0;
  // Every account that has at least one key.
  virtual std::vector<Account> AllWithKeys() = 0;
};

// Searches each directory in order; the first that knows a login wins.
// AllWithKeys skips (and reports on stderr) a directory that cannot be read.
class ChainedDirectory : public AccountDirectory {
 public:
  explicit ChainedDirectory(std::vector<std::unique_ptr<AccountDirectory>> parts)
      : parts_(std::move(parts)) {}
  std::optional<Account> Find(const std::string& login) override;
  std::vector<Account> AllWithKeys() override;

 private:
  std::vector<std::unique_ptr<AccountDirectory>> parts_;
};

// Key types sshd may accept from us (the reference skips ssh-dss).
bool UsableKeyLine(const std::string& line);

}  // namespace hgc
