// The cluster on hosts apart (deployment.h): a leader host, two mirror hosts,
// three Kafka broker hosts and a client host, each a network namespace with
// its own files, every daemon started from the installed package's units
// and example configs. Pushes go to the leader's front door over SSH; mirrors
// apply them from the log (the push's bundle) or pull them from the leader
// over SSH as the replication account; clients read from the mirrors'
// addresses. A mirror host cut off from the network while pushes flow serves
// nothing partial, holds nothing up on the other mirror beyond the
// served-heads rule, and catches up once it is back. The leader cut off from
// Kafka refuses pushes whole; one broker host cut off holds nothing up. With
// a standby leader host and ZooKeeper on the broker hosts: the standby
// refuses pushes while the leader is master, takes the role when the master
// host is lost, and its pushes reach both mirrors; a ZooKeeper node cut off
// is named by check_zookeeper. Mirrors may pull over HTTP instead of SSH.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "deployment.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"

namespace hgc::test {
namespace {

using namespace std::chrono_literals;

// One deployment for the suite's tests (CMakeLists.txt's HGC_SHARED_SUITES:
// one process, so its hosts, JVMs and daemons start once); each test has a
// repository and a client of its own, and leaves every host connected.
class HostsApartE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    DeploymentOptions options;
    options.webhooks = true;
    d_ = new Deployment(options);
  }
  static void TearDownTestSuite() {
    delete d_;
    d_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(d_->ok());
    repo_ = "demo" + std::to_string(++repos_);
    d_->CreateRepo(repo_);
    for (int m = 1; m <= 2; ++m) {
      ASSERT_TRUE(WaitFor(
          [&] { return d_->Client("hg identify " + d_->MirrorUrl(m, repo_)).exit_code == 0; }, 60s))
          << d_->Logs(Deployment::Mirror(m));
    }
    client_ = work_ / "client";
    ASSERT_EQ(d_->Client("hg init " + client_).exit_code, 0);
  }
  // A test that failed half-way must not leave the next one a host cut off.
  void TearDown() override {
    for (const char* host : {"mirror1", "mirror2", "kafka1", "kafka2", "kafka3"}) {
      d_->net().Restore(host);
    }
  }
  // `n` changesets in the client, on a named branch of the test's own: the
  // suite's webhook target must not see another test's nodes.
  int BuildDag(int n) {
    return d_
        ->Client("hg -R " + client_ + " debugbuilddag '@" + repo_ + " +" + std::to_string(n) + "'")
        .exit_code;
  }
  // Pushes revisions up to `rev` of the client; returns that node.
  std::string Push(int rev) {
    ProcessResult r = d_->Client("hg -R " + client_ + " push -r " + std::to_string(rev) + " -e '" +
                                 d_->ClientSsh() + "' " + d_->PushUrl(repo_));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err << d_->Logs("leader");
    return ChangelogIndex::Load(client_).NodeHex(rev);
  }
  // Pushes `rev` until the leader takes it: a push refused while Kafka
  // elects new partition leaders is refused whole and sent again.
  std::string PushEventually(int rev) {
    std::string cmd = "hg -R " + client_ + " push -r " + std::to_string(rev) + " -e '" +
                      d_->ClientSsh() + "' " + d_->PushUrl(repo_);
    ProcessResult last;
    EXPECT_TRUE(WaitFor([&] { return (last = d_->Client(cmd)).exit_code == 0; }, 90s))
        << last.out << last.err;
    return ChangelogIndex::Load(client_).NodeHex(rev);
  }
  static Deployment* d_;
  static int repos_;
  std::string repo_;
  ScratchDir work_;
  std::string client_;
};

Deployment* HostsApartE2E::d_ = nullptr;
int HostsApartE2E::repos_ = 0;

