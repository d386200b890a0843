#include "frontdoor/ldap_directory.h"

#define LDAP_DEPRECATED 0
#include <fmt/format.h>
#include <ldap.h>

#include <algorithm>
#include <memory>

#include "common/error.h"

namespace hgc {
namespace {

struct LdapCloser {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using LdapHandle = std::unique_ptr<LDAP, LdapCloser>;

struct MessageFree {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};

LdapHandle Connect(const LdapSettings& s) {
  LDAP* raw = nullptr;
  if (ldap_initialize(&raw, s.url.c_str()) != LDAP_SUCCESS || raw == nullptr) {
    throw Error(ErrorKind::kConfig, fmt::format("invalid LDAP url '{}'", s.url));
  }
  LdapHandle ld(raw);
  int version = LDAP_VERSION3;
  ldap_set_option(raw, LDAP_OPT_PROTOCOL_VERSION, &version);
  timeval timeout{5, 0};
  ldap_set_option(raw, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
  berval cred{static_cast<ber_len_t>(s.password.size()), const_cast<char*>(s.password.data())};
  int rc = ldap_sasl_bind_s(raw, s.bind_dn.empty() ? nullptr : s.bind_dn.c_str(), LDAP_SASL_SIMPLE,
                            &cred, nullptr, nullptr, nullptr);
  if (rc != LDAP_SUCCESS) {
    throw Error(ErrorKind::kIo, fmt::format("Could not connect to the LDAP server at {}", s.url));
  }
  return ld;
}

std::vector<std::string> Values(LDAP* ld, LDAPMessage* entry, const char* attr) {
  std::vector<std::string> out;
  berval** vals = ldap_get_values_len(ld, entry, attr);
  if (!vals) return out;
  for (int i = 0; vals[i]; ++i) out.emplace_back(vals[i]->bv_val, vals[i]->bv_len);
  ldap_value_free_len(vals);
  return out;
}

// Entries matching `filter`; each as the values of `attrs`.
std::vector<std::vector<std::vector<std::string>>> Search(LDAP* ld, const std::string& base,
                                                          int scope, const std::string& filter,
                                                          const std::vector<const char*>& attrs) {
  std::vector<char*> attr_ptrs;
  for (const char* a : attrs) attr_ptrs.push_back(const_cast<char*>(a));
  attr_ptrs.push_back(nullptr);
  LDAPMessage* raw = nullptr;
  int rc = ldap_search_ext_s(ld, base.c_str(), scope, filter.c_str(), attr_ptrs.data(), 0, nullptr,
                             nullptr, nullptr, LDAP_NO_LIMIT, &raw);
  std::unique_ptr<LDAPMessage, MessageFree> res(raw);
  std::vector<std::vector<std::vector<std::string>>> out;
  if (rc == LDAP_NO_SUCH_OBJECT) return out;
  if (rc != LDAP_SUCCESS) {
    throw Error(ErrorKind::kIo, fmt::format("LDAP search {} under {} failed: {}", filter, base,
                                            ldap_err2string(rc)));
  }
  for (LDAPMessage* e = ldap_first_entry(ld, raw); e; e = ldap_next_entry(ld, e)) {
    std::vector<std::vector<std::string>> entry;
    for (const char* a : attrs) entry.push_back(Values(ld, e, a));
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::string> GroupsOf(LDAP* ld, const LdapSettings& s, const std::string& login) {
  std::vector<std::string> groups;
  for (const auto& e :
       Search(ld, s.groups_basedn, LDAP_SCOPE_ONELEVEL,
              fmt::format("(&(objectClass=posixGroup)(memberUid={}))", LdapFilterEscape(login)),
              {"cn"})) {
    if (!e[0].empty()) groups.push_back(e[0][0]);
  }
  std::sort(groups.begin(), groups.end());
  return groups;
}

}  // namespace

std::string LdapFilterEscape(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == 0) {
      out += fmt::format("\\{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<Account> LdapDirectory::Find(const std::string& login) {
  LdapHandle ld = Connect(settings_);
  auto entries = Search(ld.get(), settings_.basedn, LDAP_SCOPE_SUBTREE,
                        fmt::format("(mail={})", LdapFilterEscape(login)),
                        {"sshPublicKey", "hgAccountEnabled"});
  if (entries.empty()) return std::nullopt;
  if (entries.size() > 1) {
    throw Error(ErrorKind::kNotFound, "multiple LDAP entries found; weird");
  }
  Account a{login, entries[0][0], GroupsOf(ld.get(), settings_, login)};
  if (settings_.require_hg_account) {
    std::string v = entries[0][1].empty() ? "" : entries[0][1][0];
    std::string clean;
    for (char c : v) {
      if (c != ' ' && c != '\t' && c != '\n' && c != '(' && c != ')' && c != '\'' && c != '"' &&
          c != ';') {
        clean += c;
      }
    }
    a.access = clean == "TRUE"    ? Account::Access::kEnabled
               : clean == "FALSE" ? Account::Access::kDisabled
                                  : Account::Access::kNotEnabled;
  }
  return a;
}

std::vector<Account> LdapDirectory::AllWithKeys() {
  LdapHandle ld = Connect(settings_);
  std::vector<Account> out;
  for (const auto& e : Search(ld.get(), settings_.basedn, LDAP_SCOPE_SUBTREE,
                              "(&(mail=*)(sshPublicKey=*))", {"mail", "sshPublicKey"})) {
    if (e[0].size() != 1) continue;
    out.push_back({e[0][0], e[1], {}});
  }
  return out;
}

}  // namespace hgc
