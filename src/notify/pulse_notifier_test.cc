// The Pulse notifier against a real RabbitMQ broker (started once for the
// suite): exact message bodies, routing keys and properties on both
// exchanges; no re-delivery after a restart or for duplicate records; a v2
// failure retried without publishing v1 again; an unreachable broker
// retried without committing.
#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <thread>

#include "common/error.h"
#include "common/ini.h"
#include "notify/notifier_loop.h"
#include "notify/pulse_sink.h"
#include "notify/test_daemon_process.h"
#include "notify/test_notify_support.h"
#include "notify/test_rabbitmq.h"

namespace hgc {
namespace {

using test::Node;
using test::WaitFor;

class PulseNotifier : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      broker_ = new test::RabbitMqServer();
    } catch (const std::exception& e) {
      broker_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }
  void SetUp() override {
    if (broker_ == nullptr) GTEST_FAIL() << "no RabbitMQ broker: " << broker_error_;
  }

  std::string PulseSection(const std::string& v1, const std::string& v2, int port = 0) {
    return "[pulse]\nhostname = 127.0.0.1\nport = " +
           std::to_string(port ? port : broker_->port()) +
           "\nuserid = guest\npassword = guest\nvirtual_host = /\nssl = false\n"
           "connect_timeout = 5\nexchange = " +
           v1 + "\nexchange2 = " + v2 + "\nrouting_key_strip_prefix = https://hg.mozilla.org/\n";
  }

  // Replaces the `sent` stamp, after checking its shape.
  static std::string WithoutSent(const std::string& body) {
    static const std::regex kSent(R"re("sent": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?")re");
    EXPECT_TRUE(std::regex_search(body, kSent)) << body;
    return std::regex_replace(body, kSent, R"("sent": "SENT")");
  }

  static test::RabbitMqServer* broker_;
  static std::string broker_error_;
  test::NotifyScratch scratch_;
};

test::RabbitMqServer* PulseNotifier::broker_ = nullptr;
std::string PulseNotifier::broker_error_;

