// Hosts apart on one machine, for tests and benchmarks (issue 18): each host
// a network namespace with one address on a bridge that lives in a namespace
// of its own (shared/infra.md §6). Before any host exists, the root namespace
// gets a blackhole route for the hosts' /24, so nothing addressed to a test
// host can leave this machine; every client runs inside a namespace. A host
// can be cut off (its link down) and restored. Teardown kills every process
// left in the namespaces, deletes them and the route.
// Thread-safety: one thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/subprocess.h"

namespace hgc::test {

class NetnsHosts {
 public:
  // `hosts`: name -> last octet of its address (1..254). Picks a free
  // 10.250.X.0/24 and namespace prefix "hgcX-". Fails the test (and leaves
  // nothing behind) when namespaces cannot be made.
  explicit NetnsHosts(const std::map<std::string, int>& hosts);
  ~NetnsHosts();
  NetnsHosts(const NetnsHosts&) = delete;
  NetnsHosts& operator=(const NetnsHosts&) = delete;

  bool ok() const { return ok_; }
  std::string Address(const std::string& host) const;
  std::string Namespace(const std::string& host) const { return prefix_ + host; }
  // /etc/netns/NAMESPACE: what `ip netns exec` bind-mounts over /etc. Owned by
  // this object: emptied when the prefix is taken (a killed run leaves one
  // behind) and removed before the prefix is released, so the next holder of
  // the prefix never sees, nor loses, another run's files.
  std::string EtcDir(const std::string& host) const { return "/etc/netns/" + Namespace(host); }
  // `ip netns exec NS` + argv.
  std::vector<std::string> In(const std::string& host, std::vector<std::string> argv) const;
  ProcessResult Run(const std::string& host, const std::vector<std::string>& argv,
                    const ProcessOptions& options = {}) const;
  // A daemon inside `host`; killed at teardown.
  int Spawn(const std::string& host, const std::vector<std::string>& argv, const std::string& log,
            const ProcessOptions& options = {});
  // Link of `host` down (nothing in or out) / up again.
  void Cut(const std::string& host);
  void Restore(const std::string& host);
  // No packet between hosts `a` and `b` any more, in either direction
  // (blackhole routes in both); each keeps every other link.
  void Partition(const std::string& a, const std::string& b);
  void Heal(const std::string& a, const std::string& b);
  // SIGKILL to every process in `host`'s namespace.
  void KillAll(const std::string& host);

 private:
  bool Ip(const std::vector<std::string>& args, std::string* err = nullptr) const;
  std::string Veth(const std::string& host) const;

  bool ok_ = false;
  int subnet_ = 0;
  std::string prefix_;
  std::map<std::string, int> hosts_;
  std::vector<int> pids_;
  bool route_ = false;
};

}  // namespace hgc::test
