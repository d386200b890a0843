// The aggregator against a log that fails (log/faulty_log.h) at every step
// of its copy: each log operation in turn fails once, before it reaches the
// log or — appends and commits — after it did its work. Run as the daemon
// runs it (Recover at the start and after every failure), every event still
// reaches the aggregate topic exactly once and in order.
#include <gtest/gtest.h>

#include <set>

#include "aggregator/aggregator.h"
#include "common/error.h"
#include "hg/repo_state.h"
#include "log/faulty_log.h"
#include "message/message.h"
#include "test_support.h"

namespace hgc {
namespace {

using Op = FaultyLog::Op;
using When = FaultyLog::When;

constexpr int kPartitions = 8;
constexpr int kPerPartition = 12;

struct Scenario {
  test::ScratchDir dir;
  std::unique_ptr<Log> real = OpenLog("sqlite://" + (dir / "log.db"));
  FaultyLog log{*real};
  AggregatorConfig config;

  Scenario() {
    real->EnsureTopic("pushdata", kPartitions);
    real->EnsureTopic("replicatedpushdatapending", 1);
    WriteFileAtomic(dir / "groups", "mirror1\nmirror2\n");
    config.monitor_topic = "pushdata";
    config.monitor_groups_file = dir / "groups";
    config.ack_group = "pushdataaggregator";
    config.aggregate_topic = "replicatedpushdatapending";
    for (int p = 0; p < kPartitions; ++p) {
      std::vector<std::string> values;
      for (int i = 0; i < kPerPartition; ++i) {
        nlohmann::json m = MakeHeartbeat(1.0 + i * kPartitions + p);
        m["seq"] = i;
        values.push_back(EncodeMessage(m));
      }
      real->AppendBatch("pushdata", p, values);
    }
  }

  // Mirrors apply in three steps; after each, the aggregator runs as its
  // daemon loop does until nothing is left to copy.
  void Run() {
    Aggregator agg(config, log);
    bool recover = true;
    for (int64_t applied : {4, 9, kPerPartition}) {
      std::map<int, int64_t> offsets;
      for (int p = 0; p < kPartitions; ++p) offsets[p] = applied;
      real->Commit("mirror1", "pushdata", offsets);
      real->Commit("mirror2", "pushdata", offsets);
      int idle = 0;
      for (int attempt = 0; attempt < 100 && idle < 2; ++attempt) {
        try {
          if (recover) {
            agg.Recover();
            recover = false;
          }
          idle = agg.Iterate() == 0 ? idle + 1 : 0;
        } catch (const Error& e) {
          ASSERT_EQ(e.kind(), ErrorKind::kLogUnavailable) << e.what();
          recover = true;
          idle = 0;
        }
      }
      ASSERT_EQ(idle, 2) << "the aggregator never settled";
    }
  }

  // Every record exactly once, each partition in order.
  void ExpectExactlyOnce(const std::string& what) {
    int64_t high = real->GetWatermarks("replicatedpushdatapending", 0).high;
    EXPECT_EQ(high, kPartitions * kPerPartition) << what;
    auto cursor = real->OpenCursor({{"replicatedpushdatapending", 0, 0}});
    std::set<std::pair<int, int64_t>> seen;
    std::map<int, int> next;
    int64_t read = 0;
    while (read < high) {
      auto records = cursor->Poll(1000, std::chrono::milliseconds(1000));
      ASSERT_FALSE(records.empty()) << what;
      for (const auto& r : records) {
        ++read;
        auto body = DecodeMessage(r.value).body;
        int p = body["_aggregated_from"]["partition"].get<int>();
        int64_t o = body["_aggregated_from"]["offset"].get<int64_t>();
        EXPECT_TRUE(seen.insert({p, o}).second) << what << ": copied twice " << p << "/" << o;
        EXPECT_EQ(body["seq"].get<int>(), next[p]++) << what << ": partition " << p;
      }
    }
    auto acked = real->Committed("pushdataaggregator", "pushdata", {0, 1, 2, 3, 4, 5, 6, 7});
    for (int p = 0; p < kPartitions; ++p) EXPECT_EQ(acked[p], kPerPartition) << what;
  }
};

TEST(AggregatorFaultsTest, EveryLogOperationFailingOnceLosesAndDoublesNothing) {
  struct Case {
    Op op;
    When when;
    const char* name;
  };
  const Case cases[] = {
      {Op::kAppend, When::kBefore, "append fails"},
      {Op::kAppend, When::kAfter, "append lands but reports failure"},
      {Op::kCommit, When::kBefore, "commit fails"},
      {Op::kCommit, When::kAfter, "commit lands but reports failure"},
      {Op::kCommitted, When::kBefore, "reading committed offsets fails"},
      {Op::kWatermarks, When::kBefore, "reading watermarks fails"},
      {Op::kOpenCursor, When::kBefore, "opening a cursor fails"},
      {Op::kPoll, When::kBefore, "a poll fails"},
  };
  for (const Case& c : cases) {
    int injected = 0;
    for (int nth = 1; nth <= 6; ++nth) {
      std::string what = std::string(c.name) + ", call " + std::to_string(nth);
      Scenario s;
      s.log.FailNth(c.op, nth, c.when);
      ASSERT_NO_FATAL_FAILURE(s.Run()) << what;
      s.ExpectExactlyOnce(what);
      injected += s.log.Injected();
    }
    // A case whose faults never fired would prove nothing.
    EXPECT_GE(injected, 3) << c.name;
  }
}

}  // namespace
}  // namespace hgc
