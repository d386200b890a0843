// The SNS notifier against local S3 and SNS stand-ins: the exact S3 object
// (key, body, content type) and SNS Publish request, both SigV4-signed,
// S3 strictly before SNS, the size-limit fallback, and retries that neither
// lose the event nor upload it twice.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "common/ini.h"
#include "message/message.h"
#include "notify/notifier_loop.h"
#include "notify/sns_sink.h"
#include "notify/test_daemon_process.h"
#include "notify/test_http_receiver.h"
#include "notify/test_notify_support.h"
#include "notify/test_sigv4_verify.h"

namespace hgc {
namespace {

using test::Node;
using test::WaitFor;

const SigV4Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
const char* kArn = "arn:aws:sns:us-west-2:699292812394:hgmo-events";
const char* kBucket = "moz-hg-events-us-west-2";

std::map<std::string, std::string> FormFields(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t amp = body.find('&', start);
    if (amp == std::string::npos) amp = body.size();
    std::string item = body.substr(start, amp - start);
    size_t eq = item.find('=');
    if (eq != std::string::npos) out[item.substr(0, eq)] = test::UrlDecode(item.substr(eq + 1));
    start = amp + 1;
  }
  return out;
}

std::string AwsSection(const std::string& s3, const std::string& sns) {
  return std::string("[awsevents]\naccess_key_id = ") + kCreds.access_key_id +
         "\nsecret_access_key = " + kCreds.secret_access_key +
         "\nregion = us-west-2\ntopic_arn = " + kArn + "\nbucket = " + kBucket +
         "\ns3_endpoint_url = " + s3 + "\nsns_endpoint_url = " + sns + "\ntimeout = 10\n";
}

TEST(SnsNotifier, StoresTheEventInS3ThenPublishesItSigned) {
  test::NotifyScratch s;
  test::TestHttpReceiver s3;
  std::atomic<bool> stored_before_publish{false};
  test::TestHttpReceiver sns([&](const test::ReceivedRequest&) {
    stored_before_publish = s3.accepted().size() == 1;
    return test::CannedResponse{200, "<PublishResponse/>"};
  });
  s.Repo("mozilla-central");
  std::string cfg = s.WriteFile(
      "n.ini", s.ConsumerIni("snsconsumer", "snsnotifier") + AwsSection(s3.url(), sns.url()));
  s.Append(MakeHeartbeat(1));
  // 2015-08-30 12:36:00.5 UTC
  s.Append(test::Aggregated(
      MakeChangegroup("{moz}/mozilla-central", "serve", 1, {Node('a')}, 1440938170), 1440938160.5));
  test::DaemonProcess daemon({test::HgclusterBin(), "vcsreplicator-sns-notifier", cfg},
                             s.path() + "/sns.log");
  ASSERT_TRUE(WaitFor([&] { return s.Committed("snsnotifier") == 2; })) << daemon.Output();
  daemon.Signal(SIGTERM);
  ASSERT_EQ(daemon.Wait(), 0);

  const std::string key = "events/2015-08-30/0000000001-20150830T123600.json";
  const std::string data_url = s3.url() + "/" + kBucket + "/" + key;
  const std::string data =
      R"({"heads": [")" + Node('a') +
      R"("], "pushlog_pushes": [], "repo_url": "https://hg.mozilla.org/mozilla-central", )"
      R"("source": "serve"})";
  auto puts = s3.requests();
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].method, "PUT");
  EXPECT_EQ(puts[0].target, std::string("/") + kBucket + "/" + key);
  EXPECT_EQ(puts[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(puts[0].body, R"({"created": 1440938160.5, "data": )" + data +
                              R"(, "id": 1, "type": "changegroup.1"})");
  EXPECT_EQ(test::VerifySigV4(puts[0], kCreds, "us-west-2", "s3"), "");

  auto publishes = sns.requests();
  ASSERT_EQ(publishes.size(), 1u);
  EXPECT_TRUE(stored_before_publish);
  EXPECT_EQ(publishes[0].method, "POST");
  EXPECT_EQ(test::VerifySigV4(publishes[0], kCreds, "us-west-2", "sns"), "");
  auto form = FormFields(publishes[0].body);
  EXPECT_EQ(form["Action"], "Publish");
  EXPECT_EQ(form["TopicArn"], kArn);
  EXPECT_EQ(form["Message"], R"({"data": )" + data + R"(, "data_url": ")" + data_url +
                                 R"(", "type": "changegroup.1"})");

  std::string log = daemon.Output();
  for (const std::string& line :
       {std::string("vcsreplicator.snsnotifier processing message 1: changegroup.1 for "
                    "https://hg.mozilla.org/mozilla-central\n"),
        "vcsreplicator.snsnotifier uploading to S3: " + data_url + "\n",
        std::string("vcsreplicator.snsnotifier sending SNS notification to ") + kArn + "\n",
        std::string("vcsreplicator.snsnotifier finished processing message 1\n")}) {
    EXPECT_NE(log.find(line), std::string::npos) << line << "--- in ---\n" << log;
  }
}