TEST_F(HostsApartE2E, PushesThroughTheFrontDoorAreServedByEveryMirrorHostOverTheNetwork) {
  // 3 changesets travel as a bundle in their event; the next 600 are more
  // than pushbundlemaxchangesets, so mirrors pull them over SSH.
  ASSERT_EQ(BuildDag(603), 0);
  std::string small = Push(2);
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return d_->Serves(m, repo_, small); }, 60s))
        << d_->Logs(Deployment::Mirror(m));
  }
  std::string big = Push(602);
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return d_->Serves(m, repo_, big); }, 90s))
        << d_->Logs(Deployment::Mirror(m));
    std::string log = ReadFileOrEmpty(d_->HostDir(Deployment::Mirror(m)) +
                                      "/var/log/hgcluster/vcsreplicator@.service.log");
    EXPECT_NE(log.find("from the event's bundle"), std::string::npos) << log;
    EXPECT_NE(log.find("pulling from ssh://root@" + d_->net().Address("leader") + "/" + repo_),
              std::string::npos)
        << log;
  }
  // A clone from a mirror's address holds the whole push.
  ProcessResult clone =
      d_->Client("hg clone -U -q " + d_->MirrorUrl(2, repo_) + " " + (work_ / "clone") +
                 " && hg -R " + (work_ / "clone") + " log -r tip -T '{node}'");
  EXPECT_EQ(clone.exit_code, 0) << clone.err;
  EXPECT_EQ(clone.out, big);
}

TEST_F(HostsApartE2E, AMirrorHostCutOffCatchesUpAndNeverServesAPartialPush) {
  ASSERT_EQ(BuildDag(6), 0);
  std::string first = Push(0);
  for (int m = 1; m <= 2; ++m) {
    ASSERT_TRUE(WaitFor([&] { return d_->Serves(m, repo_, first); }, 60s))
        << d_->Logs(Deployment::Mirror(m));
  }
  // Announced to the webhook on the client host once both mirrors have it.
  EXPECT_TRUE(WaitFor([&] { return CountOccurrences(d_->Announcements(), first) == 1; }, 60s))
      << d_->Announcements() << d_->Logs("leader");
  d_->net().Cut("mirror2");
  std::string last;
  std::vector<std::string> cut_pushes;
  for (int rev = 1; rev <= 5; ++rev) cut_pushes.push_back(last = Push(rev));
  // The other mirror applies every push at once...
  EXPECT_TRUE(WaitFor([&] { return ChangelogHas(d_->MirrorRepo(1, repo_), last); }, 60s))
      << d_->Logs("mirror1");
  // ...but serves none of them while a mirror lacks them (served heads).
  EXPECT_FALSE(d_->Serves(1, repo_, last));
  EXPECT_TRUE(d_->Serves(1, repo_, first));
  EXPECT_FALSE(ChangelogHas(d_->MirrorRepo(2, repo_), last));
  // Nor is any of them announced: notifications follow the same rule.
  for (const auto& node : cut_pushes) {
    EXPECT_EQ(CountOccurrences(d_->Announcements(), node), 0u) << node;
  }
  // Each mirror's lag check, run on that host: the cut-off one is not OK,
  // the other one is.
  std::vector<std::string> check{"check_vcsreplicator_lag", "/etc/mercurial/vcsreplicator.ini"};
  ProcessResult cut = d_->Installed("mirror2", check);
  EXPECT_NE(cut.exit_code, 0) << cut.out << cut.err;
  ProcessResult fine;
  EXPECT_TRUE(WaitFor([&] { return (fine = d_->Installed("mirror1", check)).exit_code == 0; }, 60s))
      << fine.out << fine.err;
  // On the leader host, the aggregator's check names the mirror it waits for
  // and, once mirror1 has applied what was written meanwhile (a heartbeat
  // puts a message in each of the 8 partitions), only that one.
  ProcessResult waiting;
  EXPECT_TRUE(WaitFor(
      [&] {
        waiting = d_->Installed("leader", {"check_pushdataaggregator_lag",
                                           "/etc/mercurial/pushdataaggregator-pending.ini",
                                           "--group-warning-count", "5"});
        return waiting.out.find("group mirror1") == std::string::npos;
      },
      60s))
      << waiting.out;
  EXPECT_EQ(waiting.exit_code, 1) << waiting.out << waiting.err;
  EXPECT_NE(waiting.out.find("waiting for group mirror2"), std::string::npos) << waiting.out;

  d_->net().Restore("mirror2");
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return d_->Serves(m, repo_, last); }, 90s))
        << d_->Logs(Deployment::Mirror(m));
  }
  // Once it caught up, every push is announced, each once.
  EXPECT_TRUE(WaitFor([&] { return CountOccurrences(d_->Announcements(), last) == 1; }, 60s))
      << d_->Announcements() << d_->Logs("leader");
  for (const auto& node : cut_pushes) {
    EXPECT_EQ(CountOccurrences(d_->Announcements(), node), 1u) << node << "\n"
                                                               << d_->Announcements();
  }
}

