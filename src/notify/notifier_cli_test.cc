// The notifier command lines as an operator runs them (spec/hosting.md
// §2.2): missing sections, --skip output and exit codes, --start-from, the
// reference's alias names and the graceful exit on SIGTERM.
#include <gtest/gtest.h>

#include <filesystem>

#include "notify/test_daemon_process.h"
#include "notify/test_notify_support.h"

namespace hgc {
namespace {

using test::Hgcluster;

const char* kPulseSection =
    "[pulse]\nhostname = 127.0.0.1\nport = 1\nuserid = guest\npassword = guest\n"
    "virtual_host = /\nssl = false\nexchange = exchange/hgpushes/v1\n"
    "exchange2 = exchange/hgpushes/v2\nrouting_key_strip_prefix = https://hg.mozilla.org/\n";

TEST(NotifierCli, MissingSinkSectionsPrintTheReferenceMessage) {
  test::NotifyScratch s;
  std::string pulse_cfg = s.WriteFile("pulse.ini", s.ConsumerIni("pulseconsumer", "pulsenotifier"));
  auto r = Hgcluster({"notify-pulse", pulse_cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "no [pulse] config section\n");
  std::string sns_cfg = s.WriteFile("sns.ini", s.ConsumerIni("snsconsumer", "snsnotifier"));
  r = Hgcluster({"vcsreplicator-sns-notifier", sns_cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "no [awsevents] config section\n");
  r = Hgcluster({"notify-pulse", s.path() + "/missing.ini"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

TEST(NotifierCli, SkipPrintsWhatItSkipped) {
  test::NotifyScratch s;
  std::string cfg =
      s.WriteFile("n.ini", s.ConsumerIni("pulseconsumer", "pulsenotifier") + kPulseSection);
  s.Append(MakeHeartbeat(1));
  s.AppendRaw("garbage that is no replication message");
  s.Append(MakeHeartbeat(2));
  s.Append(MakeHeartbeat(3));
  auto r = Hgcluster({"notify-pulse", cfg, "--skip"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "skipped heartbeat-1 message in partition 0 for group pulsenotifier\n");
  EXPECT_EQ(s.Committed("pulsenotifier"), 1);
  r = Hgcluster({"vcsreplicator-pulse-notifier", cfg, "--skip"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "skipped UNKNOWN message in partition 0 for group pulsenotifier\n");
  EXPECT_EQ(s.Committed("pulsenotifier"), 2);
  // --start-from is absolute: skips offset 3, not the committed offset 2.
  r = Hgcluster({"notify-pulse", cfg, "--skip", "--start-from", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(s.Committed("pulsenotifier"), 4);
  r = Hgcluster({"notify-pulse", cfg, "--skip"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "no message available; nothing to skip\n");
  EXPECT_EQ(s.Committed("pulsenotifier"), 4);
}

TEST(NotifierCli, DaemonUnderItsReferenceNameExitsGracefullyOnSigterm) {
  test::NotifyScratch s;
  std::string cfg =
      s.WriteFile("n.ini", s.ConsumerIni("pulseconsumer", "pulsenotifier") + kPulseSection);
  s.Append(MakeHeartbeat(1));
  std::string alias =
      std::filesystem::path(test::HgclusterBin()).parent_path() / "vcsreplicator-pulse-notifier";
  test::DaemonProcess daemon({alias, cfg}, s.path() + "/daemon.log");
  ASSERT_TRUE(test::WaitFor([&] { return s.Committed("pulsenotifier") == 1; }));
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0);
  EXPECT_EQ(daemon.Output(),
            "vcsreplicator.pushnotifications heartbeat-1 message not relevant; ignoring\n"
            "vcsreplicator.pushnotifications received signal 15\n"
            "vcsreplicator.pushnotifications exiting gracefully\n"
            "vcsreplicator.pushnotifications executing loop exiting gracefully\n"
            "vcsreplicator.pushnotifications process exiting code 0\n");
}

TEST(NotifierCli, WebhooksSkipMovesOneTargetOnly) {
  test::NotifyScratch s;
  std::string cfg = s.WriteFile("w.ini", s.ConsumerIni("webhooksconsumer", "hooks") +
                                             "[webhooks]\nsecret = s3cret\n"
                                             "url.ci = http://127.0.0.1:1/ci\n"
                                             "url.bot = http://127.0.0.1:1/bot\n");
  s.Append(MakeHeartbeat(1));
  auto r = Hgcluster({"notify-webhooks", cfg, "--skip", "--target", "bot"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "skipped heartbeat-1 message in partition 0 for group hooks-bot\n");
  EXPECT_EQ(s.Committed("hooks-bot"), 1);
  EXPECT_EQ(s.Committed("hooks-ci"), -1);
  r = Hgcluster({"notify-webhooks", cfg, "--skip"});
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace hgc
