#include "frontdoor/user_repos.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "common/subprocess.h"
#include "frontdoor/repo_name.h"
#include "hg/hg_runner.h"
#include "hg/repo_state.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBugUrl =
    "If you think this is wrong, please file a Developer Services :: hg.mozilla.org\n"
    "bug at\n"
    "https://bugzilla.mozilla.org/enter_bug.cgi?product=Developer%20Services&component="
    "Mercurial%3A%20hg.mozilla.org\n";

ProcessResult Hg(const FrontdoorConfig& c, const std::string& user,
                 const std::vector<std::string>& args) {
  // Its output goes to the user as hg's own: not HGPLAIN.
  HgProcessOptions o;
  o.hgrcpath = c.hgrcpath;
  o.env = {{"USER", user}};
  o.plain = false;
  return MakeProcessHgRunner(o)->Run("", args);
}

// The reference's last steps for a new user repository: write access for
// the owner and scm_level_1 (its user:scm_level_1 group-writable files), and
// non-publishing.
int FixPermissions(const FrontdoorConfig& c, const std::string& dest, const std::string& user) {
  std::cout << "Fixing permissions, don't interrupt.\n";
  WriteFileAtomic(dest + "/.hg/hgrc", fmt::format("[hgcluster]\nowner = {}\ngroup = scm_level_1\n\n"
                                                  "[phases]\npublish = False\n",
                                                  user));
  ReplicateUserRepo(c, dest, "hgrc");
  std::cerr << "Repository marked as non-publishing: draft changesets will remain in the draft "
               "phase when pushed.\n";
  return 0;
}

}  // namespace

void ReplicateUserRepo(const FrontdoorConfig& c, const std::string& repo, const std::string& what) {
  if (c.leader_hgrc.empty()) return;
  RunProcess({SelfExecutable(), "replicate", "--config", c.leader_hgrc, "--repo", repo, what});
}

std::string UserRepoDir(const std::string& user) {
  std::string out = user;
  for (char& ch : out) {
    if (ch == '@') ch = '_';
  }
  return out;
}

int UserRepoClone(const FrontdoorConfig& c, const std::string& user, const std::string& name,
                  const std::string& source) {
  std::string dir = UserRepoDir(user);
  std::string dest = fmt::format("{}/users/{}/{}", c.repos, dir, name);
  if (fs::exists(dest)) {
    std::cout << fmt::format("You already have a repo called {}.\n\n{}", name, kBugUrl);
    return 1;
  }
  auto src = ValidateRepoName(source);
  if (!src) {
    std::cerr << kInvalidRepoNameMessage;
    return 1;
  }
  std::string src_path = c.repos + "/" + *src;
  if (!fs::exists(src_path + "/.hg")) {
    std::cout << fmt::format("Sorry, there is no source repo called {}.\n\n{}", source, kBugUrl);
    return 1;
  }
  std::cout << fmt::format("Please wait.  Cloning /{} to /users/{}/{}\n", *src, dir, name)
            << std::flush;
  fs::create_directories(fs::path(dest).parent_path());
  ProcessResult r = Hg(c, user, {"init", dest});
  if (r.ok()) r = Hg(c, user, {"-R", dest, "pull", "-q", src_path});
  if (!r.ok()) {
    std::cerr << r.out << r.err;
    return 1;
  }
  ReplicateUserRepo(c, dest, "sync");
  std::cout << "Clone complete.\n";
  return FixPermissions(c, dest, user);
}

int UserRepoCreateEmpty(const FrontdoorConfig& c, const std::string& user,
                        const std::string& name) {
  std::string dir = UserRepoDir(user);
  std::string dest = fmt::format("{}/users/{}/{}", c.repos, dir, name);
  if (fs::exists(dest)) {
    std::cout << fmt::format("You already have a repo called {}.\n\n{}", name, kBugUrl);
    return 1;
  }
  fs::create_directories(fs::path(dest).parent_path());
  // hg init with the leader's config: the creation is replicated by its hooks.
  ProcessResult r = Hg(c, user, {"init", dest});
  if (!r.ok()) {
    std::cerr << r.out << r.err;
    return 1;
  }
  return FixPermissions(c, dest, user);
}

int UserRepoDelete(const FrontdoorConfig& c, const std::string& user, const std::string& name,
                   bool header) {
  std::string dir = UserRepoDir(user);
  std::string path = fmt::format("{}/users/{}/{}", c.repos, dir, name);
  if (header) std::cout << fmt::format("Editing repo https://{}/{}/{}\n", c.hostname, dir, name);
  if (!fs::exists(path)) {
    std::cout << fmt::format(
        "Could not find the repository at /users/{}/{}.\n"
        "Please check the list at https://{}/users/{}\n",
        dir, name, c.hostname, dir);
    return 1;
  }
  if (c.leader_hgrc.empty()) {
    fs::remove_all(path);
  } else {
    ReplicateUserRepo(c, path, "delete");
  }
  return 0;
}

}  // namespace hgc
