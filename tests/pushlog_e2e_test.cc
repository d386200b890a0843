// The pushlog end to end on a real local cluster: pushes over (local) ssh by
// several users are recorded on the leader in .hg/pushlog2.db, bound to the
// hg transaction, and every mirror ends with the same push ids, users, dates
// and nodes — also when a mirror consumer is killed along the way.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "cluster_fixture.h"
#include "hg/revlog_index.h"
#include "pushlog/pushlog_commands.h"
#include "pushlog/pushlog_db.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

std::string Describe(const std::vector<PushRecord>& pushes) {
  std::string out;
  for (const auto& p : pushes) {
    out += std::to_string(p.id) + " " + p.user + " " + std::to_string(p.date) + " " +
           std::to_string(p.nodes.size()) + " nodes\n";
  }
  return out;
}

// `count` new changesets on top of the client's tip.
void Commit(const std::string& client, int count) {
  for (int i = 0; i < count; ++i) {
    auto r = Sh("cd " + client + " && date +%s%N >> f && hg commit -q -A -m change",
                {{"HGRCPATH", ""}, {"HGUSER", "Test <t@example.com>"}, {"HGPLAIN", "1"}});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
}

ProcessResult PushAs(Cluster& c, const std::string& user, const std::string& client,
                     const std::string& name) {
  return Sh(
      "hg -R " + client + " push --ssh '" + c.SshCommand() + "' " + c.PushUrl(name),
      {{"HGRCPATH", ""}, {"HGUSER", "Test <t@example.com>"}, {"HGPLAIN", "1"}, {"USER", user}});
}

bool MirrorsHaveLeaderPushlog(Cluster& c, const std::string& name, int mirrors) {
  auto want = PushlogOf(c.LeaderRepo(name));
  for (int m = 1; m <= mirrors; ++m) {
    if (PushlogOf(c.MirrorRepo(m, name)) != want) return false;
  }
  return true;
}

// json-pushes as the leader's repository would answer it (the same engine,
// in-process, on the leader's files).
std::string LeaderJsonPushes(Cluster& c, const std::string& name, const std::string& query) {
  RepoCommands commands;
  RegisterPushlogCommands(commands);
  RepoRequest req;
  req.repo_name = name;
  req.repo_root = c.LeaderRepo(name);
  req.command = "json-pushes";
  req.query = {{query.substr(0, query.find('=')), query.substr(query.find('=') + 1)}};
  RepoResponse res;
  (*commands.Find("json-pushes"))(req, res);
  return res.body;
}

// json-pushes from mirror `m`'s web front; "" when it does not answer 200.
std::string MirrorJsonPushes(Cluster& c, int m, const std::string& name, const std::string& query) {
  std::string url = c.Status()["mirrors"][m - 1]["http"].get<std::string>();
  auto hostport = url.substr(url.find("//") + 2);
  hostport = hostport.substr(0, hostport.find('/'));
  httplib::Client client(hostport.substr(0, hostport.find(':')),
                         std::stoi(hostport.substr(hostport.find(':') + 1)));
  auto r = client.Get(("/" + name + "/json-pushes?" + query).c_str());
  return r && r->status == 200 ? r->body : "";
}

TEST(PushlogE2E, PushesAreRecordedOnTheLeaderAndReplicatedToMirrors) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  Commit(client, 3);
  auto first = PushAs(c, "alice@example.com", client, "repo");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("remote: recorded push in pushlog"), std::string::npos) << first.out;
  Commit(client, 3);
  ASSERT_EQ(PushAs(c, "bob@example.com", client, "repo").exit_code, 0);

  auto leader = PushlogOf(c.LeaderRepo("repo"));
  ASSERT_EQ(leader.size(), 2u) << Describe(leader);
  EXPECT_EQ(leader[0].id, 1);
  EXPECT_EQ(leader[0].user, "alice@example.com");
  EXPECT_EQ(leader[0].nodes.size(), 3u);
  EXPECT_EQ(leader[1].id, 2);
  EXPECT_EQ(leader[1].user, "bob@example.com");
  EXPECT_EQ(leader[1].nodes.size(), 3u);
  EXPECT_GT(leader[1].date, 1700000000);

  ASSERT_TRUE(
      WaitFor([&] { return MirrorsHaveLeaderPushlog(c, "repo", 2); }, std::chrono::seconds(60)))
      << "leader:\n"
      << Describe(leader) << "mirror 1:\n"
      << Describe(PushlogOf(c.MirrorRepo(1, "repo")));
  // verifypushlog: the leader's hg alias and the command on a mirror.
  auto verify = Sh("hg -R " + c.LeaderRepo("repo") + " verifypushlog", {{"HGRCPATH", ""}});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.out, "pushlog contains all 6 changesets across 2 pushes\n");
  auto mirror_verify = Hgcluster({"verifypushlog", "--repo", c.MirrorRepo(1, "repo")});
  EXPECT_EQ(mirror_verify.exit_code, 0) << mirror_verify.err;
  // A changeset the pushlog does not know is reported.
  {
    auto db = PushlogDb::OpenForWrite(c.MirrorRepo(2, "repo"));
    db->db().Exec("DELETE FROM changesets WHERE rev = 5");
  }
  auto broken = Hgcluster({"verifypushlog", "--repo", c.MirrorRepo(2, "repo")});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_EQ(broken.out, "pushlog has errors\n");
  EXPECT_NE(broken.err.find("changeset does not exist in pushlog: "), std::string::npos);
  {
    auto db = PushlogDb::OpenForWrite(c.MirrorRepo(2, "repo"));
    db->ApplyReplicated(PushlogOf(c.LeaderRepo("repo")),
                        ChangelogIndex::Load(c.MirrorRepo(2, "repo")));
  }
  std::string leader_json = LeaderJsonPushes(c, "repo", "startID=0");
  EXPECT_NE(leader_json.find("alice@example.com"), std::string::npos) << leader_json;
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return MirrorJsonPushes(c, m, "repo", "startID=0") == leader_json; },
                        std::chrono::seconds(60)))
        << MirrorJsonPushes(c, m, "repo", "startID=0") << "\n"
        << leader_json;
  }
}

