// The install (`cmake --install`) and the Debian package (`cpack -G DEB`):
// what a host gets, and that it holds together. Every systemd unit starts
// the installed binary with a subcommand it has, and every /etc file a unit
// names is among the example configs; every example config loads with the
// loader of the daemon that reads it; the hg extensions load in hg; the
// sshd snippet passes `sshd -t`; the reference's command names run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "aggregator/aggregator_config.h"
#include "common/ini.h"
#include "common/subprocess.h"
#include "consumer/consumer_config.h"
#include "frontdoor/frontdoor_config.h"
#include "frontdoor/users_file.h"
#include "hg/repo_state.h"
#include "leader/producer.h"
#include "master/master_config.h"
#include "notify/notifier_config.h"
#include "notify/pulse_sink.h"
#include "notify/sns_sink.h"
#include "test_support.h"
#include "web/web_config.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;

std::string BuildDir() { return fs::path(HgclusterBin()).parent_path().string(); }

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class InstallE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir;
    dest_ = (*dir_ / "dest");
    ProcessOptions o;
    o.env_set = {{"DESTDIR", dest_}};
    ProcessResult r = RunProcess({"cmake", "--install", BuildDir(), "--prefix", "/usr"}, o);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string Dest(const std::string& path) { return dest_ + path; }
  // Where the example of an /etc file is: examples/{leader,mirror}/REST.
  static std::string Example(const std::string& etc_path) {
    std::string rest = etc_path.substr(std::string("/etc/").size());
    for (const char* host : {"leader", "mirror"}) {
      std::string p = Dest("/etc/hgcluster/examples/") + host + "/" + rest;
      if (fs::exists(p)) return p;
    }
    return "";
  }
  static ScratchDir* dir_;
  static std::string dest_;
};

ScratchDir* InstallE2E::dir_ = nullptr;
std::string InstallE2E::dest_;

TEST_F(InstallE2E, EveryUnitStartsTheInstalledBinaryWithASubcommandAndAnExampleConfig) {
  std::string bin = Dest("/usr/bin/hgcluster");
  ASSERT_TRUE(fs::is_regular_file(bin));
  int units = 0;
  for (const auto& e : fs::directory_iterator(Dest("/usr/lib/systemd/system"))) {
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) {
      if (!line.starts_with("ExecStart=")) continue;
      ++units;
      auto words = Words(line.substr(10));
      ASSERT_GE(words.size(), 2u) << e.path();
      EXPECT_EQ(words[0], "/usr/bin/hgcluster") << e.path();
      // The subcommand exists (an unknown one fails --help).
      ProcessResult help = RunProcess({bin, words[1], "--help"});
      EXPECT_EQ(help.exit_code, 0) << e.path() << ": " << line << "\n" << help.err;
      for (const auto& w : words) {
        if (w.starts_with("/etc/")) {
          EXPECT_NE(Example(w), "") << e.path() << " names " << w << ", which no example has";
        }
      }
    }
  }
  EXPECT_GE(units, 14);
  EXPECT_TRUE(fs::exists(Dest("/usr/lib/systemd/system/hgcluster-producer-agent.service")));
}

TEST_F(InstallE2E, TheReferenceCommandNamesAreLinksToTheBinaryAndRun) {
  for (const char* alias : {"vcsreplicator-consumer", "check_vcsreplicator_lag", "check_zookeeper",
                            "vcsreplicator-aggregator", "hg-master-start-stop"}) {
    std::string p = Dest(std::string("/usr/bin/") + alias);
    ASSERT_TRUE(fs::is_symlink(p)) << alias;
    EXPECT_EQ(fs::read_symlink(p).string(), "hgcluster") << alias;
    ProcessResult r = RunProcess({p, "--help"});
    EXPECT_EQ(r.exit_code, 0) << alias << ": " << r.err;
  }
}

TEST_F(InstallE2E, TheExtensionsAreTheShippedOnesAndLoadInHg) {
  for (const char* name :
       {"replicatedserved", "hgclusterhooks", "hgclusterserve", "hgclusterpull", "hgclusterweb"}) {
    std::string installed = Dest(std::string("/usr/lib/hgcluster/hgext/") + name + ".py");
    EXPECT_EQ(ReadFileOrEmpty(installed),
              ReadFileOrEmpty(std::string(HGCLUSTER_SOURCE_DIR) + "/hgext/" + name + ".py"))
        << name;
    ProcessOptions o;
    o.env_set = {{"HGRCPATH", ""}, {"HGPLAIN", "1"}};
    ProcessResult r = RunProcess(
        {"hg", "--config", std::string("extensions.") + name + "=" + installed, "version", "-q"},
        o);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.err.find("failed to import"), std::string::npos) << name << ": " << r.err;
  }
}

