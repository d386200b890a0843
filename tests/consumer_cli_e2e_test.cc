// The consumer's command-line modes as an operator sees them (spec §3.1,
// §3.11, §7.3): `consume CONF --dump/--onetime/--skip/--start-from/
// --wait-for-no-lag/--wait-for-n`, `print-offsets`, and the reference's names
// (`vcsreplicator-consumer`, `vcsreplicator-print-offsets`) as a symlink or a
// first argument. Every command is the built binary run as a process against
// the log of a real local cluster, with its own consumer group (`ttest`) and
// repository directory so that the cluster's own mirrors do not interfere.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <functional>
#include <regex>
#include <sstream>

#include "cluster_fixture.h"
#include "consumer/lag.h"
#include "hg/repo_state.h"
#include "log/log.h"
#include "log/sqlite_db.h"
#include "routing/partition_map.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

const char kHeader[] =
    "topic     group      partition    offset    available    lag (s)\n"
    "--------  -------  -----------  --------  -----------  ---------\n";

// The consumer ini of the reference's transcript tests (§7.1): group ttest,
// client pull0, poll_timeout 0.2, repos under `repos`, pulls from `pull_root`.
std::string WriteConsumerConfig(const ScratchDir& dir, const std::string& log_url,
                                const std::string& pull_root) {
  fs::create_directories(dir / "repos");
  std::string path = dir / "vcsreplicator.ini";
  WriteFileAtomic(path, fmt::format("[consumer]\n"
                                    "log = {}\n"
                                    "client_id = pull0\n"
                                    "topic = pushdata\n"
                                    "group = ttest\n"
                                    "poll_timeout = 0.2\n"
                                    "\n"
                                    "[path_rewrites]\n"
                                    "{{moz}} = {}\n"
                                    "\n"
                                    "[pull_url_rewrites]\n"
                                    "{{moz}} = {}\n",
                                    log_url, dir / "repos", pull_root));
  return path;
}

// `--dump` output with the wall-clock `_created` values replaced by T; fails
// the test if a value is not a Python float repr.
std::string MaskCreated(const std::string& yaml) {
  std::string out;
  std::istringstream in(yaml);
  static const std::regex kCreated(R"((- |  )_created: (\d+\.\d+))");
  for (std::string line; std::getline(in, line);) {
    if (line.find("_created: ") != std::string::npos) {
      EXPECT_TRUE(std::regex_match(line, kCreated)) << line;
      line = line.substr(0, line.find("_created: ")) + "_created: T";
    }
    if (line.rfind("  - date: ", 0) == 0) line = "  - date: D";
    out += line + "\n";
  }
  return out;
}

// What `--dump --partition 2` shows after `repo create mozilla-central` and a
// push of one changeset `node`.
std::string ExpectedPartition2(const std::string& node) {
  // The `hg init` heartbeat: the reference sends it to the lowest partition
  // of the partition map (spec §1.4 quirk); hgcluster sends it to the repo's
  // own partition. The changegroup carries the push's pushlog row (user: the
  // OS account, as the test's environment has no USER). Every message carries
  // the master's fencing epoch and host (docs/formats.md).
  return fmt::format(
      "- _created: T\n"
      "  _master_epoch: 1\n"
      "  _master_host: leader\n"
      "  name: heartbeat-1\n"
      "- _created: T\n"
      "  _master_epoch: 1\n"
      "  _master_host: leader\n"
      "  generaldelta: true\n"
      "  name: hg-repo-init-2\n"
      "  path: '{{moz}}/mozilla-central'\n"
      "- _created: T\n"
      "  _master_epoch: 1\n"
      "  _master_host: leader\n"
      "  name: heartbeat-1\n"
      "- _created: T\n"
      "  _master_epoch: 1\n"
      "  _master_host: leader\n"
      "  name: heartbeat-1\n"
      "- _created: T\n"
      "  _master_epoch: 1\n"
      "  _master_host: leader\n"
      "  heads:\n"
      "  - {0}\n"
      "  name: hg-changegroup-2\n"
      "  nodecount: 1\n"
      "  path: '{{moz}}/mozilla-central'\n"
      "  pushes:\n"
      "  - date: D\n"
      "    nodes:\n"
      "    - {0}\n"
      "    pushid: 1\n"
      "    user: {1}\n"
      "  source: serve\n"
      "- _created: T\n"
      "  _master_epoch: 1\n"
      "  _master_host: leader\n"
      "  heads:\n"
      "  - {0}\n"
      "  last_push_id: 1\n"
      "  name: hg-heads-1\n"
      "  path: '{{moz}}/mozilla-central'\n",
      node, getpwuid(geteuid())->pw_name);
}