TEST_F(PulseNotifier, AnnouncesChangegroupAndNewRepoExactlyAndOnlyOnce) {
  const std::string v1 = "exchange/hgpushes/v1";
  const std::string v2 = "exchange/hgpushes/v2";
  test::QueueReader reader(broker_->port());
  reader.DeclareExchange(v1, "topic");
  reader.DeclareExchange(v2, "topic");
  reader.Bind(v1);
  reader.Bind(v2);
  std::string mc = scratch_.Repo("mozilla-central");
  scratch_.Repo("integration/foo_Bar-baz");
  scratch_.Repo("try");
  test::WritePushlog(mc, {{1, "alice@example.com", 1000, {Node('a')}}});
  std::string cfg = scratch_.WriteFile(
      "n.ini", scratch_.ConsumerIni("pulseconsumer", "pulsenotifier") + PulseSection(v1, v2));

  nlohmann::json changegroup = test::Aggregated(
      MakeChangegroup("{moz}/mozilla-central", "serve", 1, {Node('a')}, 10.5), 10.25);
  scratch_.Append(MakeHeartbeat(1));
  scratch_.Append(changegroup);
  scratch_.Append(test::Aggregated(MakeRepoInit("{moz}/integration/foo_Bar-baz", true, 11), 11));
  {
    test::DaemonProcess daemon({test::HgclusterBin(), "notify-pulse", cfg},
                               scratch_.path() + "/run1.log");
    ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("pulsenotifier") == 3; }))
        << daemon.Output();
    daemon.Signal(SIGTERM);
    ASSERT_EQ(daemon.Wait(), 0) << daemon.Output();
    std::string log = daemon.Output();
    for (const char* line :
         {"vcsreplicator.pulsenotifier sending pulse notification for "
          "https://hg.mozilla.org/mozilla-central\n",
          "vcsreplicator.pulsenotifier connecting to pulse at 127.0.0.1:",
          "vcsreplicator.pulsenotifier publishing message to "
          "exchange/hgpushes/v1#mozilla-central\n",
          "vcsreplicator.pulsenotifier publishing message to "
          "exchange/hgpushes/v2#integration/foo_Bar-baz\n",
          "vcsreplicator.pulsenotifier payload: {\"type\": \"newrepo.1\", \"data\": {\"repo_url\": "
          "\"https://hg.mozilla.org/integration/foo_Bar-baz\"}}\n"}) {
      EXPECT_NE(log.find(line), std::string::npos) << line << "\n--- in ---\n" << log;
    }
  }
  const std::string url = "https://hg.mozilla.org/mozilla-central";
  const std::string pushes =
      R"([{"pushid": 1, "user": "alice@example.com", "time": 1000, "push_json_url": ")" + url +
      R"(/json-pushes?version=2&startID=0&endID=1", "push_full_json_url": ")" + url +
      R"(/json-pushes?version=2&full=1&startID=0&endID=1"}])";
  const std::string heads = R"([")" + Node('a') + R"("])";

  auto m1 = reader.Next();
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->exchange, v1);
  EXPECT_EQ(m1->routing_key, "mozilla-central");
  EXPECT_EQ(m1->content_type, "application/json");
  EXPECT_EQ(m1->delivery_mode, 2);
  EXPECT_EQ(WithoutSent(m1->body),
            R"({"payload": {"repo_url": ")" + url + R"(", "heads": )" + heads +
                R"(, "pushlog_pushes": )" + pushes +
                R"(}, "_meta": {"exchange": "exchange/hgpushes/v1", "routing_key": )"
                R"("mozilla-central", "serializer": "json", "sent": "SENT"}})");
  auto m2 = reader.Next();
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->exchange, v2);
  EXPECT_EQ(m2->routing_key, "mozilla-central");
  EXPECT_EQ(WithoutSent(m2->body),
            R"({"payload": {"type": "changegroup.1", "data": {"repo_url": ")" + url +
                R"(", "heads": )" + heads + R"(, "source": "serve", "pushlog_pushes": )" + pushes +
                R"(}}, "_meta": {"exchange": "exchange/hgpushes/v2", "routing_key": )"
                R"("mozilla-central", "serializer": "json", "sent": "SENT"}})");
  auto m3 = reader.Next();
  ASSERT_TRUE(m3);
  EXPECT_EQ(m3->exchange, v2);
  EXPECT_EQ(m3->routing_key, "integration/foo_Bar-baz");
  EXPECT_EQ(WithoutSent(m3->body),
            R"({"payload": {"type": "newrepo.1", "data": {"repo_url": )"
            R"("https://hg.mozilla.org/integration/foo_Bar-baz"}}, "_meta": {"exchange": )"
            R"("exchange/hgpushes/v2", "routing_key": "integration/foo_Bar-baz", "serializer": )"
            R"("json", "sent": "SENT"}})");

  // Restarted: nothing already delivered goes out again, not even a
  // duplicate copy of a delivered event; the next new event does.
  nlohmann::json copy = changegroup;
  copy["_created"] = 99.0;
  scratch_.Append(copy);
  scratch_.Append(test::Aggregated(MakeRepoInit("{moz}/try", true, 12), 12));
  test::DaemonProcess daemon({test::HgclusterBin(), "notify-pulse", cfg},
                             scratch_.path() + "/run2.log");
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("pulsenotifier") == 5; })) << daemon.Output();
  daemon.Signal(SIGTERM);
  ASSERT_EQ(daemon.Wait(), 0);
  auto m4 = reader.Next();
  ASSERT_TRUE(m4);
  EXPECT_EQ(m4->routing_key, "try") << m4->body;
  EXPECT_NE(daemon.Output().find("at offset 3 duplicates the event at offset 1"), std::string::npos)
      << daemon.Output();
}

// Counts failed deliveries of the sink it wraps. A test holds Hold() while it
// changes the broker, so that no delivery runs halfway through the change.
class CountingSink : public NotificationSink {
 public:
  explicit CountingSink(NotificationSink& inner) : inner_(inner) {}
  void Deliver(const PushNotification& n) override {
    std::lock_guard lock(mu_);
    try {
      inner_.Deliver(n);
    } catch (...) {
      ++failures_;
      throw;
    }
  }
  int failures() const { return failures_.load(); }
  std::unique_lock<std::mutex> Hold() { return std::unique_lock(mu_); }

