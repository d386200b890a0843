// A real OpenLDAP server for tests: slapd on 127.0.0.1 (a free port) with
// an mdb database in a scratch directory, the core/cosine/inetorgperson/nis
// schemas plus a small test schema for `sshPublicKey` (openssh-lpk) and
// `hgAccountEnabled` (the reference's hgAccount), loaded with slapadd from
// the given LDIF before start. Stopped on destruction.
// Thread-safety: one test thread.
#pragma once

#include <string>

#include "test_support.h"

namespace hgc::test {

class Slapd {
 public:
  // `ldif`: entries under dc=mozilla (the suffix entry is added here).
  explicit Slapd(const std::string& ldif);
  ~Slapd();
  const std::string& url() const { return url_; }
  bool running() const { return pid_ > 0; }

 private:
  ScratchDir dir_;
  std::string url_;
  int pid_ = 0;
};

// LDIF for a person (mail = login, one sshPublicKey per key) and groups.
std::string LdapPerson(const std::string& mail, const std::vector<std::string>& keys,
                       const std::string& hg_account_enabled = "TRUE");
std::string LdapGroup(const std::string& cn, int gid, const std::vector<std::string>& members);

}  // namespace hgc::test
