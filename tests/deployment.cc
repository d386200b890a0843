#include "deployment.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "hg/repo_state.h"

namespace hgc::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string BuildDir() { return fs::path(HgclusterBin()).parent_path().string(); }

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// Every `from` replaced by its `to`, trying the pairs in order at each
// position of the original text (a replacement is never rescanned).
std::string ReplaceAll(const std::string& text,
                       const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool hit = false;
    for (const auto& [from, to] : pairs) {
      if (text.compare(i, from.size(), from) == 0) {
        out += to;
        i += from.size();
        hit = true;
        break;
      }
    }
    if (!hit) out += text[i++];
  }
  return out;
}

// Only the sections of an ini text whose header is in `keep`.
std::string KeepSections(const std::string& text, const std::vector<std::string>& keep) {
  std::istringstream in(text);
  std::string out;
  bool on = true;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("[")) {
      on = false;
      for (const auto& k : keep) on = on || line == "[" + k + "]";
    }
    if (on) out += line + "\n";
  }
  return out;
}

}  // namespace

Deployment::Deployment(int mirrors) : mirrors_(mirrors) { Start(); }

void Deployment::Start() {
  std::map<std::string, int> hosts{
      {"leader", 1}, {"kafka1", 11}, {"kafka2", 12}, {"kafka3", 13}, {"client", 100}};
  for (int m = 1; m <= mirrors_; ++m) hosts[Mirror(m)] = 1 + m;
  net_ = std::make_unique<NetnsHosts>(hosts);
  if (!net_->ok()) return;
  Install();
  if (::testing::Test::HasFatalFailure()) return;
  fs::create_directories(dir_ / "keys");
  for (const char* key : {"client", "mirror", "leader_host"}) {
    ProcessResult r =
        RunProcess({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                    std::string(key) + "@deployment", "-f", dir_ / ("keys/" + std::string(key))});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  Write(dir_ / "keys/known_hosts", net_->Address("leader") + " " +
                                       FirstLine(ReadFileOrEmpty(dir_ / "keys/leader_host.pub")) +
                                       "\n");
  StartKafka();
  if (::testing::Test::HasFatalFailure()) return;
  SetUpLeader();
  if (::testing::Test::HasFatalFailure()) return;
  for (int m = 1; m <= mirrors_; ++m) {
    SetUpMirror(m);
    if (::testing::Test::HasFatalFailure()) return;
  }
  ok_ = true;
}

Deployment::~Deployment() {
  net_.reset();  // kills every process of every host
  std::error_code ec;
  if (!install_.empty()) fs::remove_all(install_, ec);
}

void Deployment::Install() {
  // Under the build tree, not /tmp: sshd runs the AuthorizedKeysCommand only
  // from root-owned directories nobody else can write.
  install_ = fmt::format("{}/harness-install-{}", BuildDir(), getpid());
  ProcessOptions o;
  o.env_set = {{"DESTDIR", install_}};
  ProcessResult r = RunProcess({"cmake", "--install", BuildDir(), "--prefix", "/usr"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

void Deployment::StartKafka() {
  std::string hosts;
  for (int i = 1; i <= 3; ++i) {
    hosts += (i > 1 ? "," : "") + net_->Address("kafka" + std::to_string(i));
  }
  // kafka-local runs in the client host (it waits for the brokers over the
  // network) and starts each broker's JVM inside its own host.
  ProcessResult r = net_->Run(
      "client", {install_ + "/usr/bin/hgcluster", "kafka-local", "--dir", dir_ / "kafka", "--hosts",
                 hosts, "--launch", "ip netns exec " + net_->Namespace("kafka") + "{id}",
                 "--detach", "--timeout", "180"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string bootstrap = ReadFileOrEmpty(dir_ / "kafka/bootstrap");
  bootstrap = FirstLine(bootstrap);
  ProcessResult topics = net_->Run(
      "client", {install_ + "/usr/bin/hgcluster", "kafka-topics", "--bootstrap-server", bootstrap});
  ASSERT_EQ(topics.exit_code, 0) << topics.out << topics.err;
}

std::string Deployment::Render(const std::string& text, const std::string& host) const {
  std::string h = HostDir(host);
  std::vector<std::pair<std::string, std::string>> pairs{
      {"/usr/bin/hgcluster", install_ + "/usr/bin/hgcluster"},
      {"/usr/lib/hgcluster", install_ + "/usr/lib/hgcluster"},
      {"/etc/", h + "/etc/"},
      {"/repo/hg", h + "/repo/hg"},
      {"/var/lib/hgcluster", h + "/var/lib/hgcluster"},
      {"/var/log/hgcluster", h + "/var/log/hgcluster"},
      {"/run/hgcluster", h + "/run/hgcluster"},
      {"kafka1.example.com", net_->Address("kafka1")},
      {"kafka2.example.com", net_->Address("kafka2")},
      {"kafka3.example.com", net_->Address("kafka3")},
      {"ssh://hg@hgssh.example.com/", "ssh://root@" + net_->Address("leader") + "/"},
      // Runs as root here (the units say User=hg).
      {"account = hg\n", "account = root\n"},
      {"Match User hg\n", "Match User root\n"},
      {"AuthorizedKeysCommandUser hg\n", "AuthorizedKeysCommandUser root\n"},
      {"# host = hgssh1.example.com", "host = leader"},
      {"hgssh1.example.com", "leader"},
      // The master file is there from the start: no 30 s wait for it.
      {"startdelay = 30", "startdelay = 0"},
      {"interval = 15", "interval = 1"},
  };
  for (int m = 1; m <= mirrors_; ++m) {
    // A mirror's consumer group is its host name.
    pairs.push_back({fmt::format("hgweb{}.example.com", m), Mirror(m)});
  }
  if (host.starts_with("mirror")) {
    std::string a = net_->Address(host);
    pairs.push_back({"0.0.0.0:80", a + ":80"});
    pairs.push_back({"https://hg.example.com/", "http://" + a + "/"});
    // Every example names the first mirror; this one is itself.
    pairs.insert(pairs.begin(), {"hgweb1.example.com", host});
  }
  if (host == "leader") pairs.push_back({"[hgcluster]\n", "[hgcluster]\nhost = leader\n"});
  return ReplaceAll(text, pairs);
}

void Deployment::WriteEtc(const std::string& kind, const std::string& host) {
  std::string examples = install_ + "/etc/hgcluster/examples/" + kind;
  for (const auto& e : fs::recursive_directory_iterator(examples)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), examples).string();
    Write(HostDir(host) + "/etc/" + rel, Render(ReadFileOrEmpty(e.path().string()), host));
  }
  for (const char* d : {"/repo/hg/mozilla", "/repo/hg/bundles", "/repo/hg/pushbundles",
                        "/var/lib/hgcluster", "/var/log/hgcluster", "/run/hgcluster"}) {
    fs::create_directories(HostDir(host) + d);
  }
}

void Deployment::StartUnit(const std::string& unit, const std::string& host) {
  std::ifstream in(install_ + "/usr/lib/systemd/system/" + unit);
  std::string exec, restart, restart_sec = "1";
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("ExecStart=")) exec = line.substr(10);
    if (line.starts_with("Restart=")) restart = line.substr(8);
    if (line.starts_with("RestartSec=")) restart_sec = line.substr(11);
  }
  ASSERT_NE(exec, "") << unit << " has no ExecStart";
  std::vector<std::string> argv;
  if (restart == "always") {
    // What systemd does for Restart=always: start it again RestartSec after
    // it exits.
    argv = {"/bin/sh", "-c", "while :; do \"$@\"; sleep " + restart_sec + "; done", unit};
  }
  std::istringstream words(Render(exec, host));
  for (std::string w; words >> w;) {
    argv.push_back(ReplaceAll(w, {{"%i", "0"}, {"%H", host}}));
  }
  std::string log = HostDir(host) + "/var/log/hgcluster/" + unit + ".log";
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}};
  net_->Spawn(host, argv, log, o);
}