class ConsumerCliTest : public ::testing::Test {
 protected:
  ConsumerCliTest() : cluster_(Options()) {
    config_ = WriteConsumerConfig(dir_, LogUrl(), cluster_.root() + "/leader/repos");
  }

  static ClusterOptions Options() {
    ClusterOptions o;
    o.mirrors = 1;
    // The reference's events, byte for byte: no push bundle in them
    // (docs/formats.md, `bundle`), as from a leader of a mixed cluster.
    o.up_args = {"--no-push-bundles"};
    return o;
  }

  std::string LogUrl() const { return "sqlite://" + cluster_.root() + "/log/log.db"; }
  std::string LocalRepo() const { return dir_ / "repos/mozilla-central"; }

  // `hgcluster consume CONF ARGS...`
  ProcessResult Consume(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"consume", config_};
    argv.insert(argv.end(), args.begin(), args.end());
    return Hgcluster(argv);
  }

  // The group's committed offset of partition p, -1 if it never committed.
  int64_t Committed(int p) {
    auto log = OpenLog(LogUrl());
    auto committed = log->Committed("ttest", "pushdata", {p});
    return committed.count(p) ? committed[p] : -1;
  }

  // `repo create mozilla-central` (partition 2, as in the reference's tests)
  // and a push of one changeset, whose node is remembered in node_.
  void CreateRepoAndPushOne() {
    ASSERT_EQ(Md5Mod("{moz}/mozilla-central", 8), 2);
    cluster_.CreateRepo("mozilla-central");
    std::string client = dir_ / "client";
    ASSERT_EQ(cluster_.Hg("init " + client).exit_code, 0);
    ASSERT_EQ(cluster_.Hg("-R " + client + " debugbuilddag '+1'").exit_code, 0);
    auto push = cluster_.Push(client, "mozilla-central");
    ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
    node_ = cluster_.Hg("-R " + client + " log -r tip -T '{node}'").out;
    ASSERT_EQ(node_.size(), 40u) << node_;
  }

  ScratchDir dir_;
  Cluster cluster_;
  std::string config_;
  std::string node_;
};

