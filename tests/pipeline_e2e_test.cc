// The fully-replicated pipeline on a real cluster: consumer → aggregator
// (pushdata → replicatedpushdatapending) → heads consumers write
// .hg/replicated-data → aggregator (→ replicatedpushdata), with the mirrors'
// hgweb serving through the replicatedserved view. A push one mirror has not
// applied must not be exposed anywhere nor reach replicatedpushdata.
#include <gtest/gtest.h>
#include <signal.h>

#include "cluster_fixture.h"
#include "hg/revlog_index.h"
#include "hg/repo_state.h"
#include "log/log.h"
#include "message/message.h"
#include "notify/test_http_receiver.h"
#include "notify/test_rabbitmq.h"
#include "routing/partition_map.h"

namespace hgc::test {
namespace {

// Changegroup events (their heads) that reached `topic`, in order.
std::vector<std::string> ChangegroupHeads(Log& log, const std::string& topic) {
  std::vector<std::string> out;
  int64_t high = log.GetWatermarks(topic, 0).high;
  auto cursor = log.OpenCursor({{topic, 0, 0}});
  int64_t read = 0;
  while (read < high) {
    auto recs = cursor->Poll(1000, std::chrono::milliseconds(1000));
    if (recs.empty()) break;
    for (const auto& r : recs) {
      ++read;
      Message m = DecodeMessage(r.value);
      if (m.type == MessageType::kChangegroup) out.push_back(m.heads.at(0));
    }
  }
  return out;
}

bool Serves(Cluster& c, int mirror, const std::string& repo, const std::string& node) {
  std::string url = c.Status()["mirrors"][mirror - 1]["http"].get<std::string>() + repo;
  return c.Hg("id -r " + node + " " + url).exit_code == 0;
}

// Webhook bodies that announce a changegroup with `node` among its heads.
int Announcements(const TestHttpReceiver& receiver, const std::string& node) {
  int n = 0;
  for (const auto& r : receiver.requests()) {
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_discarded() || body.value("type", "") != "changegroup.1") continue;
    for (const auto& h : body["data"]["heads"]) n += h == node;
  }
  return n;
}

TEST(PipelineTest, NothingIsExposedOrAnnouncedUntilEveryMirrorHasIt) {
  TestHttpReceiver ci;
  ClusterOptions o;
  o.up_args = {"--webhook", "ci=" + ci.url() + "/hook"};
  Cluster c(o);
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+2'").exit_code, 0);
  auto idx = ChangelogIndex::Load(client);
  std::string first = idx.NodeHex(0), second = idx.NodeHex(1);
  auto log = OpenLog("sqlite://" + c.root() + "/log/log.db");

  ASSERT_EQ(c.Push(client, "repo", "-r 0").exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return Serves(c, 1, "repo", first) && Serves(c, 2, "repo", first); }))
      << c.Explain("repo");
  ASSERT_TRUE(WaitFor([&] {
    return ChangegroupHeads(*log, "replicatedpushdata") == std::vector<std::string>{first};
  }));
  ASSERT_TRUE(WaitFor([&] { return Announcements(ci, first) == 1; }))
      << ReadFileOrEmpty(c.root() + "/leader/webhooks.log");

  // Freeze mirror2's consumer (SIGSTOP: alive, so not restarted; applying
  // nothing).
  int frozen = c.Status()["mirrors"][1]["pid"];
  ASSERT_EQ(kill(frozen, SIGSTOP), 0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  ASSERT_TRUE(WaitFor([&] {
    auto m1 = ChangelogIndex::Load(c.MirrorRepo(1, "repo"));
    return m1.RevOf(second).has_value();
  })) << "mirror1 applies the push on its own";
  // The pending aggregator cannot have copied it: mirror2's committed offset
  // is behind the changegroup event.
  int p = Md5Mod("{moz}/repo", 8);
  int64_t cg_offset = log->GetWatermarks("pushdata", p).high - 2;  // changegroup, heads
  auto mirror2 = log->Committed("mirror2", "pushdata", {p});
  EXPECT_LE(mirror2[p], cg_offset);
  auto acked = log->Committed("pushdataaggregator", "pushdata", {p});
  EXPECT_LE(acked[p], cg_offset);
  EXPECT_FALSE(Serves(c, 1, "repo", second)) << "mirror1 must not expose what mirror2 lacks";
  EXPECT_FALSE(Serves(c, 2, "repo", second));
  EXPECT_TRUE(Serves(c, 1, "repo", first));
  EXPECT_EQ(ChangegroupHeads(*log, "replicatedpushdata"), std::vector<std::string>{first});
  EXPECT_EQ(Announcements(ci, second), 0) << "announced before every mirror has it";

  ASSERT_EQ(kill(frozen, SIGCONT), 0);
  ASSERT_TRUE(WaitFor([&] { return Serves(c, 1, "repo", second) && Serves(c, 2, "repo", second); }))
      << c.Explain("repo");
  ASSERT_TRUE(WaitFor([&] {
    return ChangegroupHeads(*log, "replicatedpushdata") == std::vector<std::string>{first, second};
  })) << "the event flows through both stages exactly once";
  ASSERT_TRUE(WaitFor([&] { return Announcements(ci, second) == 1; }));
  EXPECT_EQ(Announcements(ci, first), 1) << "announced twice";
  auto req = ci.requests().back();
  EXPECT_EQ(req.Header("X-Hgcluster-Signature").rfind("sha256=", 0), 0u);
}

