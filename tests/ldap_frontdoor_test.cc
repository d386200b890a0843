// Keys and groups from a real slapd: `hgcluster ssh-keys` (the reference's
// ldap-lookup-ssh-key messages), pash's account checks and group report, and
// a push over the SSH front door by an LDAP user.
#include <gtest/gtest.h>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "slapd_fixture.h"

namespace hgc::test {
namespace {

std::string PublicKey(const ScratchDir& dir, const std::string& name) {
  std::string path = dir / name;
  EXPECT_TRUE(Sh("ssh-keygen -q -t ed25519 -N '' -C " + name + " -f " + path).ok());
  std::string text = ReadFileOrEmpty(path + ".pub");
  return text.substr(0, text.find('\n'));
}

class LdapFrontdoorTest : public ::testing::Test {
 protected:
  LdapFrontdoorTest()
      : carol_key_(PublicKey(keys_, "carol")),
        dave_key_(PublicKey(keys_, "dave")),
        slapd_(LdapPerson("carol@example.com", {carol_key_, "ssh-dss AAAAB3NzaC1kc3M= old"}) +
               LdapPerson("dave@example.com", {dave_key_}) + LdapPerson("nokeys@example.com", {}) +
               LdapPerson("dssonly@example.com", {"ssh-dss AAAAB3NzaC1kc3M= old"}) +
               LdapPerson("erin@example.com", {PublicKey(keys_, "erin")}, "FALSE") +
               LdapPerson("frank@example.com", {PublicKey(keys_, "frank")}, "") +
               "dn: cn=dup1,ou=people,dc=mozilla\nobjectClass: inetOrgPerson\ncn: dup1\n"
               "sn: dup\nmail: dup@example.com\n\n"
               "dn: cn=dup2,ou=people,dc=mozilla\nobjectClass: inetOrgPerson\ncn: dup2\n"
               "sn: dup\nmail: dup@example.com\n\n" +
               LdapGroup("scm_level_3", 1003, {"carol@example.com"}) +
               LdapGroup("scm_l10n", 1010, {"carol@example.com", "dave@example.com"}) +
               LdapGroup("scm_level_1", 1001, {"dave@example.com"}) +
               LdapGroup("staff", 2000, {"carol@example.com"})) {
    config_ = dir_ / "frontdoor.ini";
    WriteFileAtomic(config_, "[frontdoor]\nrepos = " + (dir_ / "repos") +
                                 "\nreadonly_hgrc = /dev/null\n[ldap]\nurl = " + slapd_.url() +
                                 "\nrequire_hg_account = true\n");
  }

  ProcessResult Run(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> all = {args[0], "--config", config_};
    all.insert(all.end(), args.begin() + 1, args.end());
    return Hgcluster(all, env);
  }