TEST_F(ConsumerCliTest, DumpPrintsPendingMessagesAsYamlAndCommitsNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateRepoAndPushOne());
  auto dump = Consume({"--dump", "--partition", "2"});
  ASSERT_EQ(dump.exit_code, 0) << dump.out << dump.err;
  EXPECT_EQ(MaskCreated(dump.out), ExpectedPartition2(node_)) << dump.out;
  EXPECT_EQ(dump.err, "");

  // Every partition: only partition 2 holds anything.
  auto all = Consume({"--dump"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, dump.out);

  auto empty = Consume({"--dump", "--partition", "5"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.out, "[]\n");

  // Nothing was committed and nothing was applied.
  EXPECT_EQ(Committed(2), -1);
  EXPECT_FALSE(fs::exists(LocalRepo()));
  auto offsets = Hgcluster({"print-offsets", config_});
  ASSERT_EQ(offsets.exit_code, 0) << offsets.err;
  std::istringstream rows(offsets.out);
  std::string line;
  for (int i = 0; i < 4; ++i) std::getline(rows, line);  // header, rule, p0, p1
  std::getline(rows, line);
  EXPECT_TRUE(std::regex_match(line, std::regex(R"(pushdata  ttest              2         0 )"
                                                R"(           6  +\d+(\.\d+)?)")))
      << offsets.out;

  // --wait-for-n prints the display form of each message and commits nothing.
  auto three = Consume({"--wait-for-n", "3", "--partition", "2"});
  EXPECT_EQ(three.exit_code, 0);
  EXPECT_EQ(three.out,
            "got a heartbeat-1 message\n"
            "got a hg-repo-init-2: (repo: {moz}/mozilla-central) message\n"
            "got a heartbeat-1 message\n");
  EXPECT_EQ(Committed(2), -1);
}

TEST_F(ConsumerCliTest, OnetimeProcessesOneMessageAndCommitsItsOffset) {
  ASSERT_NO_FATAL_FAILURE(CreateRepoAndPushOne());
  const std::string leader = cluster_.LeaderRepo("mozilla-central");
  const std::string prefix = "vcsreplicator.consumer ";
  auto onetime = [&](int64_t offset) {
    auto r = Consume({"--onetime", "--partition", "2"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(Committed(2), offset + 1) << r.out;
    return r.out;
  };

  EXPECT_EQ(onetime(0), prefix + "processing heartbeat-1 from partition 2 offset 0\n");
  EXPECT_EQ(onetime(1), fmt::format("{0}processing hg-repo-init-2: (repo: {{moz}}/mozilla-central) "
                                    "from partition 2 offset 1\n"
                                    "{0}created Mercurial repository: {1}\n",
                                    prefix, LocalRepo()));
  EXPECT_TRUE(fs::exists(LocalRepo() + "/.hg/requires"));
  EXPECT_EQ(onetime(2), prefix + "processing heartbeat-1 from partition 2 offset 2\n");
  EXPECT_EQ(onetime(3), prefix + "processing heartbeat-1 from partition 2 offset 3\n");

  std::string pull = onetime(4);
  std::vector<std::string> lines;
  std::istringstream in(pull);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_GE(lines.size(), 4u) << pull;
  EXPECT_EQ(lines[0], fmt::format("{}processing hg-changegroup-2: (repo: {{moz}}/mozilla-central, "
                                  "heads: ['{}']) from partition 2 offset 4",
                                  prefix, node_.substr(0, 12)));
  EXPECT_EQ(lines[1], prefix + "pulling 1 heads (" + node_ + ") and 1 nodes from " + leader +
                          " into " + LocalRepo());
  EXPECT_EQ(lines[2], prefix + "  $ hg pull -r" + node_ +
                          " --config=firefoxtree.replication=true -- " + leader);
  EXPECT_EQ(lines[lines.size() - 3], prefix + "  [0]");
  EXPECT_EQ(lines[lines.size() - 2], prefix + "pulled 1 changesets into " + LocalRepo());
  EXPECT_EQ(lines.back(), prefix + "added 1 pushes");
  for (size_t i = 3; i + 3 < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind(prefix + "  > ", 0), 0u) << lines[i];
  }

  EXPECT_EQ(onetime(5),
            fmt::format("{}processing hg-heads-1: (repo: {{moz}}/mozilla-central, "
                        "heads: ['{}'], last_push_id: 1) from partition 2 offset 5\n",
                        prefix, node_.substr(0, 12)));
  EXPECT_EQ(RepoFingerprint(LocalRepo()), RepoFingerprint(leader));

  // Nothing pending: --onetime prints nothing, exits 0, commits nothing new;
  // --dump prints an empty list.
  auto idle = Consume({"--onetime"});
  EXPECT_EQ(idle.exit_code, 0);
  EXPECT_EQ(idle.out, "");
  EXPECT_EQ(Committed(2), 6);
  EXPECT_EQ(Consume({"--dump"}).out, "[]\n");
}

TEST_F(ConsumerCliTest, SkipCommitsPastOneMessageWithoutApplyingIt) {
  cluster_.CreateRepo("mozilla-central");  // heartbeat + init on partition 2
  auto first = Consume({"--skip", "--partition", "2"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "skipped message in partition 2 for group ttest\n");
  EXPECT_EQ(Committed(2), 1);

  // Without --partition: the next pending message of any partition.
  auto second = Consume({"--skip"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "skipped message in partition 2 for group ttest\n");
  EXPECT_EQ(Committed(2), 2);
  EXPECT_FALSE(fs::exists(LocalRepo())) << "a skipped init must not be applied";

  auto none = Consume({"--skip"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.out, "no message available; nothing to skip\n");
  EXPECT_EQ(Committed(2), 2);
  auto none2 = Consume({"--skip", "--partition", "2"});
  EXPECT_EQ(none2.exit_code, 1);
  EXPECT_EQ(none2.out, "no message available; nothing to skip\n");

  // A partition the topic does not have is an error, not "nothing to skip".
  auto typo = Consume({"--skip", "--partition", "8"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.out.find("partition 8 does not exist: topic pushdata has 8 partitions"),
            std::string::npos)
      << typo.out << typo.err;
  auto typo_dump = Consume({"--dump", "--partition", "8"});
  EXPECT_NE(typo_dump.exit_code, 0);
  EXPECT_EQ(typo_dump.out.find("[]"), std::string::npos) << typo_dump.out;
}

// A record no producer could have written: the reference crashes on it and
// cannot skip it; here --dump shows it, --onetime refuses it without
// committing, print-offsets says `error` for its lag, and --skip moves past.
TEST_F(ConsumerCliTest, UndecodableRecordIsDumpedAndCanBeSkipped) {
  {
    auto log = OpenLog(LogUrl());
    ASSERT_EQ(log->Append("pushdata", 3, "garbage"), 0);
  }
  auto dump = Consume({"--dump", "--partition", "3"});
  ASSERT_EQ(dump.exit_code, 0) << dump.out << dump.err;
  EXPECT_EQ(
      dump.out,
      "- _undecodable: 'unrecognized message payload. this is bad: expected \"1\\n\" followed\n"
      "    by JSON, got \"garbage\" (7 bytes); it was not written by a replication producer:\n"
      "    move the consumer past it with --skip'\n"
      "  offset: 0\n"
      "  partition: 3\n");

  auto onetime = Consume({"--onetime", "--partition", "3"});
  EXPECT_EQ(onetime.exit_code, 1);
  EXPECT_NE(onetime.out.find("unrecognized message payload"), std::string::npos) << onetime.out;
  EXPECT_NE(onetime.out.find("vcsreplicator.consumer exiting main consume loop with error\n"),
            std::string::npos)
      << onetime.out;
  EXPECT_EQ(Committed(3), -1);

  // tabulate makes a column holding `error` a text column: left-aligned, the
  // other lags as str(0.0).
  auto offsets = Hgcluster({"print-offsets", config_});
  EXPECT_EQ(offsets.exit_code, 0) << offsets.err;
  EXPECT_EQ(offsets.out,
            "topic     group      partition    offset    available  lag (s)\n"
            "--------  -------  -----------  --------  -----------  ---------\n"
            "pushdata  ttest              0         0            0  0.0\n"
            "pushdata  ttest              1         0            0  0.0\n"
            "pushdata  ttest              2         0            0  0.0\n"
            "pushdata  ttest              3         0            1  error\n"
            "pushdata  ttest              4         0            0  0.0\n"
            "pushdata  ttest              5         0            0  0.0\n"
            "pushdata  ttest              6         0            0  0.0\n"
            "pushdata  ttest              7         0            0  0.0\n");

  auto skip = Consume({"--skip", "--partition", "3"});
  EXPECT_EQ(skip.exit_code, 0) << skip.out << skip.err;
  EXPECT_EQ(skip.out, "skipped message in partition 3 for group ttest\n");
  EXPECT_EQ(Committed(3), 1);
  EXPECT_EQ(Consume({"--dump", "--partition", "3"}).out, "[]\n");
}

TEST_F(ConsumerCliTest, StartFromCountsFromTheEarliestOffsetNotTheCommittedOne) {
  ASSERT_NO_FATAL_FAILURE(CreateRepoAndPushOne());
  auto names = [](const std::string& yaml) {
    std::string out;
    std::istringstream in(yaml);
    for (std::string l; std::getline(in, l);) {
      if (l.rfind("  name: ", 0) == 0) out += l.substr(8) + " ";
    }
    return out;
  };
  auto tail = Consume({"--dump", "--partition", "2", "--start-from", "4"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(names(tail.out), "hg-changegroup-2 hg-heads-1 ");

  ASSERT_EQ(Consume({"--skip", "--partition", "2"}).exit_code, 0);
  ASSERT_EQ(Consume({"--skip", "--partition", "2"}).exit_code, 0);
  ASSERT_EQ(Committed(2), 2);
  // N counts from the earliest stored offset, whatever the group committed...
  auto one = Consume({"--dump", "--partition", "2", "--start-from", "1"});
  EXPECT_EQ(names(one.out), "hg-repo-init-2 heartbeat-1 heartbeat-1 hg-changegroup-2 hg-heads-1 ");
  // ...and 0 is no repositioning at all (reference quirk): the committed offset.
  auto zero = Consume({"--dump", "--partition", "2", "--start-from", "0"});
  EXPECT_EQ(names(zero.out), "heartbeat-1 heartbeat-1 hg-changegroup-2 hg-heads-1 ");
  // Repositioning is not committed by itself.
  EXPECT_EQ(Committed(2), 2);

  // --onetime from a start position processes that message and commits it.
  auto onetime = Consume({"--onetime", "--partition", "2", "--start-from", "5"});
  EXPECT_EQ(onetime.exit_code, 0) << onetime.out << onetime.err;
  EXPECT_EQ(onetime.out.rfind("vcsreplicator.consumer processing hg-heads-1: ", 0), 0u)
      << onetime.out;
  EXPECT_NE(onetime.out.find(" from partition 2 offset 5\n"), std::string::npos) << onetime.out;
  EXPECT_EQ(Committed(2), 6);
}

TEST_F(ConsumerCliTest, WaitForNoLagReturnsOnceTheGroupHasConsumedEverything) {
  ASSERT_NO_FATAL_FAILURE(CreateRepoAndPushOne());
  auto lagging = Consume({"--wait-for-no-lag", "--timeout", "0.5"});
  EXPECT_EQ(lagging.exit_code, 1);
  EXPECT_EQ(lagging.err, "timed out waiting for group ttest to catch up\n");
  EXPECT_EQ(Committed(2), -1) << "--wait-for-no-lag must consume nothing";

  std::string log_path = dir_ / "consumer.log";
  int pid = SpawnDaemon({HgclusterBin(), "consume", config_}, log_path);
  int status = -1;
  auto exited = [&] { return waitpid(pid, &status, WNOHANG) == pid; };
  struct Reaper {
    int pid;
    std::function<bool()> exited;
    ~Reaper() {
      if (pid > 0 && !exited()) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
  } reaper{pid, exited};

  auto caught_up = Consume({"--wait-for-no-lag", "--timeout", "120"});
  EXPECT_EQ(caught_up.exit_code, 0) << caught_up.err << ReadFileOrEmpty(log_path);
  EXPECT_EQ(caught_up.out, "");
  EXPECT_EQ(Committed(2), 6);
  EXPECT_EQ(RepoFingerprint(LocalRepo()), RepoFingerprint(cluster_.LeaderRepo("mozilla-central")));

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  ASSERT_TRUE(WaitFor(exited, std::chrono::seconds(30)));
  reaper.pid = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::string log = ReadFileOrEmpty(log_path);
  EXPECT_EQ(log.rfind("vcsreplicator.consumer starting consumer for topic=pushdata group=ttest "
                      "partitions=all\n",
                      0),
            0u)
      << log;
  EXPECT_NE(log.find("vcsreplicator.consumer processing hg-heads-1: "), std::string::npos) << log;
  const std::string end =
      "vcsreplicator.consumer received signal 15\n"
      "vcsreplicator.consumer exiting from main consume loop\n"
      "vcsreplicator.consumer process exiting gracefully\n";
  ASSERT_GE(log.size(), end.size());
  EXPECT_EQ(log.substr(log.size() - end.size()), end) << log;

  // Caught up: returns at once even without a timeout.
  auto again = Consume({"--wait-for-no-lag"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(ConsumerCliTest, PrintOffsetsPrintsTheTabulateTable) {
  ASSERT_NO_FATAL_FAILURE(CreateRepoAndPushOne());
  for (int i = 0; i < 6; ++i) ASSERT_EQ(Consume({"--skip", "--partition", "2"}).exit_code, 0);
  const std::string in_sync = std::string(kHeader) +
                              "pushdata  ttest              0         0            0          0\n"
                              "pushdata  ttest              1         0            0          0\n"
                              "pushdata  ttest              2         6            6          0\n"
                              "pushdata  ttest              3         0            0          0\n"
                              "pushdata  ttest              4         0            0          0\n"
                              "pushdata  ttest              5         0            0          0\n"
                              "pushdata  ttest              6         0            0          0\n"
                              "pushdata  ttest              7         0            0          0\n";
  auto offsets = Hgcluster({"print-offsets", config_});
  EXPECT_EQ(offsets.exit_code, 0) << offsets.err;
  EXPECT_EQ(offsets.out, in_sync);
  auto alias = Hgcluster({"vcsreplicator-print-offsets", config_});
  EXPECT_EQ(alias.exit_code, 0) << alias.err;
  EXPECT_EQ(alias.out, in_sync);

  // GROUPS: several groups, one block each; here the cluster's own mirror
  // once it has caught up.
  ASSERT_TRUE(WaitFor([&] { return cluster_.Status()["mirrors"][0]["lag"]["messages"] == 0; }))
      << cluster_.MirrorLog(1);
  auto two = Hgcluster({"print-offsets", config_, "ttest,mirror1"});
  EXPECT_EQ(two.exit_code, 0) << two.err;
  std::string mirror1 = in_sync.substr(sizeof(kHeader) - 1);
  mirror1 = std::regex_replace(mirror1, std::regex("ttest  "), "mirror1");
  EXPECT_EQ(two.out, in_sync + mirror1);

  // A lagging partition: lag = now - _created of the first unconsumed
  // message, printed with format "g"; the column is aligned on the decimal
  // point (or exponent), so in-sync zeros move left.
  {
    auto log = OpenLog(LogUrl());
    log->Append("pushdata", 5, "1\n{\"_created\": -1000000000000000.0, \"name\": \"heartbeat-1\"}");
  }
  auto lagging = Hgcluster({"print-offsets", config_});
  EXPECT_EQ(lagging.exit_code, 0) << lagging.err;
  EXPECT_EQ(lagging.out, std::string(kHeader) +
                             "pushdata  ttest              0         0            0      0\n"
                             "pushdata  ttest              1         0            0      0\n"
                             "pushdata  ttest              2         6            6      0\n"
                             "pushdata  ttest              3         0            0      0\n"
                             "pushdata  ttest              4         0            0      0\n"
                             "pushdata  ttest              5         0            1      1e+15\n"
                             "pushdata  ttest              6         0            0      0\n"
                             "pushdata  ttest              7         0            0      0\n");
}

TEST_F(ConsumerCliTest, ReferenceNamesWorkAsSymlinkAndAsFirstArgument) {
  ASSERT_NO_FATAL_FAILURE(CreateRepoAndPushOne());
  auto plain = Consume({"--dump", "--partition", "2"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(MaskCreated(plain.out), ExpectedPartition2(node_));

  ScratchDir bin;
  fs::create_symlink(HgclusterBin(), bin / "vcsreplicator-consumer");
  fs::create_symlink(HgclusterBin(), bin / "vcsreplicator-print-offsets");
  auto linked = RunProcess({bin / "vcsreplicator-consumer", config_, "--dump", "--partition", "2"});
  EXPECT_EQ(linked.exit_code, 0) << linked.err;
  EXPECT_EQ(linked.out, plain.out);
  auto first_arg = Hgcluster({"vcsreplicator-consumer", config_, "--dump", "--partition", "2"});
  EXPECT_EQ(first_arg.exit_code, 0) << first_arg.err;
  EXPECT_EQ(first_arg.out, plain.out);

  // The modes go through the alias too.
  auto onetime = RunProcess({bin / "vcsreplicator-consumer", config_, "--onetime"});
  EXPECT_EQ(onetime.exit_code, 0) << onetime.err;
  EXPECT_EQ(onetime.out,
            "vcsreplicator.consumer processing heartbeat-1 from partition 2 offset 0\n");
  auto linked_offsets = RunProcess({bin / "vcsreplicator-print-offsets", config_});
  EXPECT_EQ(linked_offsets.exit_code, 0) << linked_offsets.err;
  EXPECT_EQ(linked_offsets.out.substr(0, sizeof(kHeader) - 1), kHeader);
  EXPECT_NE(linked_offsets.out.find("pushdata  ttest              2         1            6  "),
            std::string::npos)
      << linked_offsets.out;
}

// Modes that need no cluster: a hand-filled embedded log, and errors.
TEST(ConsumerCliStandaloneTest, StartFromIsSplitAcrossPartitionsAndFollowsRetention) {
  ScratchDir dir;
  std::string db = dir / "log.db";
  std::string config = WriteConsumerConfig(dir, "sqlite://" + db, dir / "leader");
  {
    auto log = OpenLog("sqlite://" + db);
    log->EnsureTopic("pushdata", 8);
    for (int p = 0; p < 4; ++p) {
      for (int i = 0; i < 3; ++i) {
        log->Append("pushdata", p,
                    "1\n{\"_created\": " + std::to_string(1000 + 10 * p + i) +
                        ".0, \"name\": \"heartbeat-1\"}");
      }
    }
  }
  auto created = [](const std::string& yaml) {
    std::string out;
    std::istringstream in(yaml);
    for (std::string l; std::getline(in, l);) {
      if (l.rfind("- _created: ", 0) == 0) out += l.substr(12) + " ";
    }
    return out;
  };
  // 11 over 8 partitions: each gets 1, the first 3 one more; partitions are
  // listed in order.
  auto split = Hgcluster({"consume", config, "--dump", "--start-from", "11"});
  ASSERT_EQ(split.exit_code, 0) << split.out << split.err;
  EXPECT_EQ(created(split.out), "1002.0 1012.0 1022.0 1031.0 1032.0 ");

  // Retention removed the head of partition 3: N counts from the oldest
  // stored record, not from offset 0.
  {
    SqliteDb raw(db, false);
    raw.Exec("DELETE FROM records WHERE topic = 'pushdata' AND partition = 3 AND offset = 0");
  }
  auto relative = Hgcluster({"consume", config, "--dump", "--partition", "3", "--start-from", "1"});
  ASSERT_EQ(relative.exit_code, 0) << relative.out << relative.err;
  EXPECT_EQ(created(relative.out), "1032.0 ");
  // A group that never committed starts at the oldest stored record.
  auto fresh = Hgcluster({"consume", config, "--dump", "--partition", "3"});
  EXPECT_EQ(created(fresh.out), "1031.0 1032.0 ");
  auto skip = Hgcluster({"consume", config, "--skip", "--partition", "3"});
  EXPECT_EQ(skip.out, "skipped message in partition 3 for group ttest\n");
  auto offsets = Hgcluster({"print-offsets", config});
  EXPECT_NE(offsets.out.find("pushdata  ttest              3         2            3  "),
            std::string::npos)
      << offsets.out;
}

TEST(ConsumerCliStandaloneTest, MissingConfigFileIsAClearError) {
  ScratchDir dir;
  std::string missing = dir / "nope.ini";
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"consume", missing, "--dump"},
                                             {"consume", missing},
                                             {"vcsreplicator-consumer", missing, "--onetime"},
                                             {"print-offsets", missing},
                                             {"vcsreplicator-print-offsets", missing}}) {
    auto r = Hgcluster(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE((r.out + r.err).find("config file does not exist: " + missing), std::string::npos)
        << args[0] << ": " << r.out << r.err;
  }
}

// tabulate's decimal alignment of a float column in which some partitions
// lag (values that an end-to-end run cannot pin): the expected text is what
// Python tabulate 0.8.9 prints for the same rows.
TEST(ConsumerCliStandaloneTest, TabulateAlignsFloatColumnsOnTheDecimalPoint) {
  EXPECT_EQ(TabulateSimple({"partition", "lag (s)"}, {{"0", "0"}, {"1", "71.6265"}, {"2", "1.5"}},
                           {true, true}),
            "  partition    lag (s)\n"
            "-----------  ---------\n"
            "          0     0\n"
            "          1    71.6265\n"
            "          2     1.5\n");
}

}  // namespace
}  // namespace hgc::test
