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

Deployment::Deployment(DeploymentOptions options) : options_(options), mirrors_(options.mirrors) {
  Start();
}

void Deployment::Start() {
  std::map<std::string, int> hosts{
      {"leader", 1}, {"kafka1", 11}, {"kafka2", 12}, {"kafka3", 13}, {"client", 100}};
  for (int m = 1; m <= mirrors_; ++m) hosts[Mirror(m)] = 1 + m;
  if (options_.standby) hosts["standby"] = 50;
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
  // The leader hosts share one host key (as behind one name).
  std::string host_key = FirstLine(ReadFileOrEmpty(dir_ / "keys/leader_host.pub"));
  std::string known = net_->Address("leader") + " " + host_key + "\n";
  if (options_.standby) known += net_->Address("standby") + " " + host_key + "\n";
  Write(dir_ / "keys/known_hosts", known);
  StartKafka();
  if (::testing::Test::HasFatalFailure()) return;
  if (options_.webhooks) {
    StartWebhookReceiver();
    if (::testing::Test::HasFatalFailure()) return;
  }
  if (options_.standby) {
    StartZooKeeper();
    if (::testing::Test::HasFatalFailure()) return;
  }
  SetUpLeader("leader");
  if (::testing::Test::HasFatalFailure()) return;
  if (options_.standby) {
    SetUpLeader("standby");
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (int m = 1; m <= mirrors_; ++m) {
    SetUpMirror(m);
    if (::testing::Test::HasFatalFailure()) return;
  }
  ok_ = true;
}

Deployment::~Deployment() {
  net_.reset();  // kills every process of every host, removes each host's /etc
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
  // With a standby, both leader hosts see one repositories directory.
  bool leader_host = host == "leader" || host == "standby";
  std::string repo_hg = options_.standby && leader_host ? dir_ / "shared/repo/hg" : h + "/repo/hg";
  std::vector<std::pair<std::string, std::string>> pairs{
      {"/usr/bin/hgcluster", install_ + "/usr/bin/hgcluster"},
      {"/usr/lib/hgcluster", install_ + "/usr/lib/hgcluster"},
      {"/repo/hg", repo_hg},
      {"/var/lib/hgcluster", h + "/var/lib/hgcluster"},
      {"/var/log/hgcluster", h + "/var/log/hgcluster"},
      {"/run/hgcluster", h + "/run/hgcluster"},
      {"kafka1.example.com", net_->Address("kafka1")},
      {"kafka2.example.com", net_->Address("kafka2")},
      {"kafka3.example.com", net_->Address("kafka3")},
      {"ssh://hg@hgssh.example.com/", "ssh://root@" + net_->Address("leader") + "/"},
      {"http://hgssh.example.com:8100/", "http://" + net_->Address("leader") + ":8100/"},
      // Runs as root here (the units say User=hg).
      {"account = hg\n", "account = root\n"},
      {"Match User hg\n", "Match User root\n"},
      {"AuthorizedKeysCommandUser hg\n", "AuthorizedKeysCommandUser root\n"},
      {"# host = hgssh1.example.com", "host = " + host},
      {"hgssh1.example.com", host},
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
  if (leader_host) pairs.push_back({"[hgcluster]\n", "[hgcluster]\nhost = " + host + "\n"});
  return ReplaceAll(text, pairs);
}

void Deployment::WriteEtc(const std::string& kind, const std::string& host) {
  std::string examples = install_ + "/etc/hgcluster/examples/" + kind;
  // `ip netns exec` bind-mounts /etc/netns/NS/X only onto an existing
  // /etc/X: /etc/hgcluster is left in place, never removed (another test's
  // hosts may have theirs mounted on it), with a file that keeps dpkg from
  // removing it when a test purges the package.
  KeepEtcHgcluster();
  for (const auto& e : fs::recursive_directory_iterator(examples)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), examples).string();
    // sshd's files stay in the host's directory (its config is named on its
    // command line): /etc/ssh in the namespace remains the system's.
    std::string to =
        rel.starts_with("ssh/") ? HostDir(host) + "/etc/" + rel : EtcDir(host) + "/" + rel;
    Write(to, Render(ReadFileOrEmpty(e.path().string()), host));
  }
  for (const char* d : {"/repo/hg/mozilla", "/repo/hg/bundles", "/repo/hg/pushbundles",
                        "/var/lib/hgcluster", "/var/log/hgcluster", "/run/hgcluster"}) {
    fs::create_directories(Render(d, host));
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

std::string Deployment::ZooKeeper() const {
  std::string out;
  for (int i = 1; i <= 3; ++i) {
    out += (i > 1 ? "," : "") + net_->Address("kafka" + std::to_string(i)) + ":2181";
  }
  return out;
}

void Deployment::StartZooKeeper() {
  // Debian's ZooKeeper, one server on each Kafka host.
  std::string members;
  for (int i = 1; i <= 3; ++i) {
    std::string a = net_->Address("kafka" + std::to_string(i));
    members += fmt::format("server.{0}={1}:2888:3888;{1}:2181\n", i, a);
  }
  for (int i = 1; i <= 3; ++i) {
    std::string host = "kafka" + std::to_string(i), d = HostDir(host) + "/var/lib/zookeeper";
    Write(d + "/data/myid", std::to_string(i) + "\n");
    Write(d + "/zoo.cfg", fmt::format("tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir={}/data\n"
                                      "clientPort=2181\nclientPortAddress={}\n"
                                      "admin.enableServer=false\n4lw.commands.whitelist=*\n{}",
                                      d, net_->Address(host), members));
    net_->Spawn(host,
                {"java", "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-cp",
                 "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar",
                 "org.apache.zookeeper.server.quorum.QuorumPeerMain", d + "/zoo.cfg"},
                d + "/zk.log");
  }
  // Serving once check_zookeeper finds the node and the ensemble OK.
  ProcessResult last;
  ASSERT_TRUE(WaitFor([&] { return (last = CheckZooKeeper(1)).exit_code == 0; }, 60s))
      << last.out << last.err;
}

ProcessResult Deployment::Installed(const std::string& host, std::vector<std::string> argv) {
  argv[0] = install_ + "/usr/bin/" + argv[0];
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}};
  return net_->Run(host, argv, o);
}