// The same guarantee for the reference's notifiers: Pulse to a real
// RabbitMQ (a queue bound to the v2 exchange) and S3+SNS to local HTTP
// receivers, each run by the cluster (`up --notifier`).
TEST(PipelineTest, PulseAndSnsAnnounceEachPushOnceAfterEveryMirrorHasIt) {
  RabbitMqServer broker;
  TestHttpReceiver s3, sns;
  ScratchDir dir;
  std::string root = dir / "cluster";
  std::string log_url = "sqlite://" + root + "/log/log.db";
  auto consumer = [&](const std::string& section) {
    return "[" + section + "]\nlog = " + log_url + "\nclient_id = " + section +
           "\ntopic = replicatedpushdata\ngroup = " + section +
           "\n\n[path_rewrites]\n{moz} = " + root +
           "/mirrors/mirror1/repos\n\n[public_url_rewrites]\n{moz}/ = https://hg.example/\n\n";
  };
  WriteFileAtomic(dir / "pulse.ini",
                  consumer("pulseconsumer") +
                      "[pulse]\nhostname = 127.0.0.1\nport = " + std::to_string(broker.port()) +
                      "\nuserid = guest\npassword = guest\nvirtual_host = /\nssl = false\n"
                      "connect_timeout = 5\nexchange = exchange/hgpushes/v1\n"
                      "exchange2 = exchange/hgpushes/v2\n"
                      "routing_key_strip_prefix = https://hg.example/\n");
  WriteFileAtomic(dir / "sns.ini",
                  consumer("snsconsumer") +
                      "[awsevents]\naccess_key_id = AKIDEXAMPLE\n"
                      "secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
                      "region = us-west-2\ntopic_arn = arn:aws:sns:us-west-2:1:hgpushes\n"
                      "bucket = events\ns3_endpoint_url = " + s3.url() +
                      "\nsns_endpoint_url = " + sns.url() + "\ntimeout = 10\n");
  QueueReader queue(broker.port());
  queue.DeclareExchange("exchange/hgpushes/v2", "topic");
  queue.Bind("exchange/hgpushes/v2");
  ClusterOptions o;
  o.root = root;
  o.up_args = {"--notifier", "pulse=" + (dir / "pulse.ini"), "--notifier",
               "sns=" + (dir / "sns.ini")};
  Cluster c(o);
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag '+1'").exit_code, 0);
  std::string node = ChangelogIndex::Load(client).NodeHex(0);

  int frozen = c.Status()["mirrors"][1]["pid"];
  ASSERT_EQ(kill(frozen, SIGSTOP), 0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  ASSERT_TRUE(WaitFor([&] {
    return ChangelogIndex::Load(c.MirrorRepo(1, "repo")).RevOf(node).has_value();
  }));
  // newrepo.1 for the repository may arrive; no changegroup.1 may.
  auto drain = [&](std::chrono::milliseconds wait) {
    int changegroups = 0;
    while (auto m = queue.Next(wait)) {
      if (m->body.find("\"changegroup.1\"") != std::string::npos &&
          m->body.find(node) != std::string::npos) {
        ++changegroups;
      }
    }
    return changegroups;
  };
  EXPECT_EQ(drain(std::chrono::milliseconds(500)), 0) << "announced before mirror2 has it";
  auto sns_changegroups = [&] {
    int n = 0;
    for (const auto& r : sns.requests()) {
      n += r.body.find("changegroup.1") != std::string::npos &&
           r.body.find(node) != std::string::npos;
    }
    return n;
  };
  EXPECT_EQ(sns_changegroups(), 0);

  ASSERT_EQ(kill(frozen, SIGCONT), 0);
  ASSERT_TRUE(WaitFor([&] { return sns_changegroups() == 1; }))
      << ReadFileOrEmpty(root + "/leader/notify-sns-1.log");
  EXPECT_EQ(drain(std::chrono::milliseconds(5000)), 1) << "exactly one Pulse v2 message";
  bool stored = false;
  for (const auto& r : s3.requests()) {
    stored |= r.method == "PUT" && r.target.find("/events/") != std::string::npos &&
              r.body.find(node) != std::string::npos;
  }
  EXPECT_TRUE(stored) << "the event is stored in S3 before SNS is told";
  EXPECT_EQ(sns_changegroups(), 1);
}

}  // namespace
}  // namespace hgc::test
