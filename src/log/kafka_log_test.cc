// Tests of the Kafka log backend against `hgcluster kafka-mock` started as a
// separate process, the way a real deployment reaches its brokers. Faults are
// injected with the mock's SIGUSR1 (all brokers down) / SIGUSR2 (back up).
#include "log/kafka_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/subprocess.h"

namespace hgc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// Polls `ready` until it holds or `limit` passes.
bool WaitUntil(const std::function<bool()>& ready, SteadyClock::duration limit) {
  auto deadline = SteadyClock::now() + limit;
  while (!ready()) {
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One `hgcluster kafka-mock` process, stopped when this goes out of scope.
class MockKafkaProcess {
 public:
  explicit MockKafkaProcess(int brokers = 3) : brokers_(brokers) {
    char dir_template[] = "/tmp/hgc-kafka-test-XXXXXX";
    dir_ = mkdtemp(dir_template);
    std::filesystem::path bootstrap_file = dir_ / "bs";
    pid_ = SpawnDaemon({HGCLUSTER_BIN, "kafka-mock", "--brokers", std::to_string(brokers),
                        "--bootstrap-file", bootstrap_file.string()},
                       (dir_ / "mock.log").string());
    bool up =
        WaitUntil([&] { return std::filesystem::exists(bootstrap_file) || Exited(); }, seconds(20));
    if (!up || Exited()) {
      ADD_FAILURE() << "kafka-mock did not publish " << bootstrap_file << "; its output:\n"
                    << Output();
      return;
    }
    std::istringstream(ReadFile(bootstrap_file)) >> bootstrap_;
  }

  ~MockKafkaProcess() {
    if (pid_ > 0 && !Exited()) {
      kill(pid_, SIGTERM);
      if (!WaitUntil([&] { return Exited(); }, seconds(15))) {
        ADD_FAILURE() << "kafka-mock ignored SIGTERM";
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
      }
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  const std::string& bootstrap() const { return bootstrap_; }
  std::filesystem::path bootstrap_file() const { return dir_ / "bs"; }
  std::string Output() const { return ReadFile(dir_ / "mock.log"); }

  void SetBrokersDown() { Signal(SIGUSR1, "brokers down"); }
  void SetBrokersUp() { Signal(SIGUSR2, "brokers up"); }

  // Stops the process and returns its exit status (as waitpid reports it).
  int Stop() {
    kill(pid_, SIGTERM);
    EXPECT_TRUE(WaitUntil([&] { return Exited(); }, seconds(15)));
    return status_;
  }

 private:
  // Signals the mock and waits until it says the change is in place, so the
  // test never races the fault.
  void Signal(int sig, const std::string& state) {
    std::string line = "kafka-mock: all " + std::to_string(brokers_) + " " + state;
    size_t seen = Count(Output(), line);
    kill(pid_, sig);
    ASSERT_TRUE(WaitUntil([&] { return Count(Output(), line) > seen; }, seconds(10)))
        << "kafka-mock did not report '" << line << "'; its output:\n"
        << Output();
  }

  static size_t Count(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++n;
    }
    return n;
  }

  bool Exited() {
    if (exited_) return true;
    exited_ = waitpid(pid_, &status_, WNOHANG) == pid_;
    return exited_;
  }

  int brokers_;
  std::filesystem::path dir_;
  int pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
  std::string bootstrap_;
};

class KafkaLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(mock_.bootstrap().empty()); }

  // The mock holds an idle fetch for all of fetch.wait.max.ms, even when
  // data arrives: keep it short here.
  std::unique_ptr<Log> Open(KafkaOptions options = {}) {
    options.fetch_wait = std::chrono::milliseconds(100);
    return OpenKafkaLog(mock_.bootstrap(), "kafka-log-test", options);
  }

  // Polls until `count` records arrived or 10 s passed.
  static std::vector<LogRecord> ReadRecords(LogCursor& cursor, size_t count) {
    std::vector<LogRecord> out;
    auto deadline = SteadyClock::now() + seconds(10);
    while (out.size() < count && SteadyClock::now() < deadline) {
      for (LogRecord& r : cursor.Poll(count - out.size(), milliseconds(500))) {
        out.push_back(std::move(r));
      }
    }
    return out;
  }

  MockKafkaProcess mock_;
};

// Retries `call` while the log is unavailable, for up to 30 s.
bool Eventually(const std::function<void()>& call) {
  return WaitUntil(
      [&] {
        try {
          call();
          return true;
        } catch (const Error& e) {
          EXPECT_EQ(e.kind(), ErrorKind::kLogUnavailable) << e.what();
          return false;
        }
      },
      seconds(30));
}

ErrorKind KindOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no Error thrown";
  return ErrorKind::kUsage;
}

