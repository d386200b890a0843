// Bootstrap (spec/replication.md §3.10) and the runbook's "Kafka nuclear
// option" on real local clusters: the leader's offsets document, a brand-new
// mirror built from it (events of the range applied on top, nothing lost,
// json-pushes identical to the leader's), and a whole cluster's log wiped and
// rebuilt with `hgcluster bootstrap cluster`.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <set>

#include "cluster_fixture.h"
#include "common/repo_command.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "log/log.h"
#include "master_support.h"
#include "message/message.h"
#include "pushlog/pushlog_commands.h"
#include "pushlog/pushlog_db.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

std::string LogUrl(Cluster& c) { return ClusterLayout::At(c.root()).LoadState().log.url; }

std::map<int, int64_t> HighWatermarks(Log& log) {
  std::map<int, int64_t> out;
  for (int p = 0; p < log.PartitionCount("pushdata"); ++p) {
    out[p] = log.GetWatermarks("pushdata", p).high;
  }
  return out;
}

// json-pushes as the web front answers it, computed in-process on a
// repository's files.
std::string JsonPushes(const std::string& root) {
  RepoCommands commands;
  RegisterPushlogCommands(commands);
  RepoRequest req;
  req.repo_name = fs::path(root).filename().string();
  req.repo_root = root;
  req.command = "json-pushes";
  req.query = {{"startID", "0"}, {"version", "2"}};
  RepoResponse res;
  (*commands.Find("json-pushes"))(req, res);
  return res.body;
}

// json-pushes from mirror `m`'s web front; "" unless it answers 200.
std::string MirrorJsonPushes(Cluster& c, int m, const std::string& name) {
  int port = c.Status()["mirrors"][m - 1]["http_port"].get<int>();
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get(("/" + name + "/json-pushes?startID=0&version=2").c_str());
  return r && r->status == 200 ? r->body : "";
}

