// The leader's hooks called directly through their HookContext: a real hg
// repository, a real embedded log, and FaultyLog for the log failing at the
// worst moment. No hg push, no process per hook: the environment, the
// directory and the output are the context's, never this process's.
#include "leader/hooks.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <sstream>

#include "common/subprocess.h"
#include "hg/obsmarker_pushkey.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "log/faulty_log.h"
#include "message/message.h"
#include "pushlog/pushlog_db.h"
#include "test_support.h"

namespace hgc {
namespace {

using namespace std::chrono_literals;

struct Leader {
  test::ScratchDir dir;
  std::string hgrc = dir / "leader-hgrc";
  std::string repo = dir / "repos/r";
  std::unique_ptr<Log> real = OpenLog("sqlite://" + (dir / "log.db"), "test");
  FaultyLog log{*real};
  std::map<std::string, std::string> env;
  std::ostringstream out, err;

  Leader() {
    real->EnsureTopic("pushdata", 1);
    WriteFileAtomic(hgrc,
                    "[replicationproducer]\n"
                    "log = sqlite://" +
                        (dir / "log.db") +
                        "\n"
                        "clientid = leader\n"
                        "topic = pushdata\n"
                        "partitionmap.0main = 0:.*\n"
                        "[replicationpathrewrites]\n" +
                        (dir / "repos/") + " = {moz}/\n");
    std::filesystem::create_directories(dir / "repos");
    ProcessOptions o;
    o.env_set = {{"HGRCPATH", ""}, {"HGUSER", "t"}};
    EXPECT_TRUE(RunProcess({"hg", "init", repo}, o).ok());
    EXPECT_TRUE(RunProcess({"hg", "-R", repo, "debugbuilddag", "+3"}, o).ok());
  }

  int Run(const std::string& hook) {
    out.str("");
    err.str("");
    HookContext c;
    c.cwd = repo;
    c.env = [this](const std::string& name) {
      auto it = env.find(name);
      return it == env.end() ? std::string() : it->second;
    };
    c.out_stream = &out;
    c.err_stream = &err;
    c.log = &log;
    c.os_account = "hgssh";
    return RunLeaderHook(hook, hgrc, c);
  }

  std::vector<Message> Events() {
    std::vector<Message> out;
    for (const auto& r : real->OpenCursor({{"pushdata", 0, 0}})->Poll(100, 100ms)) {
      out.push_back(DecodeMessage(r.value));
    }
    return out;
  }

  std::string Node(int rev) { return ChangelogIndex::Load(repo).NodeHex(rev); }