void Deployment::SetUpLeader() {
  const std::string host = "leader";
  WriteEtc("leader", host);
  std::string h = HostDir(host);
  // The accounts: the mirrors' replication key, and one pushing user.
  Write(h + "/etc/hgcluster/users.ini",
        fmt::format("[vcs-sync@mozilla.com]\ngroups =\nkeys =\n  {}\n\n"
                    "[someone@example.com]\ngroups = scm_level_1 scm_level_2 scm_level_3\n"
                    "keys =\n  {}\n",
                    FirstLine(ReadFileOrEmpty(dir_ / "keys/mirror.pub")),
                    FirstLine(ReadFileOrEmpty(dir_ / "keys/client.pub"))));
  // The master-only services this harness runs: both aggregators and the
  // heartbeat (no Pulse, SNS or S3 to announce to).
  std::string master = ReadFileOrEmpty(h + "/etc/hgcluster/master.ini");
  Write(h + "/etc/hgcluster/master.ini",
        KeepSections(master, {"master", "service pushdataaggregator-pending",
                              "service pushdataaggregator", "timer heartbeat"}));
  Write(h + "/repo/hg/master.leader", "");
  fs::create_directories("/run/sshd");
  fs::copy_file(dir_ / "keys/leader_host", h + "/etc/ssh/ssh_host_ed25519_key");
  Write(h + "/etc/ssh/sshd_config",
        fmt::format("Port 22\nListenAddress {}\nHostKey {}/etc/ssh/ssh_host_ed25519_key\n"
                    "PidFile {}/run/sshd.pid\nUsePAM no\nPermitRootLogin prohibit-password\n"
                    "LogLevel VERBOSE\nInclude {}/etc/ssh/sshd_config.d/hgcluster.conf\n",
                    net_->Address(host), h, h, h));
  fs::permissions(h + "/etc/ssh/ssh_host_ed25519_key",
                  fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  net_->Spawn(host, {"/usr/sbin/sshd", "-D", "-e", "-f", h + "/etc/ssh/sshd_config"},
              h + "/var/log/hgcluster/sshd.log");
  StartUnit("hgcluster-producer-agent.service", host);
  StartUnit("hgcluster-master-monitor.service", host);
  // Master once the monitor started the master-only services.
  ASSERT_TRUE(WaitFor(
      [&] {
        return ReadFileOrEmpty(h + "/var/log/hgcluster/hgcluster-master-monitor.service.log")
                   .find("starting") != std::string::npos;
      },
      60s))
      << Logs(host);
}

void Deployment::SetUpMirror(int mirror) {
  std::string host = Mirror(mirror), h = HostDir(host);
  WriteEtc("mirror", host);
  fs::copy_file(dir_ / "keys/mirror", h + "/etc/mercurial/mirror");
  fs::copy_file(dir_ / "keys/known_hosts", h + "/etc/mercurial/known_hosts");
  for (const char* unit :
       {"vcsreplicator@.service", "vcsreplicator-headsconsumer.service", "hgcluster-web.service"}) {
    StartUnit(unit, host);
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        return Client(fmt::format("python3 -c 'import sys, urllib.request; "
                                  "urllib.request.urlopen(sys.argv[1], timeout=2)' "
                                  "http://{}/__health",
                                  net_->Address(host)))
                   .exit_code == 0;
      },
      60s))
      << Logs(host);
}