ProcessResult Deployment::CheckZooKeeper(int node) {
  std::string host = "kafka" + std::to_string(node);
  return net_->Run(
      host, {install_ + "/usr/bin/check_zookeeper", "-H", net_->Address(host) + ":2181", "-c",
             HostDir(host) + "/var/lib/zookeeper/zoo.cfg"});
}

void Deployment::SetUpLeader(const std::string& host) {
  WriteEtc("leader", host);
  std::string h = HostDir(host);
  // The accounts: the mirrors' replication key, and one pushing user.
  Write(EtcDir(host) + "/hgcluster/users.ini",
        fmt::format("[vcs-sync@mozilla.com]\ngroups =\nkeys =\n  {}\n\n"
                    "[someone@example.com]\ngroups = scm_level_1 scm_level_2 scm_level_3\n"
                    "keys =\n  {}\n",
                    FirstLine(ReadFileOrEmpty(dir_ / "keys/mirror.pub")),
                    FirstLine(ReadFileOrEmpty(dir_ / "keys/client.pub"))));
  // The master-only services this harness runs: both aggregators and the
  // heartbeat (no Pulse, SNS or S3 to announce to).
  std::string master = ReadFileOrEmpty(EtcDir(host) + "/hgcluster/master.ini");
  std::vector<std::string> sections{"master", "service pushdataaggregator-pending",
                                    "service pushdataaggregator", "timer heartbeat"};
  if (options_.pull_over_http) {
    // The example's HTTP endpoint for mirrors, commented out there.
    master = ReplaceAll(master,
                        {{"# [service pull-http]\n", "[service pull-http]\n"},
                         {"# command = /usr/bin/env HGRCPATH=", "command = /usr/bin/env HGRCPATH="},
                         {"# log = " + Render("/var/log/hgcluster", host) + "/pull-http.log",
                          "log = " + Render("/var/log/hgcluster", host) + "/pull-http.log"}});
    sections.push_back("service pull-http");
  }
  if (options_.webhooks) {
    master =
        ReplaceAll(master, {{"# [service webhooks]\n", "[service webhooks]\n"},
                            {"# command = " + install_ + "/usr/bin/hgcluster notify-webhooks",
                             "command = " + install_ + "/usr/bin/hgcluster notify-webhooks"},
                            {"# log = " + Render("/var/log/hgcluster", host) + "/webhooks.log",
                             "log = " + Render("/var/log/hgcluster", host) + "/webhooks.log"}});
    sections.push_back("service webhooks");
    std::string ini = EtcDir(host) + "/mercurial/notifications.ini";
    std::string text = ReadFileOrEmpty(ini);
    const std::string url = "url.ci = https://ci.example.com/hg-pushes\n";
    ASSERT_NE(text.find(url), std::string::npos) << text;
    Write(ini,
          ReplaceAll(text, {{url, "url.ci = http://" + net_->Address("client") + ":8080/\n"}}));
  }
  master = KeepSections(master, sections);
  if (options_.standby) {
    // The example's other way: ZooKeeper decides (its lines commented out).
    master = ReplaceAll(master,
                        {{"method = file\n", "# method = file\n"},
                         {"# method = zookeeper", "method = zookeeper"},
                         {"# zookeeper = zk1:2181,zk2:2181,zk3:2181", "zookeeper = " + ZooKeeper()},
                         {"# znode = ", "znode = "},
                         {"# sessiontimeout = 6000", "sessiontimeout = 2000"}});
  } else {
    Write(h + "/repo/hg/master.leader", "");
  }
  Write(EtcDir(host) + "/hgcluster/master.ini", master);
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
  if (host != "leader") return;  // the standby waits for the role
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
  if (options_.pull_over_http) {
    // The example's other way to pull: the leader's HTTP endpoint.
    std::string ini = EtcDir(host) + "/mercurial/vcsreplicator.ini";
    std::string ssh = "{moz}/ = ssh://root@" + net_->Address("leader") + "/\n";
    std::string http = "{moz}/ = http://" + net_->Address("leader") + ":8100/\n";
    std::string text = ReadFileOrEmpty(ini);
    ASSERT_NE(text.find(ssh), std::string::npos) << text;
    ASSERT_NE(text.find("# " + http), std::string::npos) << text;
    Write(ini, ReplaceAll(text, {{"# " + http, http}, {ssh, "# " + ssh}}));
  }
  fs::copy_file(dir_ / "keys/mirror", EtcDir(host) + "/mercurial/mirror");
  fs::copy_file(dir_ / "keys/known_hosts", EtcDir(host) + "/mercurial/known_hosts");
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

// A webhook receiver, as a CI system would run one: every POST body is
// appended to a file as one line, answered 204.
void Deployment::StartWebhookReceiver() {
  const char* receiver =
      "import http.server, sys\n"
      "out = sys.argv[3]\n"
      "class H(http.server.BaseHTTPRequestHandler):\n"
      "    def do_POST(self):\n"
      "        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))\n"
      "        with open(out, 'ab') as f:\n"
      "            f.write(body.replace(b'\\n', b' ') + b'\\n')\n"
      "        self.send_response(204)\n"
      "        self.end_headers()\n"
      "    def log_message(self, *args):\n"
      "        pass\n"
      "http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()\n";
  Write(dir_ / "webhook_receiver.py", receiver);
  Write(dir_ / "announcements", "");
  std::string address = net_->Address("client");
  net_->Spawn("client",
              {"python3", dir_ / "webhook_receiver.py", address, "8080", dir_ / "announcements"},
              dir_ / "webhook_receiver.log");
  ASSERT_TRUE(WaitFor(
      [&] {
        return Client(fmt::format("python3 -c 'import socket; socket.create_connection((\"{}\", "
                                  "8080), 2)'",
                                  address))
                   .exit_code == 0;
      },
      30s))
      << ReadFileOrEmpty(dir_ / "webhook_receiver.log");
}

std::string Deployment::Announcements() const { return ReadFileOrEmpty(dir_ / "announcements"); }

std::string Deployment::LeaderRepo(const std::string& name) const {
  return Render("/repo/hg/mozilla/" + name, "leader");
}

std::string Deployment::MirrorRepo(int mirror, const std::string& name) const {
  return HostDir(Mirror(mirror)) + "/repo/hg/mozilla/" + name;
}

void Deployment::CreateRepo(const std::string& name) {
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", "/etc/mercurial/hgrc"}, {"HGUSER", "admin"}};
  ProcessResult r = net_->Run("leader", {"hg", "init", LeaderRepo(name)}, o);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << Logs("leader");
}

ProcessResult Deployment::Client(const std::string& command) {
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}, {"HGUSER", "Someone <someone@example.com>"}, {"HGPLAIN", "1"}};
  return net_->Run("client", {"/bin/sh", "-c", command}, o);
}

std::string Deployment::PushUrl(const std::string& name, const std::string& host) const {
  return "ssh://root@" + net_->Address(host) + "/" + name;
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
