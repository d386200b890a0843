// Reading a ZooKeeper zoo.cfg for check_zookeeper: the key=value pairs, and
// the ensemble members with the address each one serves clients on.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hgc {

// key=value lines, both sides trimmed; blank lines, `#` comments and lines
// without `=` are skipped. A later duplicate key wins, as in java.util.Properties.
std::map<std::string, std::string> ParseZooCfg(const std::string& text);

struct ZkMember {
  int id = 0;        // N of server.N
  std::string host;  // where its client port is reached
  int client_port = 2181;
};

// The server.N lines, sorted by N as a number. A member's client address is
// the one its line names in ZooKeeper 3.5+ form
// (`host:quorum:election[:role];[address:]port`); otherwise the line's host
// and `clientPort` (default 2181), as in the reference. A wildcard host
// (0.0.0.0, ::, or none) means this machine: it is reached at
// `clientPortAddress` when that is set, else at 127.0.0.1.
// Throws Error(kConfig) for a server.N line whose id or client port is not a
// number.
std::vector<ZkMember> EnsembleMembers(const std::map<std::string, std::string>& cfg);

}  // namespace hgc