 private:
  std::mutex mu_;
  NotificationSink& inner_;
  std::atomic<int> failures_{0};
};

class LoopThread {
 public:
  LoopThread(const NotifierConfig& config, Log& log, NotificationSink& sink) {
    NotifierLoopOptions o;
    o.group = config.group;
    thread_ = std::thread([&config, &log, &sink, o, this] {
      try {
        NotifierLoop(config, log, sink, o).Run(stop_);
      } catch (const std::exception&) {
      }
    });
  }
  ~LoopThread() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(PulseNotifier, RetryAfterAV2FailureDoesNotPublishV1Again) {
  const std::string v1 = "test/retry/v1";
  const std::string v2 = "test/retry/v2";
  test::QueueReader reader(broker_->port());
  reader.DeclareExchange(v1, "topic");
  reader.Bind(v1);
  // v2 exists with another type: our topic declaration fails until fixed.
  reader.DeclareExchange(v2, "fanout");
  scratch_.Repo("mozilla-central");
  IniFile ini =
      IniFile::Parse(scratch_.ConsumerIni("pulseconsumer", "pulsenotifier") + PulseSection(v1, v2));
  NotifierConfig config = NotifierConfig::Load(ini, "pulseconsumer");
  config.retry.base_seconds = 0.01;
  config.retry.max_retries = 1;
  PulseSink pulse(PulseConfig::Load(ini));
  CountingSink sink(pulse);
  scratch_.Append(
      test::Aggregated(MakeChangegroup("{moz}/mozilla-central", "serve", 1, {Node('a')}, 2), 2));
  testing::internal::CaptureStdout();
  {
    LoopThread loop(config, scratch_.log(), sink);
    ASSERT_TRUE(WaitFor([&] { return sink.failures() >= 3; }));
    EXPECT_EQ(scratch_.Committed("pulsenotifier"), -1);
    {
      // Heal v2 and bind the reader to it before the next retry publishes:
      // a message published to the new exchange before the bind is dropped.
      auto hold = sink.Hold();
      reader.DeleteExchange(v2);
      reader.DeclareExchange(v2, "topic");
      reader.Bind(v2);
    }
    ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("pulsenotifier") == 1; }));
  }
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("PRECONDITION_FAILED"), std::string::npos) << out;
  int v1_count = 0;
  while (true) {
    auto m = reader.Next();
    ASSERT_TRUE(m) << "no v2 message";
    if (m->exchange == v1) ++v1_count;
    if (m->exchange == v2) break;
  }
  EXPECT_EQ(v1_count, 1);
}

TEST_F(PulseNotifier, UnreachableBrokerIsRetriedWithoutCommitting) {
  scratch_.Repo("mozilla-central");
  int closed_port = test::FreeLoopbackPort();
  IniFile ini = IniFile::Parse(scratch_.ConsumerIni("pulseconsumer", "pulsenotifier") +
                               PulseSection("a/v1", "a/v2", closed_port));
  NotifierConfig config = NotifierConfig::Load(ini, "pulseconsumer");
  config.retry.base_seconds = 0.005;
  config.retry.max_retries = 1;
  PulseSink pulse(PulseConfig::Load(ini));
  CountingSink sink(pulse);
  scratch_.Append(test::Aggregated(MakeRepoInit("{moz}/mozilla-central", true, 2), 2));
  testing::internal::CaptureStdout();
  {
    LoopThread loop(config, scratch_.log(), sink);
    ASSERT_TRUE(WaitFor([&] { return sink.failures() >= 3; }));
  }
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(scratch_.Committed("pulsenotifier"), -1);
  EXPECT_NE(out.find("connecting to pulse at 127.0.0.1:" + std::to_string(closed_port)),
            std::string::npos);
}

}  // namespace
}  // namespace hgc