// A pretxnclose hook that runs after ours refuses the push: hg rolls back and
// so does the pushlog; the next push gets the id the refused one had.
TEST(PushlogE2E, RolledBackPushLeavesNoRowAnywhere) {
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  std::string hgrc = c.LeaderRepo("repo") + "/.hg/hgrc";
  {
    std::ofstream out(hgrc, std::ios::app);
    out << "[hooks]\npretxnclose.zzrefuse = echo refusing this push; exit 1\n"
        << "priority.pretxnclose.zzrefuse = -200\n";
  }
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  Commit(client, 2);
  auto refused = PushAs(c, "alice@example.com", client, "repo");
  ASSERT_NE(refused.exit_code, 0) << refused.out << refused.err;
  std::string all = refused.out + refused.err;
  EXPECT_NE(all.find("recorded push in pushlog"), std::string::npos) << all;
  EXPECT_NE(all.find("rolling back pushlog"), std::string::npos) << all;
  EXPECT_TRUE(PushlogOf(c.LeaderRepo("repo")).empty()) << Describe(PushlogOf(c.LeaderRepo("repo")));

  fs::remove(hgrc);
  ASSERT_EQ(PushAs(c, "bob@example.com", client, "repo").exit_code, 0);
  auto leader = PushlogOf(c.LeaderRepo("repo"));
  ASSERT_EQ(leader.size(), 1u) << Describe(leader);
  EXPECT_EQ(leader[0].id, 1);
  EXPECT_EQ(leader[0].user, "bob@example.com");
  ASSERT_TRUE(
      WaitFor([&] { return MirrorsHaveLeaderPushlog(c, "repo", 2); }, std::chrono::seconds(60)));
}

// Many pushes from three users, concurrently, while one mirror's consumer is
// SIGKILLed half-way (the supervisor restarts it): every mirror ends with the
// leader's pushlog, no push row duplicated or lost. 20 pushes per user are
// enough: what matters is that pushes race each other and that the kill lands
// while half of them are still to come (it used to be 167 each, 5 minutes).
TEST(PushlogE2E, ThreeUsersManyPushesWithAMirrorKilledMidway) {
  const int kPushesPerUser = 20;
  Cluster c;
  ScratchDir work;
  c.CreateRepo("busy");
  const std::vector<std::string> users{"alice@example.com", "bob@example.com", "carol@example.com"};
  std::vector<std::string> clients;
  for (size_t u = 0; u < users.size(); ++u) {
    std::string client = work / ("client" + std::to_string(u));
    ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
    // Each user pushes their own line of history, one changeset at a time.
    ASSERT_EQ(c.Hg("-R " + client + " debugbuilddag -n '@u" + std::to_string(u) + " +" +
                   std::to_string(kPushesPerUser) + "'")
                  .exit_code,
              0);
    clients.push_back(client);
  }
  std::atomic<int> done{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> pushers;
  for (size_t u = 0; u < users.size(); ++u) {
    pushers.emplace_back([&, u] {
      for (int i = 0; i < kPushesPerUser; ++i) {
        auto r = Sh("hg -R " + clients[u] + " push -f -r " + std::to_string(i) + " --ssh '" +
                        c.SshCommand() + "' " + c.PushUrl("busy"),
                    {{"HGRCPATH", ""}, {"HGPLAIN", "1"}, {"USER", users[u]}});
        if (r.exit_code != 0) ++failures;
        ++done;
      }
    });
  }
  const int total = kPushesPerUser * static_cast<int>(users.size());
  ASSERT_TRUE(WaitFor([&] { return done.load() >= total / 2; }, std::chrono::seconds(600)));
  int pid = c.Status()["mirrors"][1]["pid"];
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  EXPECT_LT(done.load(), total) << "the kill must land while pushes are still coming";
  for (auto& t : pushers) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto leader = PushlogOf(c.LeaderRepo("busy"));
  ASSERT_EQ(static_cast<int>(leader.size()), total) << Describe(leader);
  for (size_t i = 0; i < leader.size(); ++i) ASSERT_EQ(leader[i].id, static_cast<int64_t>(i + 1));
  std::map<std::string, int> per_user;
  for (const auto& p : leader) ++per_user[p.user];
  for (const auto& u : users) EXPECT_EQ(per_user[u], kPushesPerUser) << u;
  ASSERT_TRUE(
      WaitFor([&] { return MirrorsHaveLeaderPushlog(c, "busy", 2); }, std::chrono::seconds(180)))
      << "mirror 2 has " << PushlogOf(c.MirrorRepo(2, "busy")).size() << " pushes";
  // What clients see: byte-identical json-pushes from the leader's files and
  // from both mirrors' web fronts (once the heads consumers have published
  // the last push as replicated).
  std::string leader_json = LeaderJsonPushes(c, "busy", "startID=0");
  ASSERT_GT(leader_json.size(), static_cast<size_t>(total) * 60);
  for (int m = 1; m <= 2; ++m) {
    EXPECT_TRUE(WaitFor([&] { return MirrorJsonPushes(c, m, "busy", "startID=0") == leader_json; },
                        std::chrono::seconds(60)))
        << "mirror " << m << " answers " << MirrorJsonPushes(c, m, "busy", "startID=0").size()
        << " bytes, the leader " << leader_json.size();
  }
}

}  // namespace
}  // namespace hgc::test
