// The cluster's own account list, ROOT/leader/users.ini (docs/operations.md,
// "SSH front door"): one section per login, `groups` separated by spaces or
// commas, `keys` one authorized_keys line per (continuation) line:
//
//   [alice@example.com]
//   groups = scm_level_1 scm_level_3
//   keys = ssh-ed25519 AAAAC3... alice@laptop
//          ssh-ed25519 AAAAC3... alice@desktop
//
// Re-read on every lookup (each SSH login is a new process).
// Thread-safety: immutable after construction.
#pragma once

#include <string>

#include "frontdoor/account.h"

namespace hgc {

class UsersFile : public AccountDirectory {
 public:
  // A missing file is an empty directory.
  explicit UsersFile(std::string path) : path_(std::move(path)) {}
  std::optional<Account> Find(const std::string& login) override;
  std::vector<Account> AllWithKeys() override;

  // Adds or replaces `account` in the file at `path` (used by `hgcluster up`
  // for the default user and by `hgcluster user add`).
  static void Put(const std::string& path, const Account& account);

 private:
  std::vector<Account> Load() const;
  std::string path_;
};

}  // namespace hgc
