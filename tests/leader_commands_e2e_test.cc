// The leader's hg integration on a real cluster: plain `hg init` in the
// leader area, local commits refused, and the reference's replicate* /
// sendheartbeat commands with their output lines, seen on the mirrors.
#include <gtest/gtest.h>

#include <filesystem>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "log/log.h"
#include "message/message.h"
#include "routing/partition_map.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> LeaderEnv(Cluster& c) {
  return {{"HGRCPATH", c.Status()["leader"]["hgrcpath"].get<std::string>()}, {"HGUSER", "op"}};
}

TEST(LeaderCommandsTest, PlainHgInitInTheLeaderAreaReplicates) {
  Cluster c;
  auto r = Sh("command hg init " + c.LeaderRepo("plain"), LeaderEnv(c));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("(recorded repository creation in replication log)"), std::string::npos)
      << r.out;
  ASSERT_TRUE(c.WaitConverged("plain")) << c.Explain("plain");
  EXPECT_NE(c.MirrorLog(1).find("created Mercurial repository: " + c.MirrorRepo(1, "plain")),
            std::string::npos);
}

TEST(LeaderCommandsTest, HgInitOutsideTheLeaderAreaIsRefused) {
  Cluster c;
  ScratchDir elsewhere;
  auto r = Sh("command hg init " + elsewhere / "x", LeaderEnv(c));
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE((r.out + r.err).find("repository path not configured for replication"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_FALSE(fs::exists(elsewhere / "x/.hg"));
}

TEST(LeaderCommandsTest, LocalCommitsAreRefused) {
  Cluster c;
  c.CreateRepo("r");
  WriteFileAtomic(c.LeaderRepo("r") + "/f", "x\n");
  auto r = Sh("cd " + c.LeaderRepo("r") + " && command hg commit -A -m x", {{"HGUSER", "op"}});
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE(r.out.find("cannot commit to replicating repositories; push instead"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.err.find("abort: precommit.hgcluster hook exited with status 1"), std::string::npos)
      << r.err;
}

TEST(LeaderCommandsTest, ReplicateCommandsPrintTheReferenceLinesAndApply) {
  Cluster c;
  c.CreateRepo("r");
  std::string repo = c.LeaderRepo("r");
  ASSERT_TRUE(c.WaitConverged("r"));

  WriteFileAtomic(repo + "/.hg/hgrc", "[hooks]\ndummy = value\n\xe3\x81\x93 = x\n\n");
  auto hgrc = Sh("command hg -R " + repo + " replicatehgrc", {{"HGRCPATH", ""}});
  EXPECT_EQ(hgrc.out, "recorded hgrc in replication log\n") << hgrc.err;
  ASSERT_TRUE(WaitFor([&] {
    return ReadFileOrEmpty(c.MirrorRepo(2, "r") + "/.hg/hgrc") ==
           "[hooks]\ndummy = value\n\xe3\x81\x93 = x\n\n";
  }));

  auto sync = Sh("command hg -R " + repo + " replicatesync", {{"HGRCPATH", ""}});
  EXPECT_EQ(sync.out,
            "wrote synchronization message into replication log\n"
            "wrote heads synchronization message into replication log\n")
      << sync.err;
  auto nohead = Sh("command hg -R " + repo + " replicatesync --no-heads", {{"HGRCPATH", ""}});
  EXPECT_EQ(nohead.out, "wrote synchronization message into replication log\n") << nohead.err;

  auto hb = Sh("command hg sendheartbeat", LeaderEnv(c));
  EXPECT_EQ(hb.exit_code, 0) << hb.err;
  EXPECT_NE(hb.out.find("sending heartbeat to partition 7\nwrote heartbeat message into 8 "
                        "partitions\n"),
            std::string::npos)
      << hb.out;

  // A mirror that lost the repo gets it back from replicatesync. The repo is
  // removed only once the mirror has applied the messages above: removing it
  // while the consumer writes into it races with that write, as an operator's
  // `rm -rf` would.
  ASSERT_TRUE(WaitFor([&] {
    auto st = c.Status();
    return st["mirrors"][0]["lag"]["messages"] == 0 && st["mirrors"][1]["lag"]["messages"] == 0;
  })) << c.Status().dump(2);
  fs::remove_all(c.MirrorRepo(1, "r"));
  Sh("command hg -R " + repo + " replicatesync", {{"HGRCPATH", ""}});
  ASSERT_TRUE(c.WaitConverged("r")) << c.Explain("r");

  auto del = Sh("command hg -R " + repo + " replicatedelete", {{"HGRCPATH", ""}});
  EXPECT_EQ(del.out, "wrote delete message into replication log\nrepo deleted from local host\n")
      << del.err;
  EXPECT_FALSE(fs::exists(repo));
  ASSERT_TRUE(WaitFor(
      [&] { return !fs::exists(c.MirrorRepo(1, "r")) && !fs::exists(c.MirrorRepo(2, "r")); }));
  // The directory vanishes (rename) just before the line is logged.
  EXPECT_TRUE(WaitFor([&] {
    return c.MirrorLog(2).find("repository at " + c.MirrorRepo(2, "r") + " deleted") !=
           std::string::npos;
  }));
}

// Messages written byte for byte in the reference's framing (including
// legacy types) by someone else's producer are applied.
TEST(LeaderCommandsTest, ReferenceFramedMessagesAreConsumed) {
  Cluster c;
  ScratchDir work;
  // A leader repository made without our hooks: only the hand-made messages
  // below tell the mirrors about it.
  std::string leader = c.LeaderRepo("handmade");
  ASSERT_EQ(Sh("command hg init " + leader + " && command hg -R " + leader + " debugbuilddag '+3' && command hg -R " +
                   leader + " phase --public -r tip",
               {{"HGRCPATH", ""}})
                .exit_code,
            0);
  auto nodes = Sh("command hg -R " + leader + " log -r 'all()' -T '{node}\\n'", {{"HGRCPATH", ""}});
  std::vector<std::string> n;
  std::istringstream in(nodes.out);
  for (std::string line; std::getline(in, line);) n.push_back(line);
  ASSERT_EQ(n.size(), 3u);
  std::string path = "{moz}/handmade";
  int p = Md5Mod(path, 8);
  auto log = OpenLog("sqlite://" + c.root() + "/log/log.db");
  log->Append("pushdata", p,
              "1\n{\"_created\": 1700000000.5, \"name\": \"hg-repo-init-1\", "
              "\"path\": \"{moz}/handmade\"}");
  log->Append("pushdata", p,
              "1\n{\"_created\": 1700000001.25, \"heads\": [\"" + n[2] +
                  "\"], \"name\": \"hg-changegroup-1\", \"nodes\": [\"" + n[0] + "\", \"" + n[1] +
                  "\", \"" + n[2] + "\"], \"path\": \"{moz}/handmade\", \"source\": \"serve\"}");
  log->Append("pushdata", p,
              "1\n{\"_created\": 1700000002.0, \"key\": \"book\", \"name\": \"hg-pushkey-1\", "
              "\"namespace\": \"bookmarks\", \"new\": \"" +
                  n[1] + "\", \"old\": \"\", \"path\": \"{moz}/handmade\", \"ret\": 0}");
  log->Append("pushdata", p,
              "1\n{\"_created\": 1700000003.0, \"content\": \"[hooks]\\ndummy = "
              "\\u3053\\u3093\\n\", \"name\": \"hg-hgrc-update-1\", \"path\": "
              "\"{moz}/handmade\"}");
  log->Append("pushdata", p,
              "1\n{\"_created\": 1700000004.0, \"heads\": [\"" + n[2] +
                  "\"], \"hgrc\": null, \"name\": \"hg-repo-sync-1\", \"path\": "
                  "\"{moz}/handmade\", \"requirements\": [\"store\"]}");
  log->Append("pushdata", p,
              "1\n{\"_created\": 1700000005.0, \"heads\": [\"" + n[2] +
                  "\"], \"last_push_id\": null, \"name\": \"hg-heads-1\", \"path\": "
                  "\"{moz}/handmade\"}");
  Sh("command hg -R " + leader + " bookmark -r 1 book", {{"HGRCPATH", ""}});
  ASSERT_TRUE(c.WaitConverged("handmade")) << c.Explain("handmade");
  // The sync message (hgrc: null) removed the hgrc written just before it.
  ASSERT_TRUE(WaitFor([&] {
    auto st = c.Status();
    for (const auto& m : st["mirrors"]) {
      if (m["lag"]["messages"] != 0) return false;
    }
    return true;
  }));
  EXPECT_FALSE(fs::exists(c.MirrorRepo(1, "handmade") + "/.hg/hgrc"));
  EXPECT_NE(c.MirrorLog(1).find("processing hg-changegroup-1: (repo: {moz}/handmade, heads: ['" +
                                n[2].substr(0, 12) + "'])"),
            std::string::npos)
      << c.MirrorLog(1);
  EXPECT_NE(c.MirrorLog(1).find("writing hgrc: " + c.MirrorRepo(1, "handmade") + "/.hg/hgrc"),
            std::string::npos);
}

}  // namespace
}  // namespace hgc::test
