// pash as sshd runs it (`hgcluster pash --config ... --user ...` with
// SSH_ORIGINAL_COMMAND), without sshd: every message and exit code, and
// push/pull through a stand-in for ssh that runs pash the same way.
#include "frontdoor/pash.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "frontdoor/repo_name.h"
#include "frontdoor/sshd_setup.h"
#include "frontdoor/users_file.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::Hgcluster;
using test::RepoFingerprint;
using test::ScratchDir;
using test::Sh;

constexpr const char* kBanner =
    "A SSH connection has been successfully established.\n"
    "\n"
    "Your account (alice@example.com) has privileges to access Mercurial over\n"
    "SSH.\n"
    "\n";

constexpr const char* kNotAllowed =
    "The command you specified is not allowed on this server.\n"
    "\n"
    "Goodbye.\n";

constexpr const char* kNoCommand =
    "You did not specify a command to run on the server. This server only\n"
    "supports running specific commands. Since there is nothing to do, you\n"
    "are being disconnected.\n";

constexpr const char* kInvalidHg = "invalid `hg` command executed; can only run serve --stdio\n";

class PashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repos_ = dir_ / "repos";
    std::filesystem::create_directories(repos_ + "/nested");
    for (const char* r : {"app", "plain", "nested/deep"}) {
      ASSERT_TRUE(Sh("hg init " + repos_ + "/" + r, {{"HGRCPATH", ""}}).ok());
    }
    WriteFileAtomic(repos_ + "/app/.hg/hgrc", "[hgcluster]\ngroup = scm_level_3\n");
    WriteFileAtomic(dir_ / "readonly.rc", ReadonlyHgrc());
    UsersFile::Put(dir_ / "users.ini", {"alice@example.com",
                                        {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA alice"},
                                        {"scm_level_3", "scm_level_1", "other"}});
    UsersFile::Put(dir_ / "users.ini", {"bob@example.com", {}, {"unrelated"}});
    WriteFileAtomic(dir_ / "users.ini", ReadFileOrEmpty(dir_ / "users.ini") +
                                            "\n[dora@example.com]\nenabled = false\n");
    config_ = WriteConfig("frontdoor.ini", "");
  }

  std::string WriteConfig(const std::string& name, const std::string& extra) {
    std::string path = dir_ / name;
    WriteFileAtomic(path, "[frontdoor]\nrepos = " + repos_ + "\nhgrcpath = \nreadonly_hgrc = " +
                              (dir_ / "readonly.rc") + "\nhostname = hg.example.test\n" +
                              "users_file = " + (dir_ / "users.ini") +
                              "\ndefault_group = scm_level_1\n" + extra);
    return path;
  }

  ProcessResult Pash(const std::string& user, std::optional<std::string> command,
                     const std::string& config = "") {
    std::map<std::string, std::string> env;
    if (command) env["SSH_ORIGINAL_COMMAND"] = *command;
    return Hgcluster({"pash", "--config", config.empty() ? config_ : config, "--user", user}, env);
  }

  // pash with `input` on stdin (the interactive menus).
  ProcessResult PashWithInput(const std::string& user, const std::string& command,
                              const std::string& input) {
    ProcessOptions o;
    o.env_set = {{"SSH_ORIGINAL_COMMAND", command}};
    o.stdin_data = input;
    return RunProcess({test::HgclusterBin(), "pash", "--config", config_, "--user", user}, o);
  }

  // An ssh stand-in for hg -e: runs pash with the remote command, as sshd would.
  std::string SshAs(const std::string& user) {
    std::string path = dir_ / ("ssh-" + user);
    WriteFileAtomic(path, "#!/bin/sh\nfor a; do last=$a; done\nSSH_ORIGINAL_COMMAND=$last exec " +
                              test::HgclusterBin() + " pash --config " + config_ + " --user " +
                              user + "\n");
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
  }

  ProcessResult Hg(const std::string& args) {
    return Sh("hg " + args, {{"HGRCPATH", ""}, {"HGUSER", "T <t@example.com>"}, {"HGPLAIN", "1"}});
  }

  ScratchDir dir_;
  std::string repos_;
  std::string config_;
};

