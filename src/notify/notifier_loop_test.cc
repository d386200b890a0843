// The notifier loop's delivery guarantees, with a scripted sink: commit
// only after delivery, retry without ever committing past an undelivered
// event, duplicates delivered once (also across a restart), undecodable
// records stop the loop, --start-from.
#include "notify/notifier_loop.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "common/error.h"
#include "common/ini.h"
#include "notify/test_notify_support.h"

namespace hgc {
namespace {

using test::Node;
using test::WaitFor;

class ScriptedSink : public NotificationSink {
 public:
  explicit ScriptedSink(test::NotifyScratch& scratch) : scratch_(scratch) {}

  void Deliver(const PushNotification& n) override {
    std::lock_guard lock(mu_);
    ++attempts_;
    // The event being delivered must not be committed yet.
    committed_at_delivery_ok_ &= scratch_.Committed("grp") <= n.offset;
    if (failing_) throw Error(ErrorKind::kIo, "injected failure");
    delivered_.push_back(n);
  }
  void set_failing(bool f) {
    std::lock_guard lock(mu_);
    failing_ = f;
  }
  int attempts() {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  std::vector<PushNotification> delivered() {
    std::lock_guard lock(mu_);
    return delivered_;
  }
  bool committed_at_delivery_ok() {
    std::lock_guard lock(mu_);
    return committed_at_delivery_ok_;
  }

 private:
  test::NotifyScratch& scratch_;
  std::mutex mu_;
  bool failing_ = false;
  int attempts_ = 0;
  bool committed_at_delivery_ok_ = true;
  std::vector<PushNotification> delivered_;
};

class NotifierLoopTest : public ::testing::Test {
 protected:
  NotifierLoopTest()
      : config_(NotifierConfig::Load(IniFile::Parse(scratch_.ConsumerIni("x", "grp")), "x")) {
    config_.retry.base_seconds = 0.002;
    config_.retry.max_retries = 2;
    scratch_.Repo("mozilla-central");
  }
  ~NotifierLoopTest() override { Stop(); }

  void Start(NotificationSink& sink, int64_t start_from = 0) {
    Stop();
    stop_ = false;
    NotifierLoopOptions o;
    o.group = "grp";
    o.start_from = start_from;
    loop_ = std::make_unique<NotifierLoop>(config_, scratch_.log(), sink, o);
    thread_ = std::thread([this] {
      try {
        loop_->Run(stop_);
      } catch (const Error& e) {
        std::lock_guard lock(mu_);
        error_ = e.what();
      }
      finished_ = true;
    });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    finished_ = false;
  }
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }

  test::NotifyScratch scratch_;
  NotifierConfig config_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::unique_ptr<NotifierLoop> loop_;
  std::thread thread_;
  std::mutex mu_;
  std::string error_;
};

const char* kRepo = "{moz}/mozilla-central";

TEST_F(NotifierLoopTest, DeliversInOrderAndCommitsEachAfterDelivery) {
  scratch_.Append(MakeHeartbeat(1));
  scratch_.Append(test::Aggregated(MakeChangegroup(kRepo, "serve", 1, {Node('a')}, 2), 2));
  scratch_.Append(test::Aggregated(MakeRepoInit(kRepo, true, 3), 3));
  scratch_.Append(test::Aggregated(MakeHeads(kRepo, {Node('a')}, 1, 4), 4));
  ScriptedSink sink(scratch_);
  testing::internal::CaptureStdout();
  Start(sink);
  EXPECT_TRUE(WaitFor([&] { return scratch_.Committed("grp") == 4; }));
  Stop();
  testing::internal::GetCapturedStdout();
  auto delivered = sink.delivered();
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[0].type, "changegroup.1");
  EXPECT_EQ(delivered[0].offset, 1);
  EXPECT_EQ(delivered[1].type, "newrepo.1");
  EXPECT_EQ(delivered[1].offset, 2);
  EXPECT_TRUE(sink.committed_at_delivery_ok());
}

TEST_F(NotifierLoopTest, FailingDeliveryIsRetriedAndNeverCommittedPast) {
  scratch_.Append(test::Aggregated(MakeRepoInit(kRepo, true, 1), 1));
  scratch_.Append(test::Aggregated(MakeRepoInit(kRepo, true, 2), 2));
  ScriptedSink sink(scratch_);
  sink.set_failing(true);
  testing::internal::CaptureStdout();
  Start(sink);
  ASSERT_TRUE(WaitFor([&] { return sink.attempts() >= 6; }));
  // Well past max_retries: still retrying, still not committed.
  EXPECT_EQ(scratch_.Committed("grp"), -1);
  EXPECT_FALSE(finished_);
  sink.set_failing(false);
  EXPECT_TRUE(WaitFor([&] { return scratch_.Committed("grp") == 2; }));
  Stop();
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("error notifying hg-repo-init-2: (repo: {moz}/mozilla-central) at offset 0 "
                     "(attempt 1): injected failure; retrying in 0.002 s"),
            std::string::npos)
      << out;
  ASSERT_EQ(sink.delivered().size(), 2u);
  EXPECT_EQ(sink.delivered()[0].offset, 0);
  EXPECT_EQ(sink.delivered()[1].offset, 1);
}