TEST_F(KafkaLogTest, TopicsAreCheckedNotCreated) {
  auto log = Open();
  EXPECT_EQ(log->Backend(), "kafka");
  log->EnsureTopic("pushdata", 8);
  log->EnsureTopic("pushdata", 4);
  EXPECT_EQ(log->PartitionCount("pushdata"), 8);
  EXPECT_EQ(log->PartitionCount("replicatedpushdata"), 1);
  EXPECT_EQ(KindOf([&] { log->EnsureTopic("pushdata", 9); }), ErrorKind::kNotFound);
  EXPECT_EQ(KindOf([&] { log->EnsureTopic("nosuchtopic", 1); }), ErrorKind::kNotFound);
  // Checking must not have auto-created it.
  EXPECT_EQ(KindOf([&] { log->PartitionCount("nosuchtopic"); }), ErrorKind::kNotFound);
}

TEST_F(KafkaLogTest, AppendReturnsConsecutiveOffsetsPerPartition) {
  auto log = Open();
  EXPECT_EQ(log->Append("pushdata", 2, "a"), 0);
  EXPECT_EQ(log->Append("pushdata", 2, "b"), 1);
  EXPECT_EQ(log->Append("pushdata", 2, ""), 2);
  EXPECT_EQ(log->AppendBatch("pushdata", 2, {"c", "d", "e"}), 3);
  EXPECT_EQ(log->Append("pushdata", 2, "f"), 6);
  EXPECT_EQ(log->Append("pushdata", 5, "other partition"), 0);
  EXPECT_EQ(log->AppendBatch("pushdata", 2, {}), 7);  // appends nothing
  EXPECT_EQ(KindOf([&] { log->Append("pushdata", 8, "no such partition"); }), ErrorKind::kConfig);
}