TEST_F(PashTest, NoCommandPrintsBannerGroupReportAndDisconnects) {
  auto r = Pash("alice@example.com", std::nullopt);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            std::string(kBanner) +
                "You are a member of the following LDAP groups that govern source control\n"
                "access:\n"
                "\n"
                "   scm_level_1, scm_level_3\n"
                "\n"
                "This will give you write access to the following repos:\n"
                "\n"
                "   Firefox and Thunderbird Repos via Lando, Try, User Repos (users/)\n"
                "\n"
                "You will NOT have write access to the following repos:\n"
                "\n"
                "   Firefox Repos via direct push, Lando-managed repos, Localization Repos "
                "(releases/l10n/*, others), NSS and NSPR projects, Project Repos (projects/), Test "
                "repos in conduit-testing/, Version Control Tools "
                "(hgcustom/version-control-tools)\n"
                "\n" +
                kNoCommand);
}

TEST_F(PashTest, NoScmGroupsSaysSo) {
  auto r = Pash("bob@example.com", std::nullopt);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Your account (bob@example.com) has privileges"), std::string::npos);
  EXPECT_NE(
      r.err.find("SSH.\n\n"
                 "You are NOT a member of any LDAP groups that govern source control access.\n"
                 "\n"
                 "You will NOT be able to push to any repository until you have been granted\n"
                 "commit access.\n"
                 "\n"
                 "See https://www.mozilla.org/about/governance/policies/commit/access-policy/ "
                 "for\nmore information.\n\n" +
                 std::string(kNoCommand)),
      std::string::npos)
      << r.err;
}

TEST_F(PashTest, UnknownAndDisabledAccounts) {
  auto r = Pash("mallory@example.com", "hg -R app serve --stdio");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "A SSH connection has been established and your account (mallory@example.com)\n"
            "was found in LDAP.\n"
            "\n"
            "However, Mercurial access is not currently enabled on your LDAP account.\n"
            "\n"
            "Please follow the instructions at the following URL to gain Mercurial\n"
            "access:\n"
            "\n"
            "    https://www.mozilla.org/en-US/about/governance/policies/commit/\n");
  r = Pash("dora@example.com", "hg -R app serve --stdio");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "A SSH connection has been established, your account (dora@example.com)\n"
            "was found in LDAP, and your account has been configured for Mercurial\n"
            "access.\n"
            "\n"
            "However, Mercurial access is currently disabled on your account.\n"
            "This commonly occurs due to account inactivity (you need to SSH\n"
            "into hg.example.test every few months to keep your account active).\n"
            "\n"
            "To restore Mercurial access, please file a bug on Bugzilla under\n"
            "the `mozilla.org :: Repository Account Requests` component and\n"
            "request access be restored for dora@example.com.\n");
}

TEST_F(PashTest, OtherCommandsAreNotAllowed) {
  for (const char* cmd : {"foobar", "ls app", "rm -rf", "sh -c id", "'unterminated", "scp x y"}) {
    auto r = Pash("alice@example.com", std::string(cmd));
    EXPECT_EQ(r.exit_code, 1) << cmd;
    if (std::string(cmd) == "rm -rf" || std::string(cmd) == "sh -c id") {
      // The second word is validated as a repository name first.
      EXPECT_EQ(r.err, kInvalidRepoNameMessage) << cmd;
    } else {
      EXPECT_EQ(r.err, std::string(kBanner) + kNotAllowed) << cmd;
    }
  }
}

TEST_F(PashTest, OnlyExactlyHgServeStdioRuns) {
  for (const char* cmd :
       {"hg", "hg serve --stdio", "hg -R app log", "hg -R app serve --stdio --debugger",
        "hg -R app serve --stdio --config hooks.x=id", "hg --config x=y -R app serve --stdio",
        "hg -R app serve", "hg -R my repo serve --stdio", "hg -R app serve --stdio x"}) {
    auto r = Pash("alice@example.com", std::string(cmd));
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_EQ(r.err, kInvalidHg) << cmd;
  }
  auto r = Pash("alice@example.com", "hg -R ../app serve --stdio");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, kInvalidRepoNameMessage);
  r = Pash("alice@example.com", "hg -R /etc serve --stdio");
  EXPECT_EQ(r.err, kInvalidRepoNameMessage);
  r = Pash("alice@example.com", "hg -R app/.hg serve --stdio");
  EXPECT_EQ(r.err, kInvalidRepoNameMessage);
  r = Pash("alice@example.com", "hg -R missing serve --stdio");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "requested repo missing does not exist\n");
  r = Pash("alice@example.com", "hg -R nested serve --stdio");
  EXPECT_EQ(r.err, "requested repo nested does not exist\n");
}