  ScratchDir keys_;
  ScratchDir dir_;
  std::string carol_key_;
  std::string dave_key_;
  Slapd slapd_;
  std::string config_;
};

TEST_F(LdapFrontdoorTest, SshKeysPrintsAUsersKeysFromLdap) {
  auto r = Run({"ssh-keys", "carol@example.com"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, carol_key_ + "\n");  // the ssh-dss key is skipped
  r = Run({"ssh-keys", "nobody@example.com"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "user not found\n");
  r = Run({"ssh-keys", "nokeys@example.com"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "no SSH keys found for user\n");
  r = Run({"ssh-keys", "dssonly@example.com"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "no valid SSH keys found for user\n");
  r = Run({"ssh-keys", "dup@example.com"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "multiple LDAP entries found; weird\n");
  r = Run({"ssh-keys", "*"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "user not found\n");  // filter characters are escaped
  r = Run({"ssh-keys"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "usage: hgcluster ssh-keys <user>\n");
}

TEST_F(LdapFrontdoorTest, AuthorizedKeysCarryTheLoginInTheForcedCommand) {
  auto r = Run({"ssh-keys", "--authorized-keys", "root"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("restrict,command=\"" + ShellQuote(HgclusterBin()) + " pash --config " +
                       ShellQuote(config_) + " --user carol@example.com\" " + carol_key_ + "\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("--user dave@example.com\" " + dave_key_ + "\n"), std::string::npos);
  EXPECT_EQ(r.out.find("ssh-dss"), std::string::npos);
  r = Run({"ssh-keys", "--authorized-keys", "nobody"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
}

TEST_F(LdapFrontdoorTest, PashReportsLdapGroupsAndChecksHgAccountEnabled) {
  auto r = Run({"pash", "--user", "carol@example.com"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("access:\n\n   scm_l10n, scm_level_3\n\nThis will give you write access to "
                       "the following repos:\n\n   Firefox and Thunderbird Repos via Lando, "
                       "Localization Repos (releases/l10n/*, others)\n"),
            std::string::npos)
      << r.err;
  r = Run({"pash", "--user", "erin@example.com"}, {{"SSH_ORIGINAL_COMMAND", "repo-group x"}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("However, Mercurial access is currently disabled on your account."),
            std::string::npos)
      << r.err;
  r = Run({"pash", "--user", "frank@example.com"}, {{"SSH_ORIGINAL_COMMAND", "repo-group x"}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("However, Mercurial access is not currently enabled on your LDAP account."),
            std::string::npos)
      << r.err;
}

TEST(LdapDownTest, PashSaysItCannotConnect) {
  ScratchDir dir;
  WriteFileAtomic(dir / "frontdoor.ini",
                  "[frontdoor]\nrepos = /nonexistent\nreadonly_hgrc = /dev/null\n"
                  "[ldap]\nurl = ldap://127.0.0.1:1\n");
  auto r = Hgcluster({"pash", "--config", dir / "frontdoor.ini", "--user", "carol@example.com"},
                     {{"SSH_ORIGINAL_COMMAND", "hg -R app serve --stdio"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Could not connect to the LDAP server at ldap://127.0.0.1:1\n");
}

TEST_F(LdapFrontdoorTest, LdapUsersPushOverSshByGroup) {
  ClusterOptions o;
  o.up_args = {"--ldap", slapd_.url()};
  Cluster c(o);
  nlohmann::json fd = c.Status()["leader"]["frontdoor"];
  ASSERT_EQ(
      Hgcluster({"repo", "create", "--root", c.root(), "--group", "scm_level_3", "app"}).exit_code,
      0);
  std::string url = fd["push_url_prefix"].get<std::string>() + "app";
  auto ssh_as = [&](const std::string& who) {
    return "ssh -i " + keys_ / who +
           " -o IdentitiesOnly=yes -o UserKnownHostsFile=" + fd["known_hosts"].get<std::string>() +
           " -o StrictHostKeyChecking=yes -o BatchMode=yes";
  };
  ScratchDir work;
  ASSERT_TRUE(c.Hg("init " + work / "w").ok());
  WriteFileAtomic(work / "w/a", "one\n");
  ASSERT_TRUE(c.Hg("-R " + work / "w commit -Am first").ok());
  auto r = c.Hg("-R " + work / "w push -e '" + ssh_as("dave") + "' " + url);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("remote: You (dave@example.com) do not have write access to app: pushing "
                       "requires membership of group scm_level_3"),
            std::string::npos)
      << r.out << r.err;
  r = c.Hg("-R " + work / "w push -e '" + ssh_as("carol") + "' " + url);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(c.WaitConverged("app")) << c.Explain("app");
  // The pushlog records the LDAP login pash passed to hg as USER.
  r = Sh("sqlite3 " + c.LeaderRepo("app") + "/.hg/pushlog2.db 'select user from pushlog'");
  EXPECT_EQ(r.out, "carol@example.com\n") << r.err;
}

}  // namespace
}  // namespace hgc::test