TEST_F(KafkaLogTest, ConcurrentAppendsGetDistinctOffsetsAndBatchesStayContiguous) {
  auto log = Open();
  constexpr int kThreads = 4, kRounds = 20;
  std::vector<std::vector<int64_t>> firsts(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        std::string tag = std::to_string(t) + "/" + std::to_string(i);
        firsts[t].push_back(log->AppendBatch("pushdata", 0, {tag + "a", tag + "b", tag + "c"}));
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> starts;
  for (const auto& v : firsts) starts.insert(v.begin(), v.end());
  ASSERT_EQ(starts.size(), size_t{kThreads * kRounds});
  // Contiguous batches of 3 from offset 0: every start is a multiple of 3.
  for (int64_t s : starts) EXPECT_EQ(s % 3, 0) << s;
  EXPECT_EQ(log->GetWatermarks("pushdata", 0).high, kThreads * kRounds * 3);

  auto cursor = log->OpenCursor({{"pushdata", 0, 0}});
  std::vector<LogRecord> records = ReadRecords(*cursor, kThreads * kRounds * 3);
  ASSERT_EQ(records.size(), size_t{kThreads * kRounds * 3});
  for (size_t i = 0; i < records.size(); i += 3) {
    std::string tag = records[i].value.substr(0, records[i].value.size() - 1);
    EXPECT_EQ(records[i + 1].value, tag + "b");
    EXPECT_EQ(records[i + 2].value, tag + "c");
  }
}

TEST_F(KafkaLogTest, Watermarks) {
  auto log = Open();
  Watermarks empty = log->GetWatermarks("pushdata", 7);
  EXPECT_EQ(empty.low, 0);
  EXPECT_EQ(empty.high, 0);
  for (int i = 0; i < 5; ++i) log->Append("pushdata", 7, "x");
  Watermarks marks = log->GetWatermarks("pushdata", 7);
  EXPECT_EQ(marks.low, 0);
  EXPECT_EQ(marks.high, 5);
  EXPECT_EQ(log->GetWatermarks("pushdata", 6).high, 0);
}

TEST_F(KafkaLogTest, CursorReadsFromGivenOffsetsAcrossPartitions) {
  auto log = Open();
  for (int i = 0; i < 5; ++i) log->Append("pushdata", 0, "a" + std::to_string(i));
  for (int i = 0; i < 3; ++i) log->Append("pushdata", 1, "b" + std::to_string(i));

  auto cursor = log->OpenCursor({{"pushdata", 0, 2}, {"pushdata", 1, 0}});
  std::vector<LogRecord> records = ReadRecords(*cursor, 6);
  ASSERT_EQ(records.size(), 6u);
  std::map<int, std::vector<std::pair<int64_t, std::string>>> by_partition;
  for (const LogRecord& r : records) {
    EXPECT_EQ(r.topic, "pushdata");
    by_partition[r.partition].emplace_back(r.offset, r.value);
  }
  using Seq = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(by_partition[0], (Seq{{2, "a2"}, {3, "a3"}, {4, "a4"}}));
  EXPECT_EQ(by_partition[1], (Seq{{0, "b0"}, {1, "b1"}, {2, "b2"}}));

  // Nothing left: Poll waits out its timeout and returns nothing.
  auto before = SteadyClock::now();
  EXPECT_TRUE(cursor->Poll(10, milliseconds(300)).empty());
  auto waited = SteadyClock::now() - before;
  EXPECT_GE(waited, milliseconds(290));
  EXPECT_LT(waited, seconds(3));

  // A new record wakes a waiting Poll well before its timeout.
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(200));
    log->Append("pushdata", 1, "b3");
  });
  before = SteadyClock::now();
  std::vector<LogRecord> woken = cursor->Poll(10, seconds(10));
  writer.join();
  ASSERT_EQ(woken.size(), 1u);
  EXPECT_EQ(woken[0].value, "b3");
  EXPECT_EQ(woken[0].offset, 3);
  EXPECT_LT(SteadyClock::now() - before, seconds(5));

  // Seek rewinds one partition; max_records caps a Poll.
  cursor->Seek("pushdata", 0, 0);
  std::vector<LogRecord> rewound = ReadRecords(*cursor, 2);
  ASSERT_EQ(rewound.size(), 2u);
  EXPECT_EQ(rewound[0].value, "a0");
  EXPECT_EQ(rewound[1].value, "a1");
  EXPECT_EQ(KindOf([&] { cursor->Seek("pushdata", 5, 0); }), ErrorKind::kNotFound);
}

TEST_F(KafkaLogTest, CommittedOffsetsOutliveTheClient) {
  {
    auto log = Open();
    log->Commit("mirror-a", "pushdata", {{0, 5}, {3, 7}});
    log->Commit("mirror-a", "pushdata", {{3, 9}});
    log->Commit("mirror-a", "replicatedpushdata", {{0, 1}});
  }
  auto other = Open();
  EXPECT_EQ(other->Committed("mirror-a", "pushdata", {0, 1, 2, 3}),
            (std::map<int, int64_t>{{0, 5}, {3, 9}}));
  EXPECT_EQ(other->Committed("mirror-a", "replicatedpushdata", {0}),
            (std::map<int, int64_t>{{0, 1}}));
  EXPECT_TRUE(other->Committed("never-committed", "pushdata", {0, 1, 2}).empty());
}

