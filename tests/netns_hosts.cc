#include "netns_hosts.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

namespace hgc::test {

NetnsHosts::NetnsHosts(const std::map<std::string, int>& hosts) : hosts_(hosts) {
  // A subnet and prefix no other test run holds: the bridge namespace's name
  // is the lock (`ip netns add` fails when it exists).
  for (int i = 0; i < 200 && subnet_ == 0; ++i) {
    int candidate = 1 + (getpid() + i) % 200;
    if (Ip({"netns", "add", fmt::format("hgc{}-sw", candidate)})) subnet_ = candidate;
  }
  if (subnet_ == 0) {
    ADD_FAILURE() << "cannot create network namespaces (needs root and iproute2)";
    return;
  }
  prefix_ = fmt::format("hgc{}-", subnet_);
  std::error_code ec;
  for (const auto& [name, octet] : hosts_) std::filesystem::remove_all(EtcDir(name), ec);
  std::string cidr = fmt::format("10.250.{}.0/24", subnet_);
  std::string err;
  // First: nothing for these addresses leaves the root namespace.
  if (!Ip({"route", "add", "blackhole", cidr}, &err)) {
    // A run killed before its cleanup leaves its route; the subnet is ours
    // now (we hold its lock), and that route blackholes it as ours would.
    ProcessResult routes = RunProcess({"ip", "route", "show", "type", "blackhole", cidr});
    bool stale = err.find("File exists") != std::string::npos && routes.ok() &&
                 routes.out.find(cidr) != std::string::npos;
    if (!stale) {
      ADD_FAILURE() << "ip route add blackhole " << cidr << ": " << err;
      return;
    }
  }
  route_ = true;
  std::string sw = prefix_ + "sw";
  bool good = Ip({"-n", sw, "link", "add", "br0", "type", "bridge"}, &err) &&
              Ip({"-n", sw, "link", "set", "br0", "up"}, &err) &&
              Ip({"-n", sw, "link", "set", "lo", "up"}, &err);
  for (const auto& [name, octet] : hosts_) {
    if (!good) break;
    std::string ns = Namespace(name), veth = Veth(name);
    good = Ip({"netns", "add", ns}, &err) &&
           Ip({"link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns}, &err) &&
           Ip({"link", "set", veth, "netns", sw}, &err) &&
           Ip({"-n", sw, "link", "set", veth, "master", "br0", "up"}, &err) &&
           Ip({"-n", ns, "addr", "add", Address(name) + "/24", "dev", "eth0"}, &err) &&
           Ip({"-n", ns, "link", "set", "eth0", "up"}, &err) &&
           Ip({"-n", ns, "link", "set", "lo", "up"}, &err);
  }
  if (!good) {
    ADD_FAILURE() << "setting up network namespaces: " << err;
    return;
  }
  ok_ = true;
}

NetnsHosts::~NetnsHosts() {
  for (int pid : pids_) kill(pid, SIGKILL);
  for (int pid : pids_) waitpid(pid, nullptr, 0);
  if (subnet_ == 0) return;
  std::error_code ec;
  for (const auto& [name, octet] : hosts_) {
    KillAll(name);
    Ip({"netns", "del", Namespace(name)});
    std::filesystem::remove_all(EtcDir(name), ec);
  }
  // Last: deleting the bridge namespace releases the prefix to other runs.
  Ip({"netns", "del", prefix_ + "sw"});
  if (route_) Ip({"route", "del", "blackhole", fmt::format("10.250.{}.0/24", subnet_)});
}

std::string NetnsHosts::Address(const std::string& host) const {
  return fmt::format("10.250.{}.{}", subnet_, hosts_.at(host));
}

std::string NetnsHosts::Veth(const std::string& host) const {
  return fmt::format("h{}v{}", subnet_, hosts_.at(host));
}

std::vector<std::string> NetnsHosts::In(const std::string& host,
                                        std::vector<std::string> argv) const {
  argv.insert(argv.begin(), {"ip", "netns", "exec", Namespace(host)});
  return argv;
}

ProcessResult NetnsHosts::Run(const std::string& host, const std::vector<std::string>& argv,
                              const ProcessOptions& options) const {
  return RunProcess(In(host, argv), options);
}

int NetnsHosts::Spawn(const std::string& host, const std::vector<std::string>& argv,
                      const std::string& log, const ProcessOptions& options) {
  int pid = SpawnDaemon(In(host, argv), log, options);
  pids_.push_back(pid);
  return pid;
}

void NetnsHosts::Cut(const std::string& host) {
  std::string err;
  EXPECT_TRUE(Ip({"-n", prefix_ + "sw", "link", "set", Veth(host), "down"}, &err)) << err;
}

void NetnsHosts::Restore(const std::string& host) {
  std::string err;
  EXPECT_TRUE(Ip({"-n", prefix_ + "sw", "link", "set", Veth(host), "up"}, &err)) << err;
}

void NetnsHosts::Partition(const std::string& a, const std::string& b) {
  std::string err;
  EXPECT_TRUE(Ip({"-n", Namespace(a), "route", "add", "blackhole", Address(b) + "/32"}, &err))
      << err;
  EXPECT_TRUE(Ip({"-n", Namespace(b), "route", "add", "blackhole", Address(a) + "/32"}, &err))
      << err;
}

void NetnsHosts::Heal(const std::string& a, const std::string& b) {
  std::string err;
  EXPECT_TRUE(Ip({"-n", Namespace(a), "route", "del", "blackhole", Address(b) + "/32"}, &err))
      << err;
  EXPECT_TRUE(Ip({"-n", Namespace(b), "route", "del", "blackhole", Address(a) + "/32"}, &err))
      << err;
}

void NetnsHosts::KillAll(const std::string& host) {
  ProcessResult r = RunProcess({"ip", "netns", "pids", Namespace(host)});
  std::istringstream in(r.out);
  for (int pid; in >> pid;) kill(pid, SIGKILL);
}

bool NetnsHosts::Ip(const std::vector<std::string>& args, std::string* err) const {
  std::vector<std::string> argv{"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = RunProcess(argv);
  if (!r.ok() && err) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    *err = line + ": " + r.err;
  }
  return r.ok();
}

}  // namespace hgc::test