TEST(SnsNotifier, PublishFailuresAreRetriedWithoutLosingOrReuploading) {
  test::NotifyScratch s;
  test::TestHttpReceiver s3;
  std::atomic<int> calls{0};
  test::TestHttpReceiver sns([&](const test::ReceivedRequest&) {
    return test::CannedResponse{++calls <= 2 ? 500 : 200, ""};
  });
  s.Repo("mozilla-central");
  IniFile ini =
      IniFile::Parse(s.ConsumerIni("snsconsumer", "snsnotifier") + AwsSection(s3.url(), sns.url()));
  NotifierConfig config = NotifierConfig::Load(ini, "snsconsumer");
  config.retry.base_seconds = 0.005;
  SnsSink sink(AwsEventsConfig::Load(ini));
  s.Append(test::Aggregated(MakeRepoInit("{moz}/mozilla-central", true, 5), 5));
  std::atomic<bool> stop{false};
  testing::internal::CaptureStdout();
  std::thread loop([&] {
    NotifierLoopOptions o;
    o.group = "snsnotifier";
    NotifierLoop(config, s.log(), sink, o).Run(stop);
  });
  bool done = WaitFor([&] { return s.Committed("snsnotifier") == 1; });
  stop = true;
  loop.join();
  testing::internal::GetCapturedStdout();
  ASSERT_TRUE(done);
  EXPECT_EQ(sns.requests().size(), 3u);
  EXPECT_EQ(sns.accepted().size(), 1u);
  EXPECT_EQ(s3.requests().size(), 1u);  // stored once, not once per attempt
}

TEST(SnsNotifier, OversizedMessageKeepsOnlyAPointer) {
  test::TestHttpReceiver s3;
  test::TestHttpReceiver sns;
  AwsEventsConfig config = AwsEventsConfig::Load(IniFile::Parse(AwsSection(s3.url(), sns.url())));
  SnsSink sink(config);
  PushNotification n;
  n.type = "changegroup.1";
  n.repo_url = "https://hg.mozilla.org/mozilla-central";
  n.offset = 42;
  n.created = 1440938160;
  n.data = OrderedJson::object();
  n.data["repo_url"] = n.repo_url;
  n.data["heads"] = std::vector<std::string>(7000, Node('b'));
  testing::internal::CaptureStdout();
  sink.Deliver(n);
  std::string log = testing::internal::GetCapturedStdout();
  EXPECT_NE(log.find("vcsreplicator.snsnotifier message too large for SNS; dropping payload\n"),
            std::string::npos);
  const std::string url =
      s3.url() + "/" + kBucket + "/events/2015-08-30/0000000042-20150830T123600.json";
  ASSERT_EQ(sns.requests().size(), 1u);
  EXPECT_EQ(FormFields(sns.requests()[0].body)["Message"],
            R"({"data_url": ")" + url +
                R"(", "external": true, "repo_url": "https://hg.mozilla.org/mozilla-central", )"
                R"("type": "changegroup.1"})");
  ASSERT_EQ(s3.requests().size(), 1u);
  EXPECT_GT(s3.requests()[0].body.size(), 280000u);  // the full event is in S3
  EXPECT_NE(s3.requests()[0].body.find(R"("created": 1440938160, )"), std::string::npos);
}

TEST(SnsNotifier, ObjectKeyUsesUtcAndPythonRounding) {
  EXPECT_EQ(SnsSink::ObjectKey(7, 0), "events/1970-01-01/0000000007-19700101T000000.json");
  // utcfromtimestamp rounds to microseconds, which can carry a second.
  EXPECT_EQ(SnsSink::ObjectKey(12345678901, 1440938160.9999996),
            "events/2015-08-30/12345678901-20150830T123601.json");
}

}  // namespace
}  // namespace hgc
