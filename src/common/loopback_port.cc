#include "common/loopback_port.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "common/error.h"

namespace hgc {

int LowestEphemeralPort() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  in >> low;
  return low;
}

namespace {

// Binds (or connects) a fresh TCP socket to 127.0.0.1:port; true on success.
bool TryLoopback(int port, bool connect_to) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const auto* addr = reinterpret_cast<const sockaddr*>(&a);
  bool ok = (connect_to ? connect(fd, addr, sizeof a) : bind(fd, addr, sizeof a)) == 0;
  close(fd);
  return ok;
}

}  // namespace

bool LoopbackPortBindable(int port) { return TryLoopback(port, false); }

bool LoopbackPortAccepts(int port) { return TryLoopback(port, true); }

std::vector<int> PickLoopbackPorts(int count) {
  thread_local std::mt19937 rng(std::random_device{}());
  int high = LowestEphemeralPort() - 1;
  std::uniform_int_distribution<int> pick(10000, high > 10000 ? high : 30000);
  std::vector<int> ports;
  for (int attempt = 0; attempt < 10000 && static_cast<int>(ports.size()) < count; ++attempt) {
    int port = pick(rng);
    if (std::find(ports.begin(), ports.end(), port) == ports.end() && LoopbackPortBindable(port)) {
      ports.push_back(port);
    }
  }
  if (static_cast<int>(ports.size()) < count) {
    throw Error(ErrorKind::kIo, "no free loopback ports below the ephemeral range");
  }
  return ports;
}

int PickLoopbackPort() { return PickLoopbackPorts(1).front(); }

}  // namespace hgc