void Commit(Cluster& c, const std::string& client, const std::string& file) {
  auto r =
      Sh("cd " + client + " && echo " + file + " >> " + file + " && hg commit -q -A -m " + file,
         {{"HGRCPATH", ""}, {"HGUSER", "Test <t@example.com>"}, {"HGPLAIN", "1"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

ProcessResult PushAs(Cluster& c, const std::string& user, const std::string& client,
                     const std::string& name, const std::string& extra = "") {
  return Sh(
      "hg -R " + client + " push --ssh '" + c.SshCommand() + "' " + extra + " " + c.PushUrl(name),
      {{"HGRCPATH", ""}, {"HGUSER", "Test <t@example.com>"}, {"HGPLAIN", "1"}, {"USER", user}});
}

// Mirror's copy has the leader's heads, bookmarks, phases and pushlog, and
// answers json-pushes with the same bytes.
std::string Differences(const std::string& leader, const std::string& mirror) {
  std::string out;
  if (!fs::exists(mirror + "/.hg")) return mirror + " does not exist\n";
  if (RepoFingerprint(leader) != RepoFingerprint(mirror)) {
    out += "fingerprint:\n" + RepoFingerprint(leader) + "vs\n" + RepoFingerprint(mirror);
  }
  if (PushlogOf(leader) != PushlogOf(mirror)) out += "pushlog differs\n";
  if (JsonPushes(leader) != JsonPushes(mirror)) {
    out += "json-pushes:\n" + JsonPushes(leader) + "\nvs\n" + JsonPushes(mirror) + "\n";
  }
  return out;
}

TEST(BootstrapE2E, HgsshWritesOneSyncPerRepositoryAndPrintsTheOffsetRanges) {
  ClusterOptions one_mirror;
  one_mirror.mirrors = 1;
  Cluster c(one_mirror);
  ScratchDir work;
  for (const char* name : {"b", "a", "outer", "outer/inner"}) c.CreateRepo(name);
  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  Commit(c, client, "f");
  ASSERT_EQ(PushAs(c, "alice", client, "a").exit_code, 0);

  auto log = OpenLog(LogUrl(c));
  auto before = HighWatermarks(*log);
  std::string out = work / "hgssh.json";
  // The reference's command line: HGRC HG --workers N --output FILE.
  auto r = Hgcluster({"vcsreplicator-bootstrap-hgssh", c.root() + "/leader/hgrc", "/usr/bin/hg",
                      "--workers", "2", "--output", out});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto after = HighWatermarks(*log);

  // stdout is the document alone, one line, keys sorted, Python's separators.
  ASSERT_EQ(r.out.rfind("{\"offsets\": {\"0\": [", 0), 0u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
  EXPECT_EQ(ReadFileOrEmpty(out), r.out);
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["repositories"],
            nlohmann::json({"{moz}/a", "{moz}/b", "{moz}/outer", "{moz}/outer/inner"}));
  ASSERT_EQ(doc["offsets"].size(), 8u);
  int64_t total = 0;
  for (int p = 0; p < 8; ++p) {
    auto range = doc["offsets"][std::to_string(p)];
    EXPECT_EQ(range, nlohmann::json({before[p], after[p]})) << "partition " << p;
    total += after[p] - before[p];
  }
  EXPECT_EQ(total, 4);
  // Each record of the ranges is a bootstrap sync, one per repository.
  std::set<std::string> synced;
  for (int p = 0; p < 8; ++p) {
    if (before[p] == after[p]) continue;
    auto cursor = log->OpenCursor({{"pushdata", p, before[p]}});
    int64_t next = before[p];
    ASSERT_TRUE(WaitFor(
        [&] {
          for (const auto& rec : cursor->Poll(100, std::chrono::milliseconds(100))) {
            auto m = DecodeMessage(rec.value);
            EXPECT_EQ(m.name, "hg-repo-sync-2");
            EXPECT_TRUE(m.bootstrap);
            // The whole pushlog rides along where there is one.
            EXPECT_EQ(m.pushes.has_value(), m.path == "{moz}/a") << m.path;
            synced.insert(m.path);
            next = rec.offset + 1;
          }
          return next >= after[p];
        },
        std::chrono::seconds(10)));
  }
  EXPECT_EQ(synced.size(), 4u);
  // The reference's log lines, on stderr.
  for (const char* line : {"vcsreplicator.bootstrap gathered initial Kafka offsets",
                           "vcsreplicator.bootstrap calling `replicatesync --bootstrap` on ",
                           "`replicatesync --bootstrap` on ", "successfully",
                           "vcsreplicator.bootstrap gathered final Kafka offsets",
                           "vcsreplicator.bootstrap hgssh bootstrap process complete!",
                           "vcsreplicator.bootstrap writing output to "}) {
    EXPECT_NE(r.err.find(line), std::string::npos) << line << "\n" << r.err;
  }
  // A leader hgrc whose log has no such topic: the reference's message.
  std::string bad = work / "bad.hgrc";
  WriteFileAtomic(bad, ReadFileOrEmpty(c.root() + "/leader/hgrc") + "");
  Sh("sed -i 's/^topic = pushdata/topic = nosuchtopic/' " + bad);
  auto missing = Hgcluster({"bootstrap", "hgssh", bad});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("could not get partitions for nosuchtopic"), std::string::npos)
      << missing.err;
}

TEST(BootstrapE2E, NewMirrorGetsEveryRepositoryAndTheEventsOfTheRange) {
  ClusterOptions one_mirror;
  one_mirror.mirrors = 1;
  Cluster c(one_mirror);
  ScratchDir work;
  for (const char* name : {"alpha", "beta", "gamma"}) c.CreateRepo(name);
  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  Commit(c, client, "one");
  ASSERT_EQ(PushAs(c, "alice", client, "alpha").exit_code, 0);
  Commit(c, client, "two");
  ASSERT_EQ(c.Hg("-R " + client + " bookmark -r . feature").exit_code, 0);
  ASSERT_EQ(PushAs(c, "bob", client, "alpha", "-B feature").exit_code, 0);
  ASSERT_EQ(PushAs(c, "carol", client, "gamma").exit_code, 0);

  auto log = OpenLog(LogUrl(c));
  auto start = HighWatermarks(*log);
  // Pushed once the range has started, before alpha's sync is written.
  Commit(c, client, "three");
  ASSERT_EQ(PushAs(c, "dave", client, "alpha").exit_code, 0);

  std::string doc_path = work / "hgssh.json";
  auto hgssh = Hgcluster({"bootstrap", "hgssh", c.root() + "/leader/hgrc", "--output", doc_path});
  ASSERT_EQ(hgssh.exit_code, 0) << hgssh.err;

  // Pushed after the syncs but inside the range (the hgssh step's end is
  // moved past them below, as if they had landed while it ran): beta gets
  // its first changesets, and delta is created and pushed to.
  ASSERT_EQ(PushAs(c, "erin", client, "beta").exit_code, 0);
  c.CreateRepo("delta");
  ASSERT_EQ(PushAs(c, "frank", client, "delta").exit_code, 0);
  auto end = HighWatermarks(*log);
  auto doc = nlohmann::json::parse(ReadFileOrEmpty(doc_path));
  for (auto& [p, range] : doc["offsets"].items()) {
    range = nlohmann::json({start[std::stoi(p)], end[std::stoi(p)]});
  }
  WriteFileAtomic(doc_path, doc.dump());

  std::string repos = work / "newmirror/repos";
  std::string ini = work / "newmirror/consumer.ini";
  fs::create_directories(repos);
  WriteFileAtomic(ini, "[consumer]\nlog = " + LogUrl(c) +
                           "\nclient_id = newmirror\ntopic = pushdata\ngroup = newmirror\n"
                           "poll_timeout = 0.1\nworkers = 2\n\n[path_rewrites]\n{moz} = " +
                           repos + "\n\n[pull_url_rewrites]\n{moz} = " + c.root() +
                           "/leader/repos\n\n[replicationrules]\ninclude.all = re:\\{moz\\}/.*\n"
                           "exclude.skipped = path:{moz}/gamma\n");
  auto r = Hgcluster({"vcsreplicator-bootstrap-hgweb", ini, doc_path, "--workers", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const std::string& line : std::vector<std::string>{
           "vcsreplicator.bootstrap reading hgssh JSON document",
           "vcsreplicator.bootstrap scheduled clone for {moz}/alpha",
           "vcsreplicator.bootstrap performing stream clone of " + c.root() + "/leader/repos/alpha",
           "vcsreplicator.bootstrap extra messages found for {moz}/beta: ",
           "vcsreplicator.bootstrap scheduling extra processing for {moz}/beta",
           "vcsreplicator.bootstrap extra processing for {moz}/beta completed successfully",
           "vcsreplicator.bootstrap applying ",  // delta, unlisted
           "vcsreplicator.bootstrap {moz}/alpha successfully cloned",
           "vcsreplicator.bootstrap 0 repositories remaining",
           "vcsreplicator.bootstrap newmirror bootstrap process complete"}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
  for (const char* name : {"alpha", "beta", "delta"}) {
    EXPECT_EQ(Differences(c.LeaderRepo(name), repos + "/" + name), "") << name << "\n" << r.out;
    EXPECT_TRUE(fs::exists(repos + "/" + name + "/.hg/hgcluster-applied")) << name;
  }
  EXPECT_EQ(PushlogOf(repos + "/alpha").size(), 3u);
  // A filtered repository is not cloned, only reported (and is no failure).
  EXPECT_FALSE(fs::exists(repos + "/gamma"));
  EXPECT_EQ(ReadFileOrEmpty(work / "newmirror/hgweb_bootstrap_out.json"),
            "{\"{moz}/gamma\": [\"filtered by rule skipped\"]}\n");
  // Every partition of the document is committed, the empty ranges too.
  auto committed = log->Committed("newmirror", "pushdata", {0, 1, 2, 3, 4, 5, 6, 7});
  for (int p = 0; p < 8; ++p) EXPECT_EQ(committed[p], end[p]) << "partition " << p;

  // The ordinary consumer carries on from there.
  Commit(c, client, "four");
  ASSERT_EQ(PushAs(c, "grace", client, "alpha").exit_code, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        Hgcluster({"consume", ini, "--onetime"});
        return Differences(c.LeaderRepo("alpha"), repos + "/alpha").empty();
      },
      std::chrono::seconds(30)))
      << Differences(c.LeaderRepo("alpha"), repos + "/alpha");

  // A range the log does not hold fails with a clear error, without waiting forever.
  for (auto& [p, range] : doc["offsets"].items()) range[1] = range[1].get<int64_t>() + 1000;
  WriteFileAtomic(doc_path, doc.dump());
  auto stuck = Hgcluster({"bootstrap", "hgweb", ini, doc_path, "--timeout", "1"});
  EXPECT_EQ(stuck.exit_code, 1);
  EXPECT_NE(stuck.err.find("is this mirror's log the one the hgssh document came from?"),
            std::string::npos)
      << stuck.out << stuck.err;
}

TEST(BootstrapE2E, NuclearOptionWipesTheLogAndRebuildsEveryMirror) {
  Cluster c;
  ScratchDir work;
  c.CreateRepo("one");
  c.CreateRepo("two");
  c.CreateRepo("empty");
  std::string client = work / "client";
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  Commit(c, client, "a");
  ASSERT_EQ(PushAs(c, "alice", client, "one").exit_code, 0);
  Commit(c, client, "b");
  ASSERT_EQ(c.Hg("-R " + client + " bookmark -r . release").exit_code, 0);
  ASSERT_EQ(PushAs(c, "bob", client, "one", "-B release").exit_code, 0);
  ASSERT_EQ(PushAs(c, "carol", client, "two").exit_code, 0);
  for (const char* name : {"one", "two", "empty"}) ASSERT_TRUE(c.WaitConverged(name)) << name;

  auto r = Hgcluster({"bootstrap", "cluster", "--root", c.root(), "--workers", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line :
       {"hgcluster bootstrap cluster: [1/8] making every leader repository read-only",
        "hgcluster bootstrap cluster: [2/8] stopping the cluster's daemons",
        "hgcluster bootstrap cluster: [3/8] wiping the replication log",
        "hgcluster bootstrap cluster: [4/8] recreating the topics",
        "hgcluster bootstrap cluster: [5/8] moving each mirror's repositories aside",
        "hgcluster bootstrap cluster: [6/8] leader: a bootstrap sync of every repository",
        "hgcluster bootstrap cluster: [7/8] mirrors: clone every repository from the leader",
        "hgcluster bootstrap cluster: [8/8] restarting the daemons",
        "hgcluster bootstrap cluster:   all repositories writable again",
        "hgcluster bootstrap cluster: done"}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
  EXPECT_FALSE(fs::exists(c.root() + "/leader/readonlyreason"));
  // The log was replaced (the old one is kept), holding only the syncs
  // (and any heartbeat of the restarted master's timer), written as the
  // last master.
  int syncs = 0;
  for (const auto& e : ReadEvents(LogUrl(c), "pushdata")) {
    if (e.name == "heartbeat-1") continue;
    EXPECT_EQ(e.name, "hg-repo-sync-2");
    EXPECT_EQ(e.host, "leader");
    ++syncs;
  }
  EXPECT_EQ(syncs, 3);
  bool kept = false;
  for (const auto& e : fs::directory_iterator(c.root() + "/bootstrap")) {
    kept |= fs::exists(e.path() / "log/log.db") &&
            fs::exists(e.path() / "mirrors/mirror1-repos/one/.hg");
  }
  EXPECT_TRUE(kept);
  for (int m = 1; m <= 2; ++m) {
    for (const char* name : {"one", "two", "empty"}) {
      EXPECT_EQ(Differences(c.LeaderRepo(name), c.MirrorRepo(m, name)), "") << m << " " << name;
    }
    std::string want = JsonPushes(c.LeaderRepo("one"));
    EXPECT_TRUE(
        WaitFor([&] { return MirrorJsonPushes(c, m, "one") == want; }, std::chrono::seconds(20)))
        << MirrorJsonPushes(c, m, "one") << "\nvs\n"
        << want;
  }

  // After the reset pushes replicate as always, through the new log.
  Commit(c, client, "c");
  ASSERT_EQ(PushAs(c, "dave", client, "one").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("one", std::chrono::seconds(30))) << c.Explain("one");
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(
        WaitFor([&] { return PushlogOf(c.MirrorRepo(m, "one")) == PushlogOf(c.LeaderRepo("one")); },
                std::chrono::seconds(20)));
    std::string want = JsonPushes(c.LeaderRepo("one"));
    EXPECT_TRUE(
        WaitFor([&] { return MirrorJsonPushes(c, m, "one") == want; }, std::chrono::seconds(30)))
        << MirrorJsonPushes(c, m, "one") << "\nvs\n"
        << want;
  }
}

TEST(BootstrapE2E, NuclearOptionOnKafkaRefusesUntilTheOperatorWipedTheBrokers) {
  ClusterOptions options;
  options.mirrors = 1;
  options.kafka = true;
  options.kafka_brokers = 1;
  Cluster c(options);
  c.CreateRepo("k");
  auto r = Hgcluster({"bootstrap", "cluster", "--root", c.root()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the log is Kafka, which hgcluster cannot wipe. Do the runbook's steps, "
                       "then run this again with --log-already-wiped:"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(r.out, "");
  // Claiming a wipe that did not happen changes nothing either.
  auto claimed = Hgcluster({"bootstrap", "cluster", "--root", c.root(), "--log-already-wiped"});
  EXPECT_EQ(claimed.exit_code, 1);
  EXPECT_NE(claimed.err.find("--log-already-wiped, but partition "), std::string::npos)
      << claimed.out << claimed.err;
  EXPECT_NE(claimed.err.find("records: wipe the log first"), std::string::npos) << claimed.err;
  EXPECT_FALSE(fs::exists(c.root() + "/leader/readonlyreason"));
  EXPECT_TRUE(fs::exists(c.MirrorRepo(1, "k") + "/.hg") || c.WaitConverged("k"));
  EXPECT_FALSE(fs::exists(c.root() + "/bootstrap"));
}

}  // namespace
}  // namespace hgc::test