TEST_F(InstallE2E, EveryExampleConfigLoadsWithItsDaemonsLoader) {
  std::string leader = Dest("/etc/hgcluster/examples/leader");
  std::string mirror = Dest("/etc/hgcluster/examples/mirror");
  ConsumerConfig consumer = ConsumerConfig::Load(mirror + "/mercurial/vcsreplicator.ini");
  EXPECT_EQ(consumer.log_url,
            "kafka://kafka1.example.com:9092,kafka2.example.com:9092,kafka3.example.com:9092");
  EXPECT_EQ(consumer.hgrcpath, "/etc/mercurial/pull.rc");
  ASSERT_EQ(consumer.pull_url_rewrites.size(), 1u);
  ConsumerConfig heads = ConsumerConfig::Load(mirror + "/mercurial/vcsreplicator-pending.ini");
  EXPECT_EQ(heads.topic, "replicatedpushdatapending");
  EXPECT_EQ(heads.group, consumer.group) << "a mirror's two consumers share its group name";
  EXPECT_NO_THROW(WebConfig::Load(mirror + "/hgcluster/web.ini"));
  for (const char* agg : {"pushdataaggregator-pending.ini", "pushdataaggregator.ini"}) {
    EXPECT_NO_THROW(AggregatorConfig::Load(leader + "/mercurial/" + agg)) << agg;
  }
  std::string groups = ReadFileOrEmpty(leader + "/mercurial/pushdataaggregator_groups");
  EXPECT_NE(groups.find(consumer.group + "\n"), std::string::npos)
      << "the mirror's group is in the aggregators' groups file";
  ProducerConfig producer = ProducerConfig::Load(leader + "/mercurial/hgrc");
  EXPECT_EQ(producer.log_url, consumer.log_url);
  EXPECT_NO_THROW(FrontdoorConfig::Load(leader + "/hgcluster/frontdoor.ini"));
  UsersFile users(leader + "/hgcluster/users.ini");
  auto replication = users.Find("vcs-sync@mozilla.com");
  ASSERT_TRUE(replication.has_value());
  EXPECT_TRUE(replication->groups.empty()) << "the replication account pushes nowhere";
  IniFile hgrc = IniFile::Load(leader + "/mercurial/hgrc");
  EXPECT_EQ(hgrc.GetOr("replication", "unfiltereduser", ""), replication->login);
  EXPECT_NO_THROW(MasterConfig::Load(leader + "/hgcluster/master.ini"));
  IniFile notifications = IniFile::Load(leader + "/mercurial/notifications.ini");
  EXPECT_NO_THROW(NotifierConfig::Load(notifications, "pulseconsumer"));
  EXPECT_NO_THROW(NotifierConfig::Load(notifications, "snsconsumer"));
  EXPECT_NO_THROW(PulseConfig::Load(notifications));
  EXPECT_NO_THROW(AwsEventsConfig::Load(notifications));
}