TEST_F(PashTest, RepoGroupAndRepoConfig) {
  auto r = Pash("alice@example.com", "repo-group app");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "scm_level_3\n");
  r = Pash("bob@example.com", "repo-group nested/deep/");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "scm_level_1\n");  // default_group: the directory is gid 0
  r = Pash("alice@example.com", "repo-group nested");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "nested is not an hg repository\n");
  r = Pash("alice@example.com", "repo-group ../x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, kInvalidRepoNameMessage);

  r = Pash("bob@example.com", "repo-config app");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "[hgcluster]\ngroup = scm_level_3\n");
  r = Pash("bob@example.com", "repo-config plain");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");

  std::string off = WriteConfig("off.ini", "repo_group = false\nrepo_config = false\n");
  r = Pash("alice@example.com", "repo-group app", off);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "repo-group command not available\n");
  r = Pash("alice@example.com", "repo-config app", off);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "repo-config command not available\n");
}

TEST_F(PashTest, UserRepositoryCommandsCanBeDisabled) {
  std::string off = WriteConfig("off.ini", "user_repos = false\n");
  for (const char* cmd : {"clone mine", "clone mine app", "edit mine", "edit mine delete YES"}) {
    auto r = Pash("alice@example.com", std::string(cmd), off);
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_EQ(r.out, "user repository management is not enabled\n") << cmd;
  }
}

TEST_F(PashTest, UserRepositoriesCloneAndDelete) {
  std::string work = dir_ / "work";
  ASSERT_TRUE(Hg("init " + work).ok());
  WriteFileAtomic(work + "/a", "one\n");
  ASSERT_TRUE(Hg("-R " + work + " commit -Am first").ok());
  ASSERT_TRUE(Hg("-R " + work + " push " + repos_ + "/app").ok());

  auto r = Pash("alice@example.com", "clone mine app");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Please wait.  Cloning /app to /users/alice_example.com/mine\n"
            "Clone complete.\n"
            "Fixing permissions, don't interrupt.\n");
  EXPECT_EQ(r.err,
            "Repository marked as non-publishing: draft changesets will remain in the draft "
            "phase when pushed.\n");
  std::string mine = repos_ + "/users/alice_example.com/mine";
  EXPECT_EQ(RepoFingerprint(mine), RepoFingerprint(repos_ + "/app"));
  EXPECT_EQ(ReadFileOrEmpty(mine + "/.hg/hgrc"),
            "[hgcluster]\nowner = alice@example.com\ngroup = scm_level_1\n\n"
            "[phases]\npublish = False\n");
  // The owner may push to it (alice is also in scm_level_1; bob is in neither).
  r = Pash("bob@example.com", "repo-group users/alice_example.com/mine");
  EXPECT_EQ(r.out, "scm_level_1\n");

  const std::string bug_url =
      "\n\nIf you think this is wrong, please file a Developer Services :: hg.mozilla.org\n"
      "bug at\n"
      "https://bugzilla.mozilla.org/enter_bug.cgi?product=Developer%20Services&component="
      "Mercurial%3A%20hg.mozilla.org\n";
  r = Pash("alice@example.com", "clone mine app");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "You already have a repo called mine." + bug_url);
  r = Pash("alice@example.com", "clone other nothere");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "Sorry, there is no source repo called nothere." + bug_url);
  r = Pash("alice@example.com", "clone other ../app");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, kInvalidRepoNameMessage);

  r = Pash("alice@example.com", "edit mine rename");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "edit usage: ssh hg.mozilla.org edit [userrepo delete] - WARNING: will not prompt!\n");
  r = Pash("alice@example.com", "edit gone delete YES");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "Editing repo https://hg.example.test/alice_example.com/gone\n"
            "Could not find the repository at /users/alice_example.com/gone.\n"
            "Please check the list at https://hg.example.test/users/alice_example.com\n");
  r = Pash("alice@example.com", "edit mine delete YES");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Editing repo https://hg.example.test/alice_example.com/mine\n");
  EXPECT_FALSE(std::filesystem::exists(mine));
}