std::string Deployment::LeaderRepo(const std::string& name) const {
  return HostDir("leader") + "/repo/hg/mozilla/" + name;
}

std::string Deployment::MirrorRepo(int mirror, const std::string& name) const {
  return HostDir(Mirror(mirror)) + "/repo/hg/mozilla/" + name;
}

void Deployment::CreateRepo(const std::string& name) {
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", HostDir("leader") + "/etc/mercurial/hgrc"}, {"HGUSER", "admin"}};
  ProcessResult r = net_->Run("leader", {"hg", "init", LeaderRepo(name)}, o);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << Logs("leader");
}

ProcessResult Deployment::Client(const std::string& command) {
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}, {"HGUSER", "Someone <someone@example.com>"}, {"HGPLAIN", "1"}};
  return net_->Run("client", {"/bin/sh", "-c", command}, o);
}

std::string Deployment::PushUrl(const std::string& name) const {
  return "ssh://root@" + net_->Address("leader") + "/" + name;
}

std::string Deployment::ClientSsh() const {
  return fmt::format(
      "ssh -i {} -o IdentitiesOnly=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes "
      "-o BatchMode=yes",
      dir_ / "keys/client", dir_ / "keys/known_hosts");
}

std::string Deployment::MirrorUrl(int mirror, const std::string& name) const {
  return "http://" + net_->Address(Mirror(mirror)) + "/" + name;
}

bool Deployment::Serves(int mirror, const std::string& name, const std::string& node) {
  return Client("hg identify -r " + node + " " + MirrorUrl(mirror, name)).exit_code == 0;
}

std::string Deployment::Logs(const std::string& host) const {
  std::string out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(HostDir(host) + "/var/log/hgcluster", ec)) {
    std::string text = ReadFileOrEmpty(e.path().string());
    if (text.size() > 3000) text = "..." + text.substr(text.size() - 3000);
    out += "==> " + e.path().string() + " <==\n" + text + "\n";
  }
  return out;
}

}  // namespace hgc::test
