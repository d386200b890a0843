#include "frontdoor/pash.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "common/command_words.h"
#include "common/error.h"
#include "frontdoor/repo_access.h"
#include "frontdoor/repo_name.h"
#include "frontdoor/user_repo_menu.h"
#include "frontdoor/user_repos.h"
#include "hg/repo_state.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuccessfulAuth =
    "A SSH connection has been successfully established.\n"
    "\n"
    "Your account ({}) has privileges to access Mercurial over\n"
    "SSH.\n"
    "\n";

constexpr const char* kNoSshCommand =
    "You did not specify a command to run on the server. This server only\n"
    "supports running specific commands. Since there is nothing to do, you\n"
    "are being disconnected.\n";

constexpr const char* kInvalidSshCommand =
    "The command you specified is not allowed on this server.\n"
    "\n"
    "Goodbye.\n";

constexpr const char* kNoGroupMembership =
    "You are NOT a member of any LDAP groups that govern source control access.\n"
    "\n"
    "You will NOT be able to push to any repository until you have been granted\n"
    "commit access.\n"
    "\n"
    "See https://www.mozilla.org/about/governance/policies/commit/access-policy/ for\n"
    "more information.\n";

constexpr const char* kNoHgAccess =
    "A SSH connection has been established and your account ({})\n"
    "was found in LDAP.\n"
    "\n"
    "However, Mercurial access is not currently enabled on your LDAP account.\n"
    "\n"
    "Please follow the instructions at the following URL to gain Mercurial\n"
    "access:\n"
    "\n"
    "    https://www.mozilla.org/en-US/about/governance/policies/commit/\n";

constexpr const char* kHgAccessDisabled =
    "A SSH connection has been established, your account ({0})\n"
    "was found in LDAP, and your account has been configured for Mercurial\n"
    "access.\n"
    "\n"
    "However, Mercurial access is currently disabled on your account.\n"
    "This commonly occurs due to account inactivity (you need to SSH\n"
    "into {1} every few months to keep your account active).\n"
    "\n"
    "To restore Mercurial access, please file a bug on Bugzilla under\n"
    "the `mozilla.org :: Repository Account Requests` component and\n"
    "request access be restored for {0}.\n";

const std::multimap<std::string, std::string>& GroupDescriptions() {
  static const std::multimap<std::string, std::string> kMap = {
      {"scm_level_1", "Try"},
      {"scm_level_1", "User Repos (users/)"},
      {"scm_level_2", "Project Repos (projects/)"},
      {"scm_level_3", "Firefox and Thunderbird Repos via Lando"},
      {"scm_allow_direct_push", "Firefox Repos via direct push"},
      {"scm_conduit", "Test repos in conduit-testing/"},
      {"scm_lando", "Lando-managed repos"},
      {"scm_l10n", "Localization Repos (releases/l10n/*, others)"},
      {"scm_nss", "NSS and NSPR projects"},
      {"scm_versioncontrol", "Version Control Tools (hgcustom/version-control-tools)"},
  };
  return kMap;
}