TEST_F(PashTest, GroupMembersPushOthersOnlyPull) {
  std::string work = dir_ / "work";
  ASSERT_TRUE(Hg("init " + work).ok());
  WriteFileAtomic(work + "/a", "one\n");
  ASSERT_TRUE(Hg("-R " + work + " commit -Am first").ok());

  auto r = Hg("-R " + work + " push -e " + SshAs("alice@example.com") + " ssh://x/app");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RepoFingerprint(repos_ + "/app"), RepoFingerprint(work));

  // bob may clone (a valid account is enough to read)...
  r = Hg("clone -e " + SshAs("bob@example.com") + " ssh://x/app " + (dir_ / "bobs"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  WriteFileAtomic(dir_ / "bobs/a", "two\n");
  ASSERT_TRUE(Hg("-R " + (dir_ / "bobs") + " commit -m second").ok());
  // ... but not push: the refusal names the group, and nothing lands.
  r = Hg("-R " + (dir_ / "bobs") + " push -e " + SshAs("bob@example.com") + " ssh://x/app");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("remote: You (bob@example.com) do not have write access to app: pushing "
                       "requires membership of group scm_level_3"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(RepoFingerprint(repos_ + "/app"), RepoFingerprint(work));
  // Bookmarks are transactions too.
  r = Hg("-R " + (dir_ / "bobs") + " bookmark -r 0 feature");
  r = Hg("-R " + (dir_ / "bobs") + " push -B feature -r 0 -e " + SshAs("bob@example.com") +
         " ssh://x/app");
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Hg("-R " + repos_ + "/app bookmarks").out, "no bookmarks set\n");
  // A repo without a group setting belongs to default_group (scm_level_1): alice may push.
  r = Hg("-R " + work + " push -e " + SshAs("alice@example.com") + " ssh://x/plain");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(PashTest, SessionLogHasStartAndEndLinesWithTheExitCode) {
  config_ = WriteConfig("logged.ini", "session_log = " + (dir_ / "sessions.log") + "\n");
  auto r = Pash("alice@example.com", "foobar", config_);
  EXPECT_EQ(r.exit_code, 1);
  std::string work = dir_ / "work";
  ASSERT_TRUE(Hg("init " + work).ok());
  WriteFileAtomic(work + "/a", "one\n");
  ASSERT_TRUE(Hg("-R " + work + " commit -Am first").ok());
  r = Hg("-R " + work + " push -e " + SshAs("alice@example.com") + " ssh://x/app");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RepoFingerprint(repos_ + "/app"), RepoFingerprint(work));
  std::string log = ReadFileOrEmpty(dir_ / "sessions.log");
  for (const char* line :
       {" pash_wrapper[",
        ": start user: 'alice@example.com; ssh_command: 'foobar'; connection: ''\n",
        ": end user: 'alice@example.com; ssh_command: 'foobar'; connection: ''; ec: '1'\n",
        ": start user: 'alice@example.com; ssh_command: 'hg -R app serve --stdio'; connection: "
        "''\n",
        ": end user: 'alice@example.com; ssh_command: 'hg -R app serve --stdio'; connection: ''; "
        "ec: '0'\n"}) {
    EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
  }
}

// Any user with a key chooses the SSH command: a newline or a quote in it
// must not end the line or the field and forge another user's session.
TEST_F(PashTest, SessionLogCannotBeForgedThroughTheSshCommand) {
  config_ = WriteConfig("logged.ini", "session_log = " + (dir_ / "sessions.log") + "\n");
  const std::string forged =
      "foo'; connection: ''\n2026-01-01T00:00:00Z pash_wrapper[1]: start user: "
      "'root@example.com; ssh_command: 'hg -R app serve --stdio\\x";
  auto r = Pash("alice@example.com", forged, config_);
  EXPECT_EQ(r.exit_code, 1);
  std::string log = ReadFileOrEmpty(dir_ / "sessions.log");
  // Exactly two lines (start and end), both alice's.
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2) << log;
  EXPECT_EQ(log.find("\n2026-01-01T00:00:00Z"), std::string::npos) << log;
  EXPECT_NE(log.find(": start user: 'alice@example.com; ssh_command: 'foo\\'; connection: "
                     "\\'\\'\\n2026-01-01T00:00:00Z pash_wrapper[1]: start user: "
                     "\\'root@example.com; ssh_command: \\'hg -R app serve --stdio\\\\x'; "
                     "connection: ''\n"),
            std::string::npos)
      << log;
}

