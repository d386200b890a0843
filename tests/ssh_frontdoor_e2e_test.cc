// The SSH front door end to end: `hgcluster up` starts a real sshd on
// loopback; real ssh and hg clients clone and push with generated keys; the
// push replicates to the mirrors; keys and groups decide who gets in and who
// may write.
#include <gtest/gtest.h>

#include "cluster_fixture.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

std::string SshWithKey(const nlohmann::json& fd, const std::string& key) {
  return "ssh -i " + key +
         " -o IdentitiesOnly=yes -o UserKnownHostsFile=" + fd["known_hosts"].get<std::string>() +
         " -o StrictHostKeyChecking=yes -o BatchMode=yes";
}

std::string NewKey(const ScratchDir& dir, const std::string& name) {
  std::string path = dir / name;
  EXPECT_TRUE(Sh("ssh-keygen -q -t ed25519 -N '' -C " + name + " -f " + path).ok());
  return path;
}

TEST(SshFrontdoorE2eTest, PushOverSshReplicatesAndGroupsDecideWriteAccess) {
  Cluster c;
  nlohmann::json fd = c.Status()["leader"]["frontdoor"];
  ASSERT_TRUE(fd.value("running", false)) << fd.dump(2);
  ASSERT_EQ(
      Hgcluster({"repo", "create", "--root", c.root(), "--group", "scm_level_3", "app"}).exit_code,
      0);
  std::string url = fd["push_url_prefix"].get<std::string>() + "app";
  std::string ssh = fd["ssh"];

  ScratchDir work;
  ASSERT_TRUE(c.Hg("init " + work / "w").ok());
  WriteFileAtomic(work / "w/a", "one\n");
  ASSERT_TRUE(c.Hg("-R " + work / "w commit -Am first").ok());
  // The default user `hgcluster up` made (scm_level_1..3) pushes over sshd.
  auto r = c.Hg("-R " + work / "w push -e '" + ssh + "' " + url);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(c.WaitConverged("app")) << c.Explain("app");
  EXPECT_EQ(RepoFingerprint(c.MirrorRepo(1, "app")), RepoFingerprint(work / "w"));

  // A user in scm_level_1 only: may clone, may not push to an scm_level_3 repo.
  std::string reader_key = NewKey(work, "reader");
  r = Hgcluster({"user", "add", "--root", c.root(), "reader@example.com", "--key",
                 reader_key + ".pub", "--group", "scm_level_1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string reader_ssh = SshWithKey(fd, reader_key);
  r = c.Hg("clone -e '" + reader_ssh + "' " + url + " " + work / "r");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  WriteFileAtomic(work / "r/a", "two\n");
  ASSERT_TRUE(c.Hg("-R " + work / "r commit -m second").ok());
  r = c.Hg("-R " + work / "r push -e '" + reader_ssh + "' " + url);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("remote: You (reader@example.com) do not have write access to app: "
                       "pushing requires membership of group scm_level_3"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(RepoFingerprint(c.LeaderRepo("app")), RepoFingerprint(work / "w"));

  // A key nobody registered does not get in.
  std::string stranger_ssh = SshWithKey(fd, NewKey(work, "stranger"));
  r = c.Hg("clone -e '" + stranger_ssh + "' " + url + " " + work / "s");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Permission denied (publickey)"), std::string::npos) << r.out << r.err;
  r = Sh(stranger_ssh + " -p " + std::to_string(fd["port"].get<int>()) + " root@127.0.0.1 true");
  EXPECT_EQ(r.exit_code, 255);

  // A login without a command: the banner, the group report, exit 1.
  r = Sh(fd["login"].get<std::string>());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("Your account (admin@hgcluster.local) has privileges to access Mercurial "
                       "over\nSSH."),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("   scm_level_1, scm_level_2, scm_level_3\n"), std::string::npos) << r.err;
  r = Sh(reader_ssh + " -p " + std::to_string(fd["port"].get<int>()) + " root@127.0.0.1 foobar");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("The command you specified is not allowed on this server.\n\nGoodbye.\n"),
            std::string::npos)
      << r.err;
  r = Sh(reader_ssh + " -p " + std::to_string(fd["port"].get<int>()) +
         " root@127.0.0.1 repo-group app");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "scm_level_3\n");

  // A user repository made over SSH is replicated like any other.
  r = Sh(fd["login"].get<std::string>() + " clone mine app");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Clone complete.\n"), std::string::npos) << r.out;
  EXPECT_TRUE(c.WaitConverged("users/admin_hgcluster.local/mine"))
      << c.Explain("users/admin_hgcluster.local/mine");
  EXPECT_EQ(RepoFingerprint(c.MirrorRepo(2, "users/admin_hgcluster.local/mine")),
            RepoFingerprint(work / "w"));
  EXPECT_NE(ReadFileOrEmpty(c.MirrorRepo(1, "users/admin_hgcluster.local/mine") + "/.hg/hgrc")
                .find("publish = False"),
            std::string::npos);
}

}  // namespace
}  // namespace hgc::test