TEST_F(NotifierLoopTest, StopDuringRetriesLeavesTheEventForTheNextRun) {
  scratch_.Append(test::Aggregated(MakeRepoInit(kRepo, true, 1), 1));
  ScriptedSink failing(scratch_);
  failing.set_failing(true);
  testing::internal::CaptureStdout();
  Start(failing);
  ASSERT_TRUE(WaitFor([&] { return failing.attempts() >= 2; }));
  Stop();
  EXPECT_EQ(scratch_.Committed("grp"), -1);
  ScriptedSink working(scratch_);
  Start(working);
  EXPECT_TRUE(WaitFor([&] { return scratch_.Committed("grp") == 1; }));
  Stop();
  testing::internal::GetCapturedStdout();
  EXPECT_EQ(working.delivered().size(), 1u);
}

TEST_F(NotifierLoopTest, DuplicateCopiesAreDeliveredOnceEvenAfterARestart) {
  nlohmann::json event = test::Aggregated(MakeChangegroup(kRepo, "serve", 1, {Node('a')}, 2), 2);
  nlohmann::json copy1 = event;
  copy1["_created"] = 10.0;
  copy1["_aggregated_from"] = {{"topic", "pending"}, {"partition", 0}, {"offset", 5}};
  nlohmann::json copy2 = event;
  copy2["_created"] = 11.0;
  copy2["_aggregated_from"] = {{"topic", "pending"}, {"partition", 0}, {"offset", 9}};
  scratch_.Append(copy1);
  scratch_.Append(copy2);
  ScriptedSink sink(scratch_);
  testing::internal::CaptureStdout();
  Start(sink);
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("grp") == 2; }));
  Stop();
  // A third copy after a restart, then a new event as a marker.
  nlohmann::json copy3 = event;
  copy3["_created"] = 12.0;
  scratch_.Append(copy3);
  scratch_.Append(test::Aggregated(MakeRepoInit(kRepo, true, 13), 13));
  ScriptedSink after(scratch_);
  Start(after);
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("grp") == 4; }));
  Stop();
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(sink.delivered().size(), 1u);
  ASSERT_EQ(after.delivered().size(), 1u);
  EXPECT_EQ(after.delivered()[0].type, "newrepo.1");
  EXPECT_NE(out.find("at offset 1 duplicates the event at offset 0; already handled, ignoring"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("at offset 2 duplicates the event at offset 0"), std::string::npos) << out;
}

TEST_F(NotifierLoopTest, DistinctEventsWithEqualContentAreNotMerged) {
  // Same repo, same heads, but different pushes (_original_created).
  scratch_.Append(test::Aggregated(MakeRepoInit(kRepo, true, 1), 1));
  scratch_.Append(test::Aggregated(MakeRepoInit(kRepo, true, 1), 2));
  ScriptedSink sink(scratch_);
  testing::internal::CaptureStdout();
  Start(sink);
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("grp") == 2; }));
  Stop();
  testing::internal::GetCapturedStdout();
  EXPECT_EQ(sink.delivered().size(), 2u);
}

TEST_F(NotifierLoopTest, UnknownTypeIsIgnoredButUndecodableRecordStopsTheLoop) {
  scratch_.AppendRaw(R"(1
{"_created": 1.0, "name": "hg-future-9", "path": "{moz}/mozilla-central"})");
  scratch_.AppendRaw("not a replication message");
  ScriptedSink sink(scratch_);
  testing::internal::CaptureStdout();
  Start(sink);
  ASSERT_TRUE(WaitFor([&] { return finished_.load(); }));
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("vcsreplicator.pushnotifications hg-future-9 message not relevant to push "
                     "notifier; ignoring"),
            std::string::npos);
  EXPECT_NE(error().find("cannot decode the record at offset 1 of replicatedpushdata partition 0"),
            std::string::npos)
      << error();
  EXPECT_EQ(scratch_.Committed("grp"), 1);
}

TEST_F(NotifierLoopTest, StartFromIsAnAbsoluteOffset) {
  for (int i = 0; i < 4; ++i) scratch_.Append(test::Aggregated(MakeRepoInit(kRepo, true, i), i));
  ScriptedSink sink(scratch_);
  testing::internal::CaptureStdout();
  Start(sink, 2);
  ASSERT_TRUE(WaitFor([&] { return scratch_.Committed("grp") == 4; }));
  Stop();
  testing::internal::GetCapturedStdout();
  ASSERT_EQ(sink.delivered().size(), 2u);
  EXPECT_EQ(sink.delivered()[0].offset, 2);
}

}  // namespace
}  // namespace hgc