  // hg in the repository, as a push would change it (hooks are not run).
  void Hg(std::vector<std::string> args) {
    args.insert(args.begin(), {"hg", "--config", "experimental.evolution=all", "-R", repo});
    ProcessOptions o;
    o.env_set = {{"HGRCPATH", ""}, {"HGUSER", "t"}};
    ProcessResult r = RunProcess(args, o);
    EXPECT_TRUE(r.ok()) << r.err;
  }
};

TEST(LeaderHooks, PretxnopenHeartbeatsAndRecordsTheStateOrRefusesWithTheReferenceLine) {
  Leader l;
  l.env["HG_TXNID"] = "TXN:1";
  l.log.FailNth(FaultyLog::Op::kAppend, 1);
  EXPECT_EQ(l.Run("pretxnopen"), 1);
  EXPECT_EQ(l.out.str().rfind("replication log not available; all writes disabled\n", 0), 0u)
      << l.out.str();
  EXPECT_TRUE(l.Events().empty());
  EXPECT_FALSE(std::filesystem::exists(l.repo + "/.hg/hgcluster-txn-TXN1.json"));

  EXPECT_EQ(l.Run("pretxnopen"), 0) << l.out.str();
  auto events = l.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "heartbeat-1");
  EXPECT_NE(ReadFileOrEmpty(l.repo + "/.hg/hgcluster-txn-TXN1.json").find("\"TXN:1\""),
            std::string::npos);
}

TEST(LeaderHooks, PretxnclosePushlogUsesTheContextsUserNotThisProcesss) {
  Leader l;
  // This process's environment says something else: it must not matter.
  const char* user = getenv("USER");
  std::string saved_user = user ? user : "";
  setenv("HG_SOURCE", "pull", 1);
  setenv("USER", "not-the-pusher", 1);
  l.env = {{"HG_TXNID", "TXN:2"},
           {"HG_SOURCE", "serve"},
           {"HG_NODE", l.Node(1)},
           {"HG_NODE_LAST", l.Node(2)},
           {"USER", "alice"}};
  EXPECT_EQ(l.Run("pretxnclose"), 0) << l.out.str();
  EXPECT_NE(l.out.str().find("recorded push in pushlog\n"), std::string::npos) << l.out.str();
  auto db = PushlogDb::OpenReadOnly(l.repo);
  ASSERT_TRUE(db);
  auto push = db->Push(db->LastPushId());
  ASSERT_TRUE(push);
  EXPECT_EQ(push->user, "alice");
  EXPECT_EQ(push->nodes, (std::vector<std::string>{l.Node(1), l.Node(2)}));
  unsetenv("HG_SOURCE");
  if (user) setenv("USER", saved_user.c_str(), 1);

  // The transaction is rolled back: so is the row.
  EXPECT_EQ(l.Run("txnabort"), 0);
  EXPECT_NE(l.out.str().find("rolling back pushlog"), std::string::npos);
  EXPECT_EQ(PushlogDb::OpenReadOnly(l.repo)->LastPushId(), 0);

  // Without any user variable the pushlog falls back to the OS account the
  // context names (the hg process's, for the agent).
  l.env.erase("USER");
  EXPECT_EQ(l.Run("pretxnclose"), 0) << l.out.str();
  db = PushlogDb::OpenReadOnly(l.repo);
  EXPECT_EQ(db->Push(db->LastPushId())->user, "hgssh");
}

TEST(LeaderHooks, PretxncloseRefusesToCommitWhenTheLogIsDown) {
  Leader l;
  l.env = {
      {"HG_TXNID", "TXN:3"}, {"HG_SOURCE", "serve"}, {"HG_NODE", l.Node(0)}, {"USER", "alice"}};
  l.log.FailNth(FaultyLog::Op::kAppend, 1);
  EXPECT_EQ(l.Run("pretxnclose"), 1);
  EXPECT_EQ(l.out.str(), "replication log not available; cannot close transaction\n");
  EXPECT_EQ(PushlogDb::OpenReadOnly(l.repo), nullptr) << "no pushlog row without the log";
}

TEST(LeaderHooks, ChangegroupLogsItsEventsTogetherOrSaysHowToRepair) {
  Leader l;
  l.env = {{"HG_SOURCE", "serve"}, {"HG_NODE", l.Node(0)}, {"HG_NODE_LAST", l.Node(2)}};
  // The append reached the log but its acknowledgement was lost: the hook
  // cannot know, so it says how to make sure.
  l.log.FailNth(FaultyLog::Op::kAppend, 1, FaultyLog::When::kAfter);
  EXPECT_EQ(l.Run("changegroup"), 1);
  EXPECT_NE(l.out.str().find("replication log not available; the changegroup was committed but "
                             "not recorded"),
            std::string::npos)
      << l.out.str();
  EXPECT_NE(l.out.str().find("run `hg replicatesync` on this repository once the log is back"),
            std::string::npos);

  EXPECT_EQ(l.Run("changegroup"), 0) << l.out.str();
  auto events = l.Events();
  ASSERT_EQ(events.size(), 4u) << "two batches of changegroup + heads";
  EXPECT_EQ(events[2].name, "hg-changegroup-2");
  EXPECT_EQ(events[2].path, "{moz}/r");
  EXPECT_EQ(events[2].nodecount, 3);
  EXPECT_EQ(events[2].heads, std::vector<std::string>{l.Node(2)});
  EXPECT_EQ(events[3].name, "hg-heads-1");
  EXPECT_EQ(events[3].heads, std::vector<std::string>{l.Node(2)});
}

// Two transactions' hooks interleaved as hg allows (it runs txnclose after
// releasing the lock): the second's pretxnopen does not erase what the
// first's txnclose needs.
TEST(LeaderHooks, ATransactionsStateSurvivesTheNextOnesPretxnopen) {
  Leader l;
  l.env["HG_TXNID"] = "TXN:a";
  ASSERT_EQ(l.Run("pretxnopen"), 0) << l.out.str();
  l.Hg({"bookmark", "-r", "1", "feature"});
  l.env["HG_TXNID"] = "TXN:b";
  ASSERT_EQ(l.Run("pretxnopen"), 0) << l.out.str();
  l.env["HG_TXNID"] = "TXN:a";
  ASSERT_EQ(l.Run("txnclose"), 0) << l.out.str();
  auto events = l.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].name, "hg-pushkey-1");
  EXPECT_EQ(events[2].ns, "bookmarks");
  EXPECT_EQ(events[2].key, "feature");
  EXPECT_EQ(events[2].new_value, l.Node(1));
  EXPECT_FALSE(std::filesystem::exists(l.repo + "/.hg/hgcluster-txn-TXNa.json"));
  EXPECT_TRUE(std::filesystem::exists(l.repo + "/.hg/hgcluster-txn-TXNb.json"));
  l.env["HG_TXNID"] = "TXN:b";
  ASSERT_EQ(l.Run("txnabort"), 0);
  EXPECT_FALSE(std::filesystem::exists(l.repo + "/.hg/hgcluster-txn-TXNb.json"));
}