TEST_F(InstallE2E, TheSshdSnippetPassesSshdsCheck) {
  std::string dir = (*dir_ / "sshd");
  fs::create_directories(dir);
  ProcessResult key =
      RunProcess({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir + "/host_key"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  std::ofstream(dir + "/sshd_config")
      << "HostKey " << dir << "/host_key\nUsePAM no\nInclude "
      << Dest("/etc/hgcluster/examples/leader/ssh/sshd_config.d/hgcluster.conf") << "\n";
  ProcessResult r = RunProcess({"/usr/sbin/sshd", "-t", "-f", dir + "/sshd_config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// build/CPackConfig.cmake's package, made under `dir`; "" when cpack fails.
std::string MakePackage(const std::string& dir) {
  ProcessResult r =
      RunProcess({"cpack", "-G", "DEB", "--config", BuildDir() + "/CPackConfig.cmake", "-B", dir});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  if (!fs::is_directory(dir)) return "";
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".deb") return e.path().string();
  }
  ADD_FAILURE() << "cpack made no .deb: " << r.out;
  return "";
}

TEST_F(InstallE2E, TheDebianPackageHoldsTheInstallAndDependsOnHg) {
  std::string deb = MakePackage(*dir_ / "package");
  ASSERT_NE(deb, "");
  ProcessResult contents = RunProcess({"dpkg-deb", "-c", deb});
  ASSERT_EQ(contents.exit_code, 0) << contents.err;
  for (const char* path : {"./usr/bin/hgcluster", "./usr/bin/vcsreplicator-consumer -> hgcluster",
                           "./usr/lib/hgcluster/hgext/hgclusterpull.py",
                           "./usr/lib/systemd/system/vcsreplicator@.service",
                           "./etc/hgcluster/examples/mirror/mercurial/vcsreplicator.ini",
                           "./etc/hgcluster/examples/leader/mercurial/hgrc"}) {
    EXPECT_NE(contents.out.find(path), std::string::npos) << path << " not in\n" << contents.out;
  }
  ProcessResult depends = RunProcess({"dpkg-deb", "-f", deb, "Depends"});
  EXPECT_NE(depends.out.find("mercurial"), std::string::npos) << depends.out;
  EXPECT_NE(depends.out.find("librdkafka"), std::string::npos) << depends.out;
  ProcessResult control = RunProcess({"dpkg-deb", "-I", deb, "postinst"});
  EXPECT_NE(control.out.find("py_compile"), std::string::npos) << control.out;
  // Stripped: the package carries no debug info.
  fs::path unpacked = *dir_ / "unpacked";
  ASSERT_EQ(RunProcess({"dpkg-deb", "-x", deb, unpacked.string()}).exit_code, 0);
  EXPECT_LT(fs::file_size(unpacked / "usr/bin/hgcluster"), 32u << 20);
}

// The package installs with apt on this machine (CI: a fresh Debian 12, its
// dependencies already there from scripts/install-deps.sh, so nothing is
// downloaded: checked by a simulated install first), its maintainer scripts
// run, what it installed works, and purging it removes it again.
TEST_F(InstallE2E, ThePackageInstallsWithAptRunsAndPurges) {
  ASSERT_EQ(geteuid(), 0u) << "installing a package needs root";
  if (RunProcess({"dpkg-query", "-W", "-f", "${Status}", "hgcluster"}).out.find("installed") !=
      std::string::npos) {
    GTEST_SKIP() << "hgcluster is installed on this machine already; not touching it";
  }
  std::string deb = MakePackage(*dir_ / "apt");
  ASSERT_NE(deb, "");
  struct Purge {
    ~Purge() {
      KeepEtcHgcluster();
      RunProcess({"apt-get", "purge", "-y", "-q", "hgcluster"});
    }
  } purge;
  ProcessOptions quiet;
  quiet.env_set = {{"DEBIAN_FRONTEND", "noninteractive"}};
  // Simulated first: anything besides hgcluster to install would be a
  // download; its dependencies must be there already.
  ProcessResult plan = RunProcess({"apt-get", "install", "-s", "-q", deb}, quiet);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  std::istringstream lines(plan.out);
  for (std::string line; std::getline(lines, line);) {
    ASSERT_FALSE(line.starts_with("Inst ") && !line.starts_with("Inst hgcluster "))
        << "a dependency is missing (run scripts/install-deps.sh): " << line;
  }
  ProcessResult install = RunProcess({"apt-get", "install", "-y", "-q", deb}, quiet);
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  // The binary and a reference command name run from PATH's /usr/bin.
  ProcessResult help = RunProcess({"/usr/bin/hgcluster", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  ProcessResult lag = RunProcess({"/usr/bin/check_vcsreplicator_lag", "--help"});
  EXPECT_EQ(lag.exit_code, 0) << lag.out << lag.err;
  // postinst: the units' account and its directories, the extensions' bytecode.
  ProcessResult account = RunProcess({"getent", "passwd", "hg"});
  EXPECT_EQ(account.exit_code, 0);
  EXPECT_NE(account.out.find("/var/lib/hgcluster"), std::string::npos) << account.out;
  EXPECT_TRUE(fs::is_directory("/var/log/hgcluster"));
  EXPECT_TRUE(fs::is_directory("/usr/lib/hgcluster/hgext/__pycache__"));
  EXPECT_TRUE(fs::exists("/usr/lib/systemd/system/vcsreplicator@.service"));
  EXPECT_TRUE(fs::exists("/etc/hgcluster/examples/leader/hgcluster/master.ini"));
  // The installed extensions load in the system's hg.
  ProcessOptions no_hgrc;
  no_hgrc.env_set = {{"HGRCPATH", ""}};
  ProcessResult ext = RunProcess(
      {"hg", "--config", "extensions.hgclusterpull=/usr/lib/hgcluster/hgext/hgclusterpull.py",
       "--config", "extensions.hgclusterserve=/usr/lib/hgcluster/hgext/hgclusterserve.py",
       "version", "-q"},
      no_hgrc);
  EXPECT_EQ(ext.exit_code, 0) << ext.err;
  EXPECT_EQ(ext.err.find("failed to import"), std::string::npos) << ext.err;

  // Hosts-apart tests running beside this one have their /etc/hgcluster
  // mounted on the machine's: the purge must leave the directory.
  KeepEtcHgcluster();
  ProcessResult purged = RunProcess({"apt-get", "purge", "-y", "-q", "hgcluster"}, quiet);
  EXPECT_EQ(purged.exit_code, 0) << purged.out << purged.err;
  EXPECT_FALSE(fs::exists("/usr/bin/hgcluster"));
  EXPECT_FALSE(fs::exists("/usr/bin/check_vcsreplicator_lag"));
  EXPECT_FALSE(fs::exists("/usr/lib/hgcluster/hgext"));
  EXPECT_FALSE(fs::exists("/etc/hgcluster/examples"));
}

}  // namespace
}  // namespace hgc::test
