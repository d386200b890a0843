// Replication message -> notification (spec/hosting.md §2.3, §2.4): the
// exact data, the pushlog lookup, and the exact log line of every case that
// announces nothing.
#include "notify/notification_builder.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/ini.h"
#include "notify/ordered_json.h"
#include "notify/test_notify_support.h"

namespace hgc {
namespace {

using test::Node;

class NotificationBuilder : public ::testing::Test {
 protected:
  NotificationBuilder()
      : config_(NotifierConfig::Load(
            IniFile::Parse(scratch_.ConsumerIni("pulseconsumer", "pulsenotifier")),
            "pulseconsumer")) {}

  // Builds and returns what was logged.
  std::string Build(const nlohmann::json& body, std::optional<PushNotification>* out) {
    testing::internal::CaptureStdout();
    *out = BuildNotification(DecodeMessage(EncodeMessage(body)), 0, 7, config_);
    return testing::internal::GetCapturedStdout();
  }

  test::NotifyScratch scratch_;
  NotifierConfig config_;
};

TEST_F(NotificationBuilder, IgnoredCasesLogTheReferenceLines) {
  scratch_.Repo("mozilla-central");
  scratch_.Repo("private/secret");
  std::optional<PushNotification> n;
  EXPECT_EQ(Build(MakeHeartbeat(1), &n),
            "vcsreplicator.pushnotifications heartbeat-1 message not relevant; ignoring\n");
  EXPECT_FALSE(n);
  EXPECT_EQ(Build(MakeRepoInit("/elsewhere/repo", true, 1), &n),
            "vcsreplicator.pushnotifications no public URL could be resolved for "
            "/elsewhere/repo; not sending notification\n");
  EXPECT_FALSE(n);
  EXPECT_EQ(Build(MakeRepoInit("{moz}/private/secret", true, 1), &n),
            "vcsreplicator.pushnotifications ignoring repo because path in ignore list: "
            "{moz}/private/secret\n");
  EXPECT_FALSE(n);
  EXPECT_EQ(Build(MakeRepoInit("{moz}/missing", true, 1), &n),
            "vcsreplicator.pushnotifications repository " + scratch_.repos() +
                "missing does not exist; ignoring notification\n");
  EXPECT_FALSE(n);
  EXPECT_EQ(Build(MakePushkey("{moz}/mozilla-central", "bookmarks", "@", "", Node('a'), 1, 1), &n),
            "vcsreplicator.pushnotifications bookmarks pushkey namespace not handled; ignoring\n");
  EXPECT_FALSE(n);
  EXPECT_EQ(Build(MakeHeads("{moz}/mozilla-central", {Node('a')}, 3, 1), &n),
            "vcsreplicator.pushnotifications hg-heads-1 message not relevant to push notifier; "
            "ignoring\n");
  EXPECT_FALSE(n);
  EXPECT_EQ(Build(MakeRepoDelete("{moz}/mozilla-central", 1), &n),
            "vcsreplicator.pushnotifications hg-repo-delete-1 message not relevant to push "
            "notifier; ignoring\n");
  EXPECT_FALSE(n);
}

TEST_F(NotificationBuilder, NewRepo) {
  scratch_.Repo("integration/foo_Bar-baz");
  std::optional<PushNotification> n;
  EXPECT_EQ(Build(test::Aggregated(MakeRepoInit("{moz}/integration/foo_Bar-baz", true, 5), 4), &n),
            "");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->type, "newrepo.1");
  EXPECT_EQ(n->repo_url, "https://hg.mozilla.org/integration/foo_Bar-baz");
  EXPECT_EQ(PythonJsonDumpsOrdered(n->data),
            R"({"repo_url": "https://hg.mozilla.org/integration/foo_Bar-baz"})");
  EXPECT_EQ(n->offset, 7);
  EXPECT_EQ(n->created, 4.0);  // _original_created, not _created
}

TEST_F(NotificationBuilder, ChangegroupPushesOfTheHeadsOnly) {
  std::string repo = scratch_.Repo("mozilla-central");
  test::WritePushlog(repo, {{1, "alice@example.com", 1000, {Node('1'), Node('a')}},
                            {2, "bob@example.com", 2000, {Node('b')}},
                            {3, "carol@example.com", 3000, {Node('c')}}});
  std::optional<PushNotification> n;
  // Heads from pushes 2 and 1 (listed out of order), plus one without a push.
  std::string logged = Build(test::Aggregated(MakeChangegroup("{moz}/mozilla-central", "serve", 4,
                                                              {Node('b'), Node('a'), Node('f')}, 5),
                                              4.5),
                             &n);
  EXPECT_EQ(logged, "vcsreplicator.pushnotifications querying pushlog data for " + repo +
                        "\nvcsreplicator.pushnotifications pushlog data missing!\n");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->type, "changegroup.1");
  const std::string url = "https://hg.mozilla.org/mozilla-central";
  EXPECT_EQ(
      PythonJsonDumpsOrdered(n->data),
      R"({"repo_url": "https://hg.mozilla.org/mozilla-central", "heads": [")" + Node('b') +
          R"(", ")" + Node('a') + R"(", ")" + Node('f') +
          R"("], "source": "serve", "pushlog_pushes": [{"pushid": 1, "user": "alice@example.com", )"
          R"("time": 1000, "push_json_url": ")" +
          url + R"(/json-pushes?version=2&startID=0&endID=1", "push_full_json_url": ")" + url +
          R"(/json-pushes?version=2&full=1&startID=0&endID=1"}, {"pushid": 2, "user": )"
          R"("bob@example.com", "time": 2000, "push_json_url": ")" +
          url + R"(/json-pushes?version=2&startID=1&endID=2", "push_full_json_url": ")" + url +
          R"(/json-pushes?version=2&full=1&startID=1&endID=2"}]})");
}

TEST_F(NotificationBuilder, ChangegroupWithoutPushlogHasNoPushesAndCreatesNoDatabase) {
  std::string repo = scratch_.Repo("mozilla-central");
  std::optional<PushNotification> n;
  Build(MakeChangegroup("{moz}/mozilla-central", "serve", 1, {Node('a')}, 5), &n);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->data["pushlog_pushes"], OrderedJson::array());
  EXPECT_EQ(n->data["source"], "serve");
  EXPECT_FALSE(std::filesystem::exists(repo + "/.hg/pushlog2.db"));
  EXPECT_EQ(n->created, 5.0);  // no _original_created: _created
}

}  // namespace
}  // namespace hgc
