// Webhooks: signed JSON POSTs, and targets that are independent — one
// answering 500 or hanging neither loses events nor delays the others, and
// each target has its own committed offset.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/ini.h"
#include "message/message.h"
#include "common/digest.h"
#include "notify/test_http_receiver.h"
#include "notify/test_notify_support.h"
#include "notify/webhooks_runner.h"

namespace hgc {
namespace {

using test::Node;
using test::WaitFor;

class WebhookNotifier : public ::testing::Test {
 protected:
  void StartRunner(const std::string& a_url, const std::string& b_url) {
    ini_ = std::make_unique<IniFile>(IniFile::Parse(
        scratch_.ConsumerIni("webhooksconsumer", "hooks") + "[webhooks]\nsecret = s3cret\n" +
        "timeout = 20\nurl.a = " + a_url + "/hook\nurl.b = " + b_url + "/hook\n"));
    config_ = NotifierConfig::Load(*ini_, "webhooksconsumer");
    config_.retry.base_seconds = 0.005;
    config_.retry.max_retries = 3;
    webhooks_ = WebhooksConfig::Load(*ini_);
    testing::internal::CaptureStdout();
    thread_ = std::thread(
        [this] { result_ = WebhooksRunner(config_, webhooks_, scratch_.log()).Run(stop_); });
  }
  void StopRunner() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    output_ = testing::internal::GetCapturedStdout();
  }
  ~WebhookNotifier() override {
    if (thread_.joinable()) StopRunner();
  }

  void AppendFiveEvents() {
    scratch_.Repo("mozilla-central");
    scratch_.Repo("try");
    for (int i = 0; i < 5; ++i) {
      const char* repo = i % 2 ? "{moz}/try" : "{moz}/mozilla-central";
      if (i == 2) {
        scratch_.Append(test::Aggregated(MakeRepoInit(repo, true, i), i));
      } else {
        scratch_.Append(test::Aggregated(
            MakeChangegroup(repo, "serve", 1, {Node(static_cast<char>('a' + i))}, i), i));
      }
    }
  }

  test::NotifyScratch scratch_;
  std::unique_ptr<IniFile> ini_;
  NotifierConfig config_;
  WebhooksConfig webhooks_;
  std::atomic<bool> stop_{false};
  std::atomic<int> result_{-1};
  std::thread thread_;
  std::string output_;
};

std::vector<std::string> Bodies(const std::vector<test::ReceivedRequest>& requests) {
  std::vector<std::string> out;
  for (const auto& r : requests) out.push_back(r.body);
  return out;
}

TEST_F(WebhookNotifier, PostsSignedJsonToEveryTarget) {
  test::TestHttpReceiver a;
  test::TestHttpReceiver b;
  scratch_.Repo("integration/foo_Bar-baz");
  scratch_.Append(MakeHeartbeat(1));
  scratch_.Append(test::Aggregated(MakeRepoInit("{moz}/integration/foo_Bar-baz", true, 2), 2));
  StartRunner(a.url(), b.url());
  ASSERT_TRUE(WaitFor(
      [&] { return scratch_.Committed("hooks-a") == 2 && scratch_.Committed("hooks-b") == 2; }));
  StopRunner();
  EXPECT_EQ(result_, 0);
  for (auto* receiver : {&a, &b}) {
    auto requests = receiver->requests();
    ASSERT_EQ(requests.size(), 1u);
    const auto& r = requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook");
    EXPECT_EQ(r.body, R"({"type": "newrepo.1", "data": {"repo_url": )"
                      R"("https://hg.mozilla.org/integration/foo_Bar-baz"}})");
    EXPECT_EQ(r.Header("Content-Type"), "application/json");
    EXPECT_EQ(r.Header("X-Hgcluster-Event"), "newrepo.1");
    EXPECT_EQ(r.Header("X-Hgcluster-Signature"),
              "sha256=" + HexEncode(HmacSha256("s3cret", r.body)));
    EXPECT_EQ(r.Header("X-Hgcluster-Delivery").size(), 64u);
  }
  EXPECT_EQ(a.requests()[0].Header("X-Hgcluster-Delivery"),
            b.requests()[0].Header("X-Hgcluster-Delivery"));
}

TEST_F(WebhookNotifier, FailingTargetLosesNothingAndDoesNotHoldBackTheOther) {
  std::atomic<bool> a_failing{true};
  test::TestHttpReceiver a([&](const test::ReceivedRequest&) {
    return test::CannedResponse{a_failing ? 500 : 200, ""};
  });
  test::TestHttpReceiver b;
  AppendFiveEvents();
  StartRunner(a.url(), b.url());
  // b gets everything while a is still failing.
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("hooks-b") == 5; }));
  EXPECT_EQ(b.accepted().size(), 5u);
  ASSERT_TRUE(WaitFor([&] { return a.requests().size() >= 3; }));
  EXPECT_EQ(scratch_.Committed("hooks-a"), -1);
  EXPECT_TRUE(a.accepted().empty());
  a_failing = false;
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("hooks-a") == 5; }));
  StopRunner();
  // Each event exactly once, in order, the same as the healthy target got.
  EXPECT_EQ(Bodies(a.accepted()), Bodies(b.accepted()));
  EXPECT_EQ(b.requests().size(), 5u);
  EXPECT_NE(output_.find("[a] error notifying"), std::string::npos);
}

TEST_F(WebhookNotifier, HangingTargetDoesNotDelayTheOther) {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  test::TestHttpReceiver* a_ptr = nullptr;
  test::TestHttpReceiver a([&](const test::ReceivedRequest&) {
    std::unique_lock lock(mu);
    // Bounded: the test releases it, or it gives up after 20 s.
    cv.wait_for(lock, std::chrono::seconds(20), [&] { return released || a_ptr->stopping(); });
    return test::CannedResponse{200, ""};
  });
  a_ptr = &a;
  test::TestHttpReceiver b;
  AppendFiveEvents();
  StartRunner(a.url(), b.url());
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("hooks-b") == 5; }));
  EXPECT_LE(scratch_.Committed("hooks-a"), 0);
  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("hooks-a") == 5; }));
  StopRunner();
  EXPECT_EQ(Bodies(a.accepted()), Bodies(b.accepted()));
}

}  // namespace
}  // namespace hgc
