#include "zk_ensemble.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "checks/zk_four_letter.h"
#include "common/loopback_port.h"
#include "common/subprocess.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

constexpr std::chrono::milliseconds kPollInterval(10);

// Holds a bound socket so the port stays ours until the server is configured.
struct HeldPort {
  int fd = -1;
  int port = 0;
};

// A port below the kernel's ephemeral range, so no outgoing connection of any
// process (ZooKeeper's own quorum connections included) can take it as a
// source port between our pick and the server's bind. Random, so tests
// running in parallel rarely try the same one; bindable right now.
HeldPort HoldFreePort(std::mt19937& rng) {
  int high = LowestEphemeralPort() - 1;
  std::uniform_int_distribution<int> pick(10000, high > 10000 ? high : 30000);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int port = pick(rng);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return {fd, port};
    close(fd);
  }
  ADD_FAILURE() << "no free port below the ephemeral range";
  return {};
}

void Reap(int pid, std::chrono::milliseconds grace) {
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

ZkEnsemble::ZkEnsemble(int size) {
  std::mt19937 rng(std::random_device{}());
  std::vector<HeldPort> held;
  for (int i = 0; i < size; ++i) {
    auto s = std::make_unique<Server>();
    HeldPort c = HoldFreePort(rng), q = HoldFreePort(rng), e = HoldFreePort(rng);
    s->client_port = c.port;
    s->quorum_port = q.port;
    s->election_port = e.port;
    held.insert(held.end(), {c, q, e});
    servers_.push_back(std::move(s));
  }
  std::string members;
  for (int i = 0; i < size; ++i) {
    const Server& s = *servers_[i];
    members += "server." + std::to_string(i + 1) + "=127.0.0.1:" + std::to_string(s.quorum_port) +
               ":" + std::to_string(s.election_port) +
               ";127.0.0.1:" + std::to_string(s.client_port) + "\n";
  }
  for (int i = 0; i < size; ++i) {
    const Server& s = *servers_[i];
    std::string d = s.dir.path();
    std::filesystem::create_directories(d + "/data");
    WriteFileAtomic(d + "/data/myid", std::to_string(i + 1) + "\n");
    WriteFileAtomic(d + "/zoo.cfg", "tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir=" + d +
                                        "/data\nclientPort=" + std::to_string(s.client_port) +
                                        "\nclientPortAddress=127.0.0.1\n"
                                        "admin.enableServer=false\n"
                                        "4lw.commands.whitelist=*\n" +
                                        members);
  }
  for (auto& h : held) close(h.fd);
  for (int i = 0; i < size; ++i) Start(i);
  auto deadline = In(std::chrono::seconds(60));
  for (int i = 0; i < size; ++i) {
    EXPECT_TRUE(WaitServing(i, deadline))
        << "ZooKeeper server " << i << " is not serving: " << ReadFileOrEmpty(log_path(i));
  }
  EXPECT_GE(WaitLeader(deadline), 0) << "no ZooKeeper leader";
}

ZkEnsemble::~ZkEnsemble() {
  for (auto& s : servers_) {
    if (s->pid > 0) kill(s->pid, SIGKILL);
  }
  for (auto& s : servers_) {
    if (s->pid > 0) waitpid(s->pid, nullptr, 0);
    s->pid = 0;
  }
}

std::string ZkEnsemble::connect_string() const {
  std::string out;
  for (int i = 0; i < size(); ++i) out += (i ? "," : "") + host_port(i);
  return out;
}

std::string ZkEnsemble::host_port(int i) const {
  return "127.0.0.1:" + std::to_string(client_port(i));
}

std::string ZkEnsemble::config_path(int i) const { return servers_[i]->dir / "zoo.cfg"; }

std::string ZkEnsemble::log_path(int i) const { return servers_[i]->dir / "zk.log"; }

void ZkEnsemble::Kill(int i) {
  Server& s = *servers_[i];
  if (s.pid <= 0) return;
  kill(s.pid, SIGKILL);
  waitpid(s.pid, nullptr, 0);
  s.pid = 0;
}

void ZkEnsemble::Stop(int i) {
  Server& s = *servers_[i];
  if (s.pid <= 0) return;
  kill(s.pid, SIGTERM);
  Reap(s.pid, std::chrono::seconds(20));
  s.pid = 0;
}

void ZkEnsemble::Start(int i) {
  Server& s = *servers_[i];
  if (s.pid > 0) return;
  s.pid = SpawnDaemon({"java", "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                       "-cp", "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar",
                       "org.apache.zookeeper.server.quorum.QuorumPeerMain", config_path(i)},
                      log_path(i));
}

std::string ZkEnsemble::Mode(int i) const {
  if (!running(i)) return "";
  std::string reply;
  try {
    reply = ZkFourLetterWord("127.0.0.1", client_port(i), "srvr", std::chrono::seconds(2));
  } catch (const std::exception&) {
    return "";
  }
  std::istringstream in(reply);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Mode: ", 0) == 0) return line.substr(6);
  }
  return "";
}

bool ZkEnsemble::WaitServing(int i, Deadline deadline) const {
  while (Mode(i).empty()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

int ZkEnsemble::WaitLeader(Deadline deadline) const {
  while (true) {
    int leader = LeaderIndex();
    if (leader >= 0) return leader;
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(kPollInterval);
  }
}

int ZkEnsemble::LeaderIndex() const {
  for (int i = 0; i < size(); ++i) {
    if (Mode(i) == "leader") return i;
  }
  return -1;
}

}  // namespace hgc::test
