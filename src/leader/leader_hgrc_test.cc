// The leader hgrc as ToIni writes it reads back through ProducerConfig::Load
// with every value it was given, and hg itself sees the hooks, extensions
// and alias (paths with spaces included).
#include "leader/leader_hgrc.h"

#include <gtest/gtest.h>

#include "hg/repo_state.h"
#include "leader/producer.h"
#include "routing/rewrites.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::Sh;

LeaderHgrcSpec Spec(const std::string& dir) {
  LeaderHgrcSpec s;
  s.path = dir + "/leader/hgrc";
  s.executable = dir + "/bin dir/hgcluster";
  s.log_url = "sqlite://" + dir + "/log/log.db";
  s.partitions = 4;
  s.agent_socket = dir + "/leader/hosts/{host}/producer.sock";
  s.agent_runs_hooks = true;
  s.push_bundle_store = dir + "/pushbundles";
  s.max_message_bytes = 2 << 20;
  s.leader_dir = dir + "/leader";
  s.repos = dir + "/leader/repos";
  s.groups_file = dir + "/leader/groups";
  s.hooks_extension = dir + "/lib/hgclusterhooks.py";
  s.serve_extension = dir + "/lib/hgclusterserve.py";
  s.replication_user = "vcs-sync@example.org";
  return s;
}

TEST(LeaderHgrc, ProducerConfigReadsBackWhatWasWritten) {
  ScratchDir dir;
  LeaderHgrcSpec spec = Spec(dir.path());
  std::filesystem::create_directories(dir / "leader");
  WriteFileAtomic(spec.path, ToIni(spec));
  ProducerConfig c = ProducerConfig::Load(spec.path);
  EXPECT_EQ(c.log_url, spec.log_url);
  EXPECT_EQ(c.client_id, "leader");
  EXPECT_EQ(c.topic, "pushdata");
  EXPECT_EQ(c.partition_map.AllPartitions(), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(c.AgentSocket("standby"), dir / "leader/hosts/standby/producer.sock");
  EXPECT_EQ(c.agent_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.max_message_bytes, 2 << 20);
  EXPECT_EQ(c.bundle_store, spec.push_bundle_store);
  EXPECT_EQ(c.master_state_dir, dir / "leader/master-state");
  EXPECT_EQ(c.host, "leader");
  EXPECT_EQ(LeaderRootToWirePath(c.path_rewrites, spec.repos + "/mozilla-central"),
            "{moz}/mozilla-central");

  // Without the agent: no socket, no push bundles, no hooks extension.
  spec.agent_socket.clear();
  spec.max_message_bytes = 0;
  WriteFileAtomic(spec.path, ToIni(spec));
  c = ProducerConfig::Load(spec.path);
  EXPECT_EQ(c.AgentSocket(), "");
  EXPECT_EQ(c.bundle_store, "");
  EXPECT_EQ(c.max_message_bytes, 0);
  EXPECT_EQ(ToIni(spec).find("hgclusterhooks"), std::string::npos);
}

TEST(LeaderHgrc, HgSeesTheHooksExtensionsAndAlias) {
  ScratchDir dir;
  LeaderHgrcSpec spec = Spec(dir.path());
  std::filesystem::create_directories(dir / "leader");
  WriteFileAtomic(spec.path, ToIni(spec));
  auto config = [&](const std::string& name) {
    // HGPLAIN would hide [alias].
    auto r = Sh("hg config " + name,
                {{"HGRCPATH", spec.path}, {"HGPLAIN", "1"}, {"HGPLAINEXCEPT", "alias"}});
    EXPECT_TRUE(r.ok()) << name << "\n" << r.err;
    return r.out;
  };
  std::string hook = "'" + spec.executable + "' hook {} --config " + spec.path + "\n";
  auto with = [&](const std::string& name) {
    std::string h = hook;
    h.replace(h.find("{}"), 2, name);
    return h;
  };
  EXPECT_EQ(config("hooks.pretxnopen.hgcluster"), with("pretxnopen"));
  EXPECT_EQ(config("hooks.changegroup.hgcluster"), with("changegroup"));
  EXPECT_EQ(config("hooks.prechangegroup.readonly"), with("readonly-changegroup"));
  EXPECT_EQ(config("hooks.priority.pretxnclose.hgcluster"), "-100\n");
  EXPECT_EQ(config("extensions.hgclusterhooks"), spec.hooks_extension + "\n");
  EXPECT_EQ(config("extensions.hgclusterserve"), spec.serve_extension + "\n");
  EXPECT_EQ(config("replication.unfiltereduser"), "vcs-sync@example.org\n");
  EXPECT_EQ(config("readonly.globalreasonfile"), dir / "leader/readonlyreason\n");
  EXPECT_EQ(config("readyourwrites.groupsfile"), spec.groups_file + "\n");
  EXPECT_EQ(config("alias.sendheartbeat"),
            "!'" + spec.executable + "' replicate --config " + spec.path + " heartbeat\n");
}

}  // namespace
}  // namespace hgc
