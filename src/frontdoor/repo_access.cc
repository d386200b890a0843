#include "frontdoor/repo_access.h"

#include <fmt/format.h>
#include <grp.h>
#include <sys/stat.h>

#include <algorithm>

#include "common/ini.h"
#include "hg/repo_state.h"

namespace hgc {

std::string RepoOwningGroup(const std::string& repo_path, const std::string& default_group) {
  std::string hgrc = ReadFileOrEmpty(repo_path + "/.hg/hgrc");
  if (!hgrc.empty()) {
    try {
      auto g = IniFile::Parse(hgrc, repo_path + "/.hg/hgrc").Get("hgcluster", "group");
      if (g && !g->empty()) return *g;
    } catch (const std::exception&) {
      // An hgrc our INI reader rejects (e.g. %include): fall back to the gid.
    }
  }
  struct stat st {};
  if (stat(repo_path.c_str(), &st) != 0 || st.st_gid == 0) return default_group;
  if (group* gr = getgrgid(st.st_gid)) return gr->gr_name;
  return std::to_string(st.st_gid);
}

std::string PushRefusal(const Account& account, const std::string& repo_path,
                        const std::string& name, const std::string& default_group) {
  std::string group = RepoOwningGroup(repo_path, default_group);
  std::string hgrc = ReadFileOrEmpty(repo_path + "/.hg/hgrc");
  if (!hgrc.empty()) {
    try {
      auto owner = IniFile::Parse(hgrc, repo_path + "/.hg/hgrc").Get("hgcluster", "owner");
      if (owner && *owner == account.login) return "";
    } catch (const std::exception&) {
    }
  }
  if (std::find(account.groups.begin(), account.groups.end(), group) != account.groups.end()) {
    return "";
  }
  return fmt::format(
      "You ({}) do not have write access to {}: pushing requires membership of group {}",
      account.login, name, group);
}

}  // namespace hgc
