#include "checks/zoo_cfg.h"

#include <algorithm>
#include <sstream>

#include "common/error.h"
#include "common/text.h"

namespace hgc {
namespace {

bool IsWildcard(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
}

int ParsePort(const std::string& text, const std::string& line) {
  try {
    size_t used = 0;
    int port = std::stoi(text, &used);
    if (used == text.size() && port > 0 && port < 65536) return port;
  } catch (const std::exception&) {
  }
  throw Error(ErrorKind::kConfig, "zoo.cfg: bad port \"" + text + "\" in " + line);
}

// "host:rest" or "[v6]:rest" -> host (brackets kept off).
std::string HostOf(const std::string& address) {
  if (!address.empty() && address[0] == '[') {
    size_t close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  return address.substr(0, address.find(':'));
}

}  // namespace

std::map<std::string, std::string> ParseZooCfg(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    out[Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
  }
  return out;
}

std::vector<ZkMember> EnsembleMembers(const std::map<std::string, std::string>& cfg) {
  auto get = [&](const std::string& key, const std::string& fallback) {
    auto it = cfg.find(key);
    return it == cfg.end() ? fallback : it->second;
  };
  std::string shared_port = get("clientPort", "2181");
  std::string local_address = get("clientPortAddress", "127.0.0.1");

  std::vector<ZkMember> members;
  for (const auto& [key, value] : cfg) {
    if (key.rfind("server.", 0) != 0) continue;
    std::string line = key + "=" + value;
    ZkMember m;
    m.id = ParsePort(key.substr(7), line);  // any positive number will do
    size_t semi = value.find(';');
    std::string quorum = Trim(value.substr(0, semi));
    m.host = HostOf(quorum);
    std::string port = shared_port;
    if (semi != std::string::npos) {
      std::string client = Trim(value.substr(semi + 1));
      size_t colon = client.rfind(':');
      if (colon == std::string::npos) {
        port = client;
      } else {
        port = client.substr(colon + 1);
        std::string address = HostOf(client.substr(0, colon));
        if (!IsWildcard(address)) m.host = address;
      }
    }
    if (IsWildcard(m.host)) m.host = local_address;
    m.client_port = ParsePort(port, line);
    members.push_back(m);
  }
  std::sort(members.begin(), members.end(),
            [](const ZkMember& a, const ZkMember& b) { return a.id < b.id; });
  return members;
}

}  // namespace hgc
