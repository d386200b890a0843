// Read-your-writes' wait on a real embedded log: the aggregator's copy and
// the mirrors' commits are written here by hand, as those daemons would.
#include "leader/served_wait.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/error.h"
#include "hg/repo_state.h"
#include "message/message.h"
#include "test_support.h"

namespace hgc {
namespace {

using namespace std::chrono_literals;

IniFile Ini(const test::ScratchDir& dir, const std::string& name, const std::string& text) {
  WriteFileAtomic(dir / name, text);
  return IniFile::Load(dir / name);
}

TEST(ServedWaitFor, OnFromTheLeaderTheRepositoryOrThePushAndOffOtherwise) {
  test::ScratchDir dir;
  WriteFileAtomic(dir / "groups", "mirror1\n  mirror2  \n\n");
  std::string groups = "groupsfile = " + (dir / "groups") + "\n";
  IniFile off = Ini(dir, "off", "[readyourwrites]\n" + groups);
  IniFile on = Ini(dir, "on", "[readyourwrites]\nenabled = true\ntimeout = 2.5\n" + groups);
  IniFile repo_on = Ini(dir, "repo_on", "[readyourwrites]\nenabled = yes\ntimeout = 7\n");
  IniFile repo_off = Ini(dir, "repo_off", "[readyourwrites]\nenabled = false\n");

  EXPECT_FALSE(ServedWaitFor(off, nullptr, ""));
  auto c = ServedWaitFor(on, nullptr, "");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->groups, (std::vector<std::string>{"mirror1", "mirror2"}));
  EXPECT_EQ(c->timeout, 2500ms);
  c = ServedWaitFor(off, &repo_on, "");
  ASSERT_TRUE(c) << "the repository turns it on";
  EXPECT_EQ(c->timeout, 7000ms) << "and sets its own timeout";
  EXPECT_FALSE(ServedWaitFor(on, &repo_off, "")) << "the repository turns it off";
  EXPECT_TRUE(ServedWaitFor(off, &repo_off, "1")) << "the push asks";
  EXPECT_FALSE(ServedWaitFor(on, &repo_on, "0")) << "the push declines";

  try {
    ServedWaitFor(off, nullptr, "maybe");
    ADD_FAILURE() << "accepted READYOURWRITES=maybe";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--pushvars READYOURWRITES=maybe: expected 1"),
              std::string::npos)
        << e.what();
  }
  IniFile no_groups = Ini(dir, "no_groups", "[readyourwrites]\nenabled = true\n");
  try {
    ServedWaitFor(no_groups, nullptr, "");
    ADD_FAILURE() << "on without a groups file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("groupsfile is not set"), std::string::npos) << e.what();
  }
  IniFile bad_timeout =
      Ini(dir, "bad_timeout", "[readyourwrites]\nenabled = 1\ntimeout = -1\n" + groups);
  EXPECT_THROW(ServedWaitFor(bad_timeout, nullptr, ""), Error);
}

struct Pipeline {
  test::ScratchDir dir;
  std::unique_ptr<Log> log = OpenLog("sqlite://" + (dir / "log.db"), "test");
  Pipeline() {
    log->EnsureTopic("pushdata", 8);
    log->EnsureTopic("replicatedpushdatapending", 1);
  }
  // The push's changegroup and heads events; returns the heads offset.
  int64_t Push(int partition) {
    nlohmann::json heartbeat = {{"name", "heartbeat-1"}, {"_created", 1.0}};
    int64_t first = log->AppendBatch("pushdata", partition,
                                     {EncodeMessage(heartbeat), EncodeMessage(heartbeat)});
    return first + 1;
  }
  // The first aggregator stage copies it; returns the copy's offset.
  int64_t Copy(int partition, int64_t offset) {
    nlohmann::json copy = {{"name", "heartbeat-1"},
                           {"_created", 2.0},
                           {"_aggregated_from",
                            {{"topic", "pushdata"}, {"partition", partition}, {"offset", offset}}}};
    return log->Append("replicatedpushdatapending", 0, EncodeMessage(copy));
  }
};

TEST(ServedWait, ReturnsOnceEveryMirrorCommittedPastTheCopyOfItsHeadsEvent) {
  Pipeline p;
  // Someone else's push copied first: not ours.
  int64_t theirs = p.Push(5);
  p.Copy(5, theirs);
  ServedWait wait(*p.log, {{"mirror1", "mirror2"}, 10000ms});
  int64_t heads = p.Push(3);
  std::thread daemons([&] {
    std::this_thread::sleep_for(50ms);
    p.log->Commit("mirror1", "pushdata", {{3, heads + 1}});
    p.log->Commit("mirror2", "pushdata", {{3, heads + 1}});
    int64_t copy = p.Copy(3, heads);
    p.log->Commit("mirror1", "replicatedpushdatapending", {{0, copy + 1}});
    std::this_thread::sleep_for(50ms);
    p.log->Commit("mirror2", "replicatedpushdatapending", {{0, copy + 1}});
  });
  ServedResult r = wait.Wait("pushdata", 3, heads);
  daemons.join();
  EXPECT_EQ(r.serving, (std::vector<std::string>{"mirror1", "mirror2"}));
  EXPECT_TRUE(r.late.empty());
  EXPECT_GE(r.elapsed, 100ms);
  EXPECT_LT(r.elapsed, 10000ms);
  auto lines = DescribeServed(r, 2, 10000ms);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("served by 2/2 mirrors in ", 0), 0u) << lines[0];
}

TEST(ServedWait, AtTheTimeoutNamesWhoHasNotAppliedOrNotServed) {
  Pipeline p;
  {
    // No copy yet: mirror2 has not applied the push.
    ServedWait wait(*p.log, {{"mirror1", "mirror2"}, 200ms});
    int64_t heads = p.Push(1);
    p.log->Commit("mirror1", "pushdata", {{1, heads + 1}});
    ServedResult r = wait.Wait("pushdata", 1, heads);
    EXPECT_TRUE(r.serving.empty());
    ASSERT_EQ(r.late.size(), 2u);
    EXPECT_EQ(r.late[0],
              (std::pair<std::string, std::string>{"mirror1", "applied, not serving yet"}));
    EXPECT_EQ(r.late[1], (std::pair<std::string, std::string>{"mirror2", "not applied yet"}));
    EXPECT_GE(r.elapsed, 200ms);
    auto lines = DescribeServed(r, 2, 200ms);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0],
              "served by 0/2 mirrors after 0.2 s; late: mirror1 (applied, not serving yet), "
              "mirror2 (not applied yet)");
  }
  {
    // Copied, one mirror serves it, the other's heads consumer is behind.
    ServedWait wait(*p.log, {{"mirror1", "mirror2"}, 200ms});
    int64_t heads = p.Push(2);
    int64_t copy = p.Copy(2, heads);
    p.log->Commit("mirror1", "replicatedpushdatapending", {{0, copy + 1}});
    p.log->Commit("mirror2", "replicatedpushdatapending", {{0, copy}});
    ServedResult r = wait.Wait("pushdata", 2, heads);
    EXPECT_EQ(r.serving, std::vector<std::string>{"mirror1"});
    ASSERT_EQ(r.late.size(), 1u);
    EXPECT_EQ(r.late[0].first, "mirror2");
    EXPECT_EQ(DescribeServed(r, 2, 200ms)[0].rfind("served by 1/2 mirrors after 0.2 s", 0), 0u);
  }
}

}  // namespace
}  // namespace hgc
