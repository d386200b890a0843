// Holding the master role through ZooKeeper (libzookeeper-mt): the master is
// the session that created the ephemeral node (default /hgcluster/master,
// data = host name). When that session ends — the host died, was cut off, or
// its monitor was killed — ZooKeeper deletes the node after the session
// timeout and the watching standbys race to create it; exactly one wins.
//
// The epoch (fencing token) is the node's czxid: ZooKeeper's transaction id
// of its creation, which grows with every new holder. The role counts as
// held only while the session is connected: on a disconnect we give it up
// at once (the session may be expiring on the servers), and take it back on
// reconnect if the node is still ours. `lease_until` says how long a write
// is safe without news from ZooKeeper: two thirds of the session timeout
// after the start of the last successful round trip.
//
// A monitor that finds the node held by its own host name under another
// session is a restarted monitor whose previous session has not expired yet:
// when that node goes, it waits half a session timeout before contending, so
// a standby that was waiting takes the role instead of the host that just
// failed.
//
// ZooKeeper's callbacks only record events; every synchronous call is made
// from Step(), on the caller's thread (the C client's sync calls must not run
// on its completion thread).
// Thread-safety: Step/Current/WaitForEvent from one thread; callbacks internal.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

struct _zhandle;

namespace hgc {

struct ZkElectionOptions {
  std::string connect;  // host:port,host:port,...
  std::string znode = "/hgcluster/master";
  std::string host;
  int session_timeout_ms = 4000;
};

class ZkElection {
 public:
  explicit ZkElection(ZkElectionOptions options);
  ~ZkElection();
  ZkElection(const ZkElection&) = delete;
  ZkElection& operator=(const ZkElection&) = delete;

  struct View {
    bool connected = false;
    bool held = false;
    int64_t epoch = 0;
    std::string holder;  // host name in the node, if known
    double lease_until = 0;
  };

  // Connects (or reconnects after expiry), tries to take the role if it is
  // free, renews the lease when held. Never throws for ZooKeeper trouble:
  // the view says what is known.
  View Step();

  // Blocks until a ZooKeeper event arrives (true) or `timeout` passes.
  bool WaitForEvent(std::chrono::milliseconds timeout);

  // Ends the session now (the node goes at once, not after the timeout).
  void Resign();

  int negotiated_timeout_ms() const;

  // Called from the C client's thread.
  void OnEvent(int type, int state, const char* path);

 private:
  void Connect();
  View view_;
  ZkElectionOptions options_;
  _zhandle* zh_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  int session_state_ = 0;
  bool events_ = false;
  bool expired_ = false;
  bool stale_self_ = false;  // saw our host's node under an old session
  std::chrono::steady_clock::time_point holdoff_until_{};
};

}  // namespace hgc
