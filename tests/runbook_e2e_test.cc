// The reference runbook (shared/spec/ops-guide.rst), procedure by procedure,
// as the commands docs/operations.md gives for them, run in order on one
// local cluster with a standby leader host and a webhook notifier. Each step
// asserts the effect an operator would check, not just the exit code. The
// procedures also have their own detailed tests; this one proves they work
// together, on the same cluster, as written in the guide.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>

#include "cluster_fixture.h"
#include "hg/repo_state.h"
#include "master/master_state.h"
#include "master_support.h"
#include "notify/test_http_receiver.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

// Runs one documented command; fails the test with its output if it fails.
ProcessResult Documented(const std::vector<std::string>& args) {
  auto r = Hgcluster(args);
  EXPECT_EQ(r.exit_code, 0) << testing::PrintToString(args) << "\n" << r.out << r.err;
  return r;
}

bool Contains(const ProcessResult& r, const std::string& text) {
  return (r.out + r.err).find(text) != std::string::npos;
}

int HealthOf(Cluster& c, int mirror) {
  nlohmann::json status = c.Status();
  httplib::Client web("127.0.0.1", status["mirrors"][mirror - 1]["http_port"].get<int>());
  web.set_connection_timeout(1);
  auto r = web.Get("/__health");
  return r ? r->status : 0;
}