// Changesets the mirrors already have that a transaction made public: one
// `phases` pushkey per head of what moved (the rest follows on a mirror);
// drafts that only gained roots send nothing.
TEST(LeaderHooks, PhasesPushkeysNameTheHeadsOfWhatBecamePublic) {
  Leader l;
  l.Hg({"phase", "--force", "--draft", "-r", "1"});  // 1 and 2 are draft
  auto phase_events = [&] {
    std::vector<Message> out;
    for (auto& m : l.Events()) {
      if (m.name == "hg-pushkey-1" && m.ns == "phases") out.push_back(m);
    }
    return out;
  };
  l.env["HG_TXNID"] = "TXN:1";
  ASSERT_EQ(l.Run("pretxnopen"), 0) << l.out.str();
  l.Hg({"phase", "--public", "-r", "1"});  // 1 moves; 2 stays draft, now a root
  ASSERT_EQ(l.Run("txnclose"), 0) << l.out.str();
  auto events = phase_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, l.Node(1));
  EXPECT_EQ(events[0].old_value, "1");
  EXPECT_EQ(events[0].new_value, "0");

  l.env["HG_TXNID"] = "TXN:2";
  ASSERT_EQ(l.Run("pretxnopen"), 0) << l.out.str();
  l.Hg({"phase", "--force", "--draft", "-r", "0"});  // only more drafts
  ASSERT_EQ(l.Run("txnclose"), 0) << l.out.str();
  EXPECT_EQ(phase_events().size(), 1u) << "new draft roots are not a phase change to send";

  l.env["HG_TXNID"] = "TXN:3";
  ASSERT_EQ(l.Run("pretxnopen"), 0) << l.out.str();
  l.Hg({"phase", "--public", "-r", "2"});  // 0, 1, 2 public: one head
  ASSERT_EQ(l.Run("txnclose"), 0) << l.out.str();
  events = phase_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].key, l.Node(2));
}