TEST_F(PashTest, OnlyBotsKeepAutolandRequestUser) {
  WriteFileAtomic(dir_ / "show-env.rc",
                  "[hooks]\npretxnopen.env = echo \"USER=$USER ARU=$AUTOLAND_REQUEST_USER\" >&2\n");
  std::string extra = "hgrcpath = " + (dir_ / "show-env.rc") + "\n";
  std::string plain = WriteConfig("plain.ini", "");
  std::string bot = WriteConfig("bot.ini", "bots = alice@example.com\n");
  std::string work = dir_ / "work";
  ASSERT_TRUE(Hg("init " + work).ok());
  WriteFileAtomic(work + "/a", "one\n");
  ASSERT_TRUE(Hg("-R " + work + " commit -Am first").ok());
  for (const auto& [config, expected] :
       {std::pair{plain, "remote: USER=alice@example.com ARU=\n"},
        std::pair{bot, "remote: USER=alice@example.com ARU=someone@example.com\n"}}) {
    // hgrcpath with the env-printing hook (the option written last wins).
    WriteFileAtomic(config, ReadFileOrEmpty(config) + extra);
    config_ = config;
    auto r = Sh(
        "hg -R " + work + " push -f -e " + SshAs("alice@example.com") + " ssh://x/plain",
        {{"HGRCPATH", ""}, {"AUTOLAND_REQUEST_USER", "someone@example.com"}, {"USER", "spoofed"}});
    EXPECT_NE(r.out.find(expected), std::string::npos) << config << r.out << r.err;
    Sh("hg -R " + repos_ + "/plain --config extensions.strip= strip -r 0 --no-backup",
       {{"HGRCPATH", ""}});
  }
}

// The interactive menus of `clone NAME` and `edit NAME` (spec §4.7), fed on
// stdin: an empty repository, its description, publishing and obsolescence
// settings, bad answers re-asked, a clone of a public repository, deletion.
TEST_F(PashTest, UserRepositoryMenus) {
  const std::string alice = "alice@example.com";
  std::string empty = repos_ + "/users/alice_example.com/empty";
  auto r = PashWithInput(alice, "clone empty", "1\n2\n1\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Making repo empty for alice@example.com."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n0) Exit.\n1) Yes.\n2) No.\n\nProceed? "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1) Clone a public repository.\n2) Create an empty repository.\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("About to create an empty repository at /users/alice_example.com/empty"),
            std::string::npos);
  ASSERT_TRUE(std::filesystem::exists(empty + "/.hg"));
  EXPECT_NE(ReadFileOrEmpty(empty + "/.hg/hgrc").find("publish = False"), std::string::npos);

  r = PashWithInput(alice, "edit empty", "2\n1\nMy <repo> & more\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("Editing repo https://hg.example.test/alice_example.com/empty\n", 0), 0u);
  EXPECT_NE(r.out.find("Enter a one line descripton for the repository: "), std::string::npos);
  EXPECT_NE(ReadFileOrEmpty(empty + "/.hg/hgrc")
                .find("[web]\ndescription = My &lt;repo&gt; &amp; more\n"),
            std::string::npos)
      << ReadFileOrEmpty(empty + "/.hg/hgrc");
  r = PashWithInput(alice, "edit empty", "2\n1\nbad\x01char\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("\nDescription must contain only printable characters.\n"),
            std::string::npos);

  r = PashWithInput(alice, "edit empty", "4\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "Repository marked as publishing: changesets will change to public phase when "
            "pushed.\n");
  EXPECT_NE(ReadFileOrEmpty(empty + "/.hg/hgrc").find("publish = True"), std::string::npos);
  r = PashWithInput(alice, "edit empty", "5\n");
  EXPECT_NE(r.out.find("Obsolescence is now enabled for this repository."), std::string::npos);
  EXPECT_NE(ReadFileOrEmpty(empty + "/.hg/hgrc").find("[experimental]\nevolution = true"),
            std::string::npos);
  r = PashWithInput(alice, "edit empty", "6\n");
  EXPECT_NE(r.out.find("Obsolescence is now disabled for this repo."), std::string::npos);
  EXPECT_EQ(ReadFileOrEmpty(empty + "/.hg/hgrc").find("evolution"), std::string::npos);

  r = PashWithInput(alice, "edit empty", "x\n9\n0\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "Please select the number corresponding to the option\n"
            "Please select one of the presented options\n");

  r = PashWithInput(alice, "clone fromapp", "1\n1\n1\n1\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("List of available public repos\n\n0) Exit.\n1) app\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Clone complete."), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(repos_ + "/users/alice_example.com/fromapp/.hg"));

  r = PashWithInput(alice, "edit empty", "1\n1\n");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("This action is IRREVERSIBLE."), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(empty));
}

}  // namespace
}  // namespace hgc