TEST(RunbookE2E, EveryProcedureOfTheRunbookOnOneCluster) {
  TestHttpReceiver ci;
  ClusterOptions o;
  o.up_args = {"--standby", "--webhook", "ci=" + ci.url() + "/hook"};
  Cluster c(o);
  const std::string root = c.root();
  const std::string hgrcpath = c.Status()["leader"]["hgrcpath"];
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("mozilla-central");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(CommitChange(client), 0);
  ASSERT_EQ(c.PushVia("leader", client, "mozilla-central").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("mozilla-central")) << c.Explain("mozilla-central");
  auto leader_hg = [&](const std::string& repo, const std::string& args) {
    return Sh("cd " + c.LeaderRepo(repo) + " && command hg " + args, {{"HGRCPATH", hgrcpath}});
  };

  // "Managing Repository Hooks" + "Repository Mirroring": edit the leader's
  // hgrc, replicatehgrc; replicatesync.
  WriteFileAtomic(c.LeaderRepo("mozilla-central") + "/.hg/hgrc",
                  "[web]\ndescription = runbook check\n");
  auto hgrc = leader_hg("mozilla-central", "replicatehgrc");
  ASSERT_EQ(hgrc.exit_code, 0) << hgrc.out << hgrc.err;
  EXPECT_NE(hgrc.out.find("recorded hgrc in replication log"), std::string::npos);
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] {
      return ReadFileOrEmpty(c.MirrorRepo(m, "mozilla-central") + "/.hg/hgrc")
                 .find("description = runbook check") != std::string::npos;
    }));
  }
  auto sync = leader_hg("mozilla-central", "replicatesync");
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_NE(sync.out.find("wrote synchronization message into replication log"),
            std::string::npos);

  // "Restarting httpd/wsgi Processes": drain a mirror's web front; the
  // supervisor starts a fresh one.
  nlohmann::json before = c.Status();
  int old_http = before["mirrors"][0]["http_pid"];
  Documented({"web", "--drain", root + "/mirrors/mirror1/web.ini"});
  ASSERT_TRUE(WaitFor([&] {
    nlohmann::json s = c.Status();
    return s["mirrors"][0]["http_pid"] != old_http && HealthOf(c, 1) == 200;
  })) << "the web front did not come back";

  // "Forcing a hgweb Repository Re-clone".
  auto reclone = Documented({"repo", "reclone", "--root", root, "mozilla-central"});
  ASSERT_TRUE(c.WaitConverged("mozilla-central")) << reclone.out << c.Explain("mozilla-central");

  // "Marking Repositories as Read-only".
  Documented({"readonly", "--root", root, "mozilla-central", "--reason", "closed for the merge day"});
  ASSERT_EQ(CommitChange(client), 0);
  auto frozen = c.PushVia("leader", client, "mozilla-central");
  EXPECT_NE(frozen.exit_code, 0);
  EXPECT_TRUE(Contains(frozen, "closed for the merge day")) << frozen.err;
  Documented({"readonly", "--root", root, "mozilla-central", "--off"});
  ASSERT_EQ(c.PushVia("leader", client, "mozilla-central").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("mozilla-central")) << c.Explain("mozilla-central");

  // "Corrupted fncache File".
  auto fncache = Documented({"fncache", "check", "--root", root, "mozilla-central"});
  Documented({"fncache", "rebuild", "--root", root, "mozilla-central"});
  EXPECT_EQ(Documented({"fncache", "check", "--root", root, "mozilla-central"}).exit_code, 0);

  // "Try Head Management": three heads merged into one.
  c.CreateRepo("try");
  WriteFileAtomic(c.LeaderRepo("try") + "/.hg/hgrc", "[phases]\npublish = false\n");
  std::string try_client = work / "try";
  ASSERT_EQ(c.Hg("init " + try_client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + try_client + " debugbuilddag -n '+1:base <base +1 <base +1 <base +1'")
                .exit_code,
            0);
  ASSERT_EQ(c.PushVia("leader", try_client, "try", "-f").exit_code, 0);
  EXPECT_EQ(Documented({"try-heads", "count", "--root", root, "try"}).out, "3\n");
  auto prune = Documented({"try-heads", "prune", "--root", root, "try", "--into", "0"});
  EXPECT_TRUE(Contains(prune, "try now has 1 heads")) << prune.out;
  ASSERT_TRUE(c.WaitConverged("try")) << c.Explain("try");

  // "Clonebundles Management": generate, then go back to the previous manifest.
  Documented({"bundles", "generate", "--root", root, "--no-upload", "mozilla-central"});
  Documented({"bundles", "generate", "--root", root, "--no-upload", "mozilla-central"});
  ASSERT_TRUE(fs::exists(c.LeaderRepo("mozilla-central") + "/.hg/clonebundles.manifest.old"));
  Documented({"bundles", "restore-old", "--root", root, "mozilla-central"});

  // "Mirrors in pushdataaggregator_groups File".
  Documented({"groups", "remove", "--root", root, "mirror2"});
  EXPECT_EQ(ReadFileOrEmpty(root + "/leader/pushdataaggregator_groups"), "mirror1\n");
  Documented({"groups", "add", "--root", root, "mirror2"});
  EXPECT_EQ(ReadFileOrEmpty(root + "/leader/pushdataaggregator_groups"), "mirror1\nmirror2\n");

  // "Retiring Repositories".
  c.CreateRepo("old-project");
  Documented({"repo", "retire", "--root", root, "old-project"});
  EXPECT_FALSE(fs::exists(c.MirrorRepo(1, "old-project")));

  // "Master Server Management": hand the role to the standby; pushes go on.
  auto failover = Documented({"master", "failover", "--root", root, "--to", "standby"});
  EXPECT_TRUE(Contains(failover, "standby is the master (epoch 2)")) << failover.out;
  ASSERT_EQ(CommitChange(client), 0);
  ASSERT_EQ(c.PushVia("standby", client, "mozilla-central").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("mozilla-central")) << c.Explain("mozilla-central");
  std::string tip =
      Sh("hg -R " + client + " log -r tip -T '{node}'", {{"HGRCPATH", ""}}).out;
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& r : ci.accepted()) {
      if (r.body.find(tip) != std::string::npos) return true;
    }
    return false;
  })) << "the webhook never announced the push made on the new master";

  // "Remediation: skipping wedged messages" in every daemon: stop, skip,
  // start. A heartbeat written as the last master waits in every partition.
  Documented({"down", "--root", root});
  auto last = ReadMasterState(root + "/leader/master-state/standby.json");
  ASSERT_TRUE(last.has_value());
  MasterState as = *last;
  as.master = true;
  std::string forged = work / "as-master.json";
  WriteMasterState(forged, as);
  // The cluster is down, its producer agent too: write directly.
  auto beat = Hgcluster({"replicate", "--config", root + "/leader/hgrc", "heartbeat"},
                        {{"HGCLUSTER_MASTER_STATE", forged}, {"HGCLUSTER_DIRECT_PRODUCER", "1"}});
  ASSERT_EQ(beat.exit_code, 0) << beat.err;
  // The aggregators pass it on (one iteration each, as the last master) so
  // that the heads consumers and the notifier have it waiting too.
  auto aggregate = [&](const std::string& ini) {
    auto r = Hgcluster({"aggregate", root + "/leader/" + ini, "--onetime"},
                       {{"HGCLUSTER_MASTER_STATE", forged}});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  };
  for (int m = 1; m <= 2; ++m) {
    std::string dir = root + "/mirrors/mirror" + std::to_string(m);
    auto skip = Documented({"consume", dir + "/consumer.ini", "--skip", "--partition", "0"});
    EXPECT_EQ(skip.out, "skipped message in partition 0 for group mirror" + std::to_string(m) +
                            "\n");
  }
  aggregate("pushdataaggregator-pending.ini");
  for (int m = 1; m <= 2; ++m) {
    std::string dir = root + "/mirrors/mirror" + std::to_string(m);
    auto heads = Documented({"heads", dir + "/heads.ini", "--skip"});
    EXPECT_TRUE(Contains(heads, "skipped message in partition 0")) << heads.out;
  }
  aggregate("pushdataaggregator.ini");
  auto notifier = Documented({"notify-webhooks", root + "/leader/webhooks.ini", "--skip",
                              "--target", "ci"});
  EXPECT_TRUE(Contains(notifier, "skipped")) << notifier.out;
  auto up = Documented({"up", "--root", root, "--standby", "--webhook", "ci=" + ci.url() + "/hook",
                 "--detach"});

  // "Kafka Nuclear Option": reset the log, re-bootstrap every mirror.
  auto nuclear = Documented({"bootstrap", "cluster", "--root", root});
  EXPECT_TRUE(Contains(nuclear, "hgcluster bootstrap cluster: done")) << nuclear.out;
  for (const char* name : {"mozilla-central", "try"}) {
    ASSERT_TRUE(c.WaitConverged(name)) << c.Explain(name);
  }
  // Restarted by a command that acted as the standby: each monitor still
  // knows which host it is, and the master stayed where it was.
  auto roles = Documented({"master", "status", "--root", root});
  EXPECT_TRUE(Contains(roles, "leader: standby\n")) << roles.out;
  EXPECT_TRUE(Contains(roles, "standby: master (epoch ")) << roles.out;
  ASSERT_EQ(CommitChange(client), 0);
  auto after = c.PushVia("standby", client, "mozilla-central");
  ASSERT_EQ(after.exit_code, 0) << after.out << after.err;
  ASSERT_TRUE(c.WaitConverged("mozilla-central")) << c.Explain("mozilla-central");
  EXPECT_EQ(SingleMasterViolation(ReadEvents("sqlite://" + root + "/log/log.db", "pushdata")),
            "");
}

}  // namespace
}  // namespace hgc::test
