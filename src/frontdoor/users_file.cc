#include "frontdoor/users_file.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "common/ini.h"
#include "common/text.h"
#include "hg/repo_state.h"

namespace hgc {
namespace {

std::vector<std::string> SplitAny(const std::string& text, const std::string& seps) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (seps.find(c) != std::string::npos) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

std::vector<Account> UsersFile::Load() const {
  std::vector<Account> out;
  if (!std::filesystem::exists(path_)) return out;
  std::string text = ReadFileOrEmpty(path_);
  IniFile ini = IniFile::Parse(text, path_);
  // Section names in file order.
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = Trim(line);
    if (line.size() < 3 || line.front() != '[' || line.back() != ']') continue;
    Account a;
    a.login = line.substr(1, line.size() - 2);
    for (const auto& g : SplitAny(ini.GetOr(a.login, "groups", ""), " ,\t\n")) {
      a.groups.push_back(g);
    }
    for (const auto& k : SplitAny(ini.GetOr(a.login, "keys", ""), "\n")) {
      if (!Trim(k).empty()) a.keys.push_back(Trim(k));
    }
    if (!ini.GetBool(a.login, "enabled", true)) a.access = Account::Access::kDisabled;
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<Account> UsersFile::Find(const std::string& login) {
  for (auto& a : Load()) {
    if (a.login == login) return a;
  }
  return std::nullopt;
}

std::vector<Account> UsersFile::AllWithKeys() {
  std::vector<Account> out;
  for (auto& a : Load()) {
    if (!a.keys.empty()) out.push_back(std::move(a));
  }
  return out;
}

void UsersFile::Put(const std::string& path, const Account& account) {
  std::vector<Account> all = UsersFile(path).Load();
  bool replaced = false;
  for (auto& a : all) {
    if (a.login == account.login) {
      a = account;
      replaced = true;
    }
  }
  if (!replaced) all.push_back(account);
  std::string text =
      "# SSH accounts of this cluster (docs/operations.md, \"SSH front door\").\n"
      "# [login]  groups = space-separated groups; keys = one public key per line.\n";
  for (const auto& a : all) {
    if (a.login.find_first_of("[]\n") != std::string::npos) {
      throw Error(ErrorKind::kUsage, fmt::format("invalid login name '{}'", a.login));
    }
    std::string groups;
    for (const auto& g : a.groups) groups += (groups.empty() ? "" : " ") + g;
    text += fmt::format("\n[{}]\ngroups = {}\nkeys =", a.login, groups);
    for (const auto& k : a.keys) text += "\n  " + k;
    text += "\n";
  }
  WriteFileAtomic(path, text);
}

}  // namespace hgc