TEST_F(KafkaLogTest, BrokersDownFailsAppendsInBoundedTimeThenRecovers) {
  KafkaOptions options;
  options.delivery_timeout = seconds(2);
  options.request_timeout = seconds(2);
  auto log = Open(options);
  EXPECT_EQ(log->Append("pushdata", 4, "before"), 0);
  log->Commit("mirror-b", "pushdata", {{4, 1}});
  auto cursor = log->OpenCursor({{"pushdata", 4, 1}});

  mock_.SetBrokersDown();
  auto before = SteadyClock::now();
  try {
    log->Append("pushdata", 4, "during");
    ADD_FAILURE() << "Append succeeded with every broker down";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kLogUnavailable);
    EXPECT_NE(std::string(e.what()).find(mock_.bootstrap()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("pushdata/4"), std::string::npos) << e.what();
  }
  EXPECT_LT(SteadyClock::now() - before, seconds(8));
  before = SteadyClock::now();
  auto commit = [&] { log->Commit("mirror-b", "pushdata", {{4, 2}}); };
  EXPECT_EQ(KindOf(commit), ErrorKind::kLogUnavailable);
  EXPECT_EQ(KindOf([&] { log->Committed("mirror-b", "pushdata", {4}); }),
            ErrorKind::kLogUnavailable);
  EXPECT_EQ(KindOf([&] { log->GetWatermarks("pushdata", 4); }), ErrorKind::kLogUnavailable);
  EXPECT_LT(SteadyClock::now() - before, seconds(15));
  // A reader sees no records; it may or may not have noticed the outage yet.
  try {
    EXPECT_TRUE(cursor->Poll(10, milliseconds(500)).empty());
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kLogUnavailable);
  }

  mock_.SetBrokersUp();
  // Each client reconnects after its own backoff (reconnect.backoff.max.ms),
  // so operations come back within seconds rather than at once.
  int64_t offset = -1;
  ASSERT_TRUE(Eventually([&] { offset = log->Append("pushdata", 4, "after"); }));
  EXPECT_GE(offset, 1);
  std::map<int, int64_t> committed;
  ASSERT_TRUE(Eventually([&] { committed = log->Committed("mirror-b", "pushdata", {4}); }));
  // The commit that timed out was still queued in librdkafka and may have
  // landed once the brokers came back: that is why its error says "may or
  // may not have been stored".
  ASSERT_EQ(committed.count(4), 1u);
  EXPECT_TRUE(committed[4] == 1 || committed[4] == 2) << committed[4];
  std::vector<LogRecord> records = ReadRecords(*cursor, 1);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().value, "after");
}

TEST_F(KafkaLogTest, MockStopsCleanlyAndRemovesItsBootstrapFile) {
  int status = mock_.Stop();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(std::filesystem::exists(mock_.bootstrap_file()));
  EXPECT_NE(mock_.Output().find("bootstrap.servers=" + mock_.bootstrap()), std::string::npos)
      << mock_.Output();
}

TEST(KafkaUrlTest, BrokersFromUrl) {
  EXPECT_EQ(KafkaBrokersFromUrl("kafka://k1:9092"), "k1:9092");
  EXPECT_EQ(KafkaBrokersFromUrl("kafka://k1:9092,10.0.0.2:9093/"), "k1:9092,10.0.0.2:9093");
  for (const char* bad : {"kafka://", "kafka://k1", "kafka://k1:x", "kafka://k1:9092,",
                          "sqlite:///tmp/x.db", "kafka://:9092"}) {
    EXPECT_EQ(KindOf([&] { KafkaBrokersFromUrl(bad); }), ErrorKind::kConfig) << bad;
  }
}

}  // namespace
}  // namespace hgc