// A transaction that only adds markers (a pushed prune): the markers as
// `obsolete` pushkeys, then the heads they changed, as one batch.
TEST(LeaderHooks, MarkersWithoutAChangegroupAreLoggedWithTheHeadsTheyHid) {
  Leader l;
  l.Hg({"debugobsolete", std::string(40, 'e')});  // an earlier marker, not sent again
  l.env["HG_TXNID"] = "TXN:1";
  ASSERT_EQ(l.Run("pretxnopen"), 0) << l.out.str();
  l.Hg({"debugobsolete", "--record-parents", l.Node(2)});
  l.env["HG_NEW_OBSMARKERS"] = "1";
  ASSERT_EQ(l.Run("txnclose"), 0) << l.out.str();
  EXPECT_NE(l.out.str().find("recorded updates to obsolete in replication log in "),
            std::string::npos)
      << l.out.str();
  auto events = l.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].name, "hg-pushkey-1");
  EXPECT_EQ(events[1].ns, "obsolete");
  EXPECT_EQ(events[1].key, "dump0");
  EXPECT_EQ(events[1].old_value, "");
  auto markers = DecodeObsMarkers(events[1].new_value);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].precursor, l.Node(2));
  EXPECT_EQ(markers[0].parents, std::vector<std::string>{l.Node(1)});
  EXPECT_EQ(events[2].name, "hg-heads-1");
  EXPECT_EQ(events[2].heads, std::vector<std::string>{l.Node(1)}) << "the pruned head is gone";
  EXPECT_FALSE(std::filesystem::exists(l.repo + "/.hg/hgcluster-txn-TXN1.json"));
}

// Markers that came with changesets (an amend): the changegroup hook sends
// them between the changegroup and the heads, as the reference orders them.
TEST(LeaderHooks, MarkersOfAChangegroupGoBetweenItAndItsHeads) {
  Leader l;
  l.env["HG_TXNID"] = "TXN:1";
  ASSERT_EQ(l.Run("pretxnopen"), 0) << l.out.str();
  l.Hg({"update", "-r", "2"});
  WriteFileAtomic(l.repo + "/f", "amended\n");
  l.Hg({"commit", "-A", "-m", "amended"});  // rev 3, child of 2
  l.Hg({"debugobsolete", l.Node(2), l.Node(3)});
  l.env["HG_NEW_OBSMARKERS"] = "1";
  l.env["HG_NODE"] = l.Node(3);
  l.env["HG_NODE_LAST"] = l.Node(3);
  l.env["HG_SOURCE"] = "serve";
  ASSERT_EQ(l.Run("txnclose"), 0) << l.out.str();
  EXPECT_EQ(l.Events().size(), 1u) << "only pretxnopen's heartbeat: the markers wait";
  l.env.erase("HG_NEW_OBSMARKERS");  // hg does not pass it to changegroup hooks
  ASSERT_EQ(l.Run("changegroup"), 0) << l.out.str();
  auto events = l.Events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].name, "hg-changegroup-2");
  EXPECT_EQ(events[2].name, "hg-pushkey-1");
  EXPECT_EQ(events[2].ns, "obsolete");
  auto markers = DecodeObsMarkers(events[2].new_value);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].successors, std::vector<std::string>{l.Node(3)});
  EXPECT_EQ(events[3].name, "hg-heads-1");
  EXPECT_FALSE(std::filesystem::exists(l.repo + "/.hg/hgcluster-txn-TXN1.json"));
}

TEST(LeaderHooks, ReadOnlyAndLocalCommitsAreRefusedWhateverTheLog) {
  Leader l;
  EXPECT_EQ(l.Run("precommit"), 1);
  EXPECT_EQ(l.out.str(), "cannot commit to replicating repositories; push instead\n");
  WriteFileAtomic(l.repo + "/.hg/readonlyreason", "closed for the merge\n");
  l.env["HG_NAMESPACE"] = "phases";
  EXPECT_EQ(l.Run("readonly-pushkey"), 1);
  EXPECT_NE(l.out.str().find("closed for the merge\nrefusing to update phases\n"),
            std::string::npos)
      << l.out.str();
  EXPECT_EQ(l.log.Calls(FaultyLog::Op::kAppend), 0) << "refused before the log";
  EXPECT_EQ(l.Run("no-such-hook"), 2);
  EXPECT_EQ(l.err.str(), "unknown hook no-such-hook\n");
}

}  // namespace
}  // namespace hgc