TEST_F(HostsApartE2E, TheLeaderCutOffFromKafkaRefusesPushesWholeAndTakesThemOnceBack) {
  ASSERT_EQ(BuildDag(3), 0);
  std::string first = Push(0);
  std::string before = RepoFingerprint(d_->LeaderRepo(repo_));
  for (int k = 1; k <= 3; ++k) d_->net().Partition("leader", "kafka" + std::to_string(k));
  std::string push =
      "hg -R " + client_ + " push -r 1 -e '" + d_->ClientSsh() + "' " + d_->PushUrl(repo_);
  ProcessResult refused = d_->Client(push);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE((refused.out + refused.err).find("replication log not available; all writes disabled"),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_EQ(RepoFingerprint(d_->LeaderRepo(repo_)), before) << "nothing of the push stays";

  for (int k = 1; k <= 3; ++k) d_->net().Heal("leader", "kafka" + std::to_string(k));
  // The agent reconnects: the same push goes through (a push refused while
  // it does is refused whole, like the one above).
  EXPECT_TRUE(WaitFor([&] { return d_->Client(push).exit_code == 0; }, 90s)) << d_->Logs("leader");
  std::string second = ChangelogIndex::Load(client_).NodeHex(1);
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return d_->Serves(m, repo_, second); }, 60s))
        << d_->Logs(Deployment::Mirror(m));
  }
}

TEST_F(HostsApartE2E, OneKafkaBrokerHostCutOffHoldsNoPushUp) {
  ASSERT_EQ(BuildDag(4), 0);
  Push(0);
  d_->net().Cut("kafka3");
  std::string last;
  for (int rev = 1; rev <= 3; ++rev) last = PushEventually(rev);
  // Consumers that kept waiting on the vanished broker held mirrors up for
  // ~2 minutes before librdkafka's socket timeout was lowered to 10 s.
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return d_->Serves(m, repo_, last); }, 60s))
        << d_->Logs(Deployment::Mirror(m));
  }
  d_->net().Restore("kafka3");
}

// The other way to pull: mirrors fetch what their event does not carry from
// the leader host's HTTP endpoint for mirrors (the example master.ini's
// [service pull-http] and the mirror example's other [pull_url_rewrites]).
TEST(HostsApartHttpE2E, MirrorsPullPushesTooBigForTheirEventOverHttp) {
  DeploymentOptions options;
  options.pull_over_http = true;
  Deployment d(options);
  ASSERT_TRUE(d.ok());
  d.CreateRepo("demo");
  ScratchDir work;
  std::string client = work / "client";
  // 601 changesets: more than pushbundlemaxchangesets, so pulled.
  ASSERT_EQ(
      d.Client("hg init " + client + " && hg -R " + client + " debugbuilddag '+601'").exit_code, 0);
  ProcessResult push =
      d.Client("hg -R " + client + " push -e '" + d.ClientSsh() + "' " + d.PushUrl("demo"));
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err << d.Logs("leader");
  std::string tip = ChangelogIndex::Load(client).NodeHex(600);
  std::string endpoint = "http://" + d.net().Address("leader") + ":8100/";
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return d.Serves(m, "demo", tip); }, 90s))
        << d.Logs(Deployment::Mirror(m)) << d.Logs("leader");
    std::string log = ReadFileOrEmpty(d.HostDir(Deployment::Mirror(m)) +
                                      "/var/log/hgcluster/vcsreplicator@.service.log");
    EXPECT_NE(log.find("pulling from " + endpoint + "demo"), std::string::npos) << log;
  }
  std::string access =
      ReadFileOrEmpty(d.HostDir("leader") + "/var/log/hgcluster/pull-http-access.log");
  EXPECT_NE(access.find("cmd=getbundle"), std::string::npos) << access;
  // The endpoint is read-only: a push to it is refused.
  ProcessResult refused =
      d.Client("hg -R " + client + " push -f " + endpoint + "demo --config ui.allowemptycommit=1");
  EXPECT_NE(refused.exit_code, 0) << refused.out << refused.err;
}