std::string JoinOrUnknown(const std::set<std::string>& items) {
  if (items.empty()) return "Unknown";
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

bool IsDir(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int NotAllowed(const std::string& user) {
  std::cerr << fmt::format(kSuccessfulAuth, user) << kInvalidSshCommand;
  return 1;
}

int ServeHg(const FrontdoorConfig& config, const Account& account,
            const std::vector<std::string>& words) {
  if (words.size() != 5 || words[1] != "-R" || words[3] != "serve" || words[4] != "--stdio") {
    std::cerr << "invalid `hg` command executed; can only run serve --stdio\n";
    return 1;
  }
  auto name = ValidateRepoName(words[2]);
  if (!name) {
    std::cerr << kInvalidRepoNameMessage;
    return 1;
  }
  std::string path = config.repos + "/" + *name;
  if (!IsDir(path + "/.hg")) {
    std::cerr << fmt::format("requested repo {} does not exist\n", words[2]);
    return 1;
  }
  std::string hgrcpath = config.hgrcpath;
  std::string refusal = PushRefusal(account, path, *name, config.default_group);
  if (!refusal.empty()) {
    // hg serve --stdio serves pushes as well as pulls: a user who may only
    // read gets a config whose hooks refuse every transaction.
    hgrcpath += (hgrcpath.empty() ? "" : ":") + config.readonly_hgrc;
    setenv("HGCLUSTER_PUSH_REFUSAL", refusal.c_str(), 1);
  } else {
    unsetenv("HGCLUSTER_PUSH_REFUSAL");
  }
  setenv("HGRCPATH", hgrcpath.c_str(), 1);
  setenv("USER", account.login.c_str(), 1);
  unsetenv("HGPLAIN");
  std::cout.flush();
  std::cerr.flush();
  // With a session log, wait for hg to write the end line; else become hg.
  pid_t pid = config.session_log.empty() ? 0 : fork();
  if (pid < 0) {
    std::cerr << "cannot fork: " << strerror(errno) << "\n";
    return 1;
  }
  if (pid == 0) {
    execlp("hg", "hg", "-R", path.c_str(), "serve", "--stdio", static_cast<char*>(nullptr));
    std::cerr << "cannot run hg: " << strerror(errno) << "\n";
    if (!config.session_log.empty()) _exit(1);
    return 1;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string GroupReport(const std::vector<std::string>& all_groups) {
  std::set<std::string> groups;
  for (const auto& g : all_groups) {
    if (g.rfind("scm_", 0) == 0) groups.insert(g);
  }
  if (groups.empty()) return kNoGroupMembership;
  std::set<std::string> access;
  std::set<std::string> no_access;
  for (const auto& [group, description] : GroupDescriptions()) {
    (groups.count(group) ? access : no_access).insert(description);
  }
  return fmt::format(
      "You are a member of the following LDAP groups that govern source control\n"
      "access:\n"
      "\n"
      "   {}\n"
      "\n"
      "This will give you write access to the following repos:\n"
      "\n"
      "   {}\n"
      "\n"
      "You will NOT have write access to the following repos:\n"
      "\n"
      "   {}\n",
      JoinOrUnknown(groups), JoinOrUnknown(access), JoinOrUnknown(no_access));
}

int RunPash(const FrontdoorConfig& config, const std::string& user,
            const std::optional<std::string>& command) {
  std::optional<Account> account;
  try {
    account = config.Directory()->Find(user);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kIo && config.ldap) {
      std::cerr << fmt::format("Could not connect to the LDAP server at {}\n", config.ldap->url);
      return 1;
    }
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (!account || account->access == Account::Access::kNotEnabled) {
    std::cerr << fmt::format(kNoHgAccess, user);
    return 0;
  }
  if (account->access == Account::Access::kDisabled) {
    std::cerr << fmt::format(kHgAccessDisabled, user, config.hostname);
    return 0;
  }
  if (std::find(config.bots.begin(), config.bots.end(), user) == config.bots.end()) {
    // Only landing bots may name the user a push is made for (pushlog).
    unsetenv("AUTOLAND_REQUEST_USER");
  }
  setenv("USER", user.c_str(), 1);

  if (!command || command->empty()) {
    std::cerr << fmt::format(kSuccessfulAuth, user) << GroupReport(account->groups) << "\n"
              << kNoSshCommand;
    return 1;
  }
  auto words = SplitCommandWords(*command);
  if (!words || words->empty()) return NotAllowed(user);
  if ((*words)[0] == "hg") return ServeHg(config, *account, *words);
  if (words->size() < 2) return NotAllowed(user);

  auto name = ValidateRepoName((*words)[1]);
  if (!name) {
    std::cerr << kInvalidRepoNameMessage;
    return 1;
  }
  const std::string& verb = (*words)[0];
  if (verb == "clone" || verb == "edit") {
    if (!config.user_repos) {
      std::cout << "user repository management is not enabled\n";
      return 1;
    }
    if (verb == "clone" && words->size() == 3) {
      return UserRepoClone(config, user, *name, (*words)[2]);
    }
    if (verb == "edit" && words->size() == 4 && (*words)[2] == "delete" && (*words)[3] == "YES") {
      return UserRepoDelete(config, user, *name);
    }
    if (verb == "edit" && words->size() != 2) {
      std::cout << "edit usage: ssh hg.mozilla.org edit [userrepo delete] - WARNING: will not "
                   "prompt!\n";
      return 1;
    }
    if (verb == "clone") return UserRepoCloneMenu(config, user, *name, std::cin);
    return UserRepoEditMenu(config, user, *name, std::cin);
  }
  if (verb == "repo-group") {
    if (!config.repo_group) {
      std::cout << "repo-group command not available\n";
      return 1;
    }
    std::string path = config.repos + "/" + *name;
    if (!IsDir(path) || !IsDir(path + "/.hg")) {
      std::cout << fmt::format("{} is not an hg repository\n", (*words)[1]);
      return 1;
    }
    std::cout << RepoOwningGroup(path, config.default_group) << "\n";
    return 0;
  }
  if (verb == "repo-config") {
    if (!config.repo_config) {
      std::cout << "repo-config command not available\n";
      return 1;
    }
    std::cout << ReadFileOrEmpty(config.repos + "/" + *name + "/.hg/hgrc");
    return 0;
  }
  return NotAllowed(user);
}

}  // namespace hgc