TEST(HostsApartMasterE2E, TheMasterHostLostTheStandbyTakesOverThroughZooKeeper) {
  DeploymentOptions options;
  options.standby = true;
  options.webhooks = true;
  Deployment d(options);
  ASSERT_TRUE(d.ok());
  d.CreateRepo("demo");
  ScratchDir work;
  std::string client = work / "client";
  ASSERT_EQ(d.Client("hg init " + client + " && hg -R " + client + " debugbuilddag '+2'").exit_code,
            0);
  ChangelogIndex nodes = ChangelogIndex::Load(client);
  auto push = [&](int rev, const std::string& host) {
    return d.Client("hg -R " + client + " push -r " + std::to_string(rev) + " -e '" +
                    d.ClientSsh() + "' " + d.PushUrl("demo", host));
  };
  ProcessResult first = push(0, "leader");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err << d.Logs("leader");
  // The standby refuses pushes while the leader host is master.
  ProcessResult refused = push(1, "standby");
  EXPECT_NE(refused.exit_code, 0) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("this host (standby) is not the master"),
            std::string::npos)
      << refused.out << refused.err;
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return d.Serves(m, "demo", nodes.NodeHex(0)); }, 60s))
        << d.Logs(Deployment::Mirror(m));
  }

  // The master host is lost: every process on it dies and its address goes.
  d.net().KillAll("leader");
  d.net().Cut("leader");
  ProcessResult last;
  EXPECT_TRUE(WaitFor([&] { return (last = push(1, "standby")).exit_code == 0; }, 60s))
      << last.out << last.err << d.Logs("standby");
  // Announced to the mirrors (from the push's bundle: the old leader's
  // address, where mirrors would pull, is gone).
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return d.Serves(m, "demo", nodes.NodeHex(1)); }, 60s))
        << d.Logs(Deployment::Mirror(m)) << d.Logs("standby");
  }
  // ...and announced by the new master's webhooks notifier, once.
  EXPECT_TRUE(
      WaitFor([&] { return CountOccurrences(d.Announcements(), nodes.NodeHex(1)) == 1; }, 60s))
      << d.Announcements() << d.Logs("standby");

  // One ZooKeeper node cut off: the check on a surviving node names it in
  // the runbook's words, and says WARNING (the ensemble still has a quorum).
  EXPECT_EQ(d.CheckZooKeeper(1).exit_code, 0);
  d.net().Cut("kafka3");
  // (If it was the ensemble's leader, the check says CRITICAL "unable to
  // find leader node" until the other two have elected one.)
  ProcessResult check;
  EXPECT_TRUE(WaitFor([&] { return (check = d.CheckZooKeeper(1)).exit_code == 1; }, 60s))
      << check.out << check.err;
  EXPECT_NE(
      check.out.find("ENSEMBLE WARNING - socket error connecting to " + d.net().Address("kafka3")),
      std::string::npos)
      << check.out;
}

}  // namespace
}  // namespace hgc::test
