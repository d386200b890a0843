// One long-lived log producer per leader host: `hgcluster producer-agent`
// holds the Log (a Kafka producer with its connections and idempotence
// state, or the embedded log's SQLite handle) and serves the host's hg hooks
// over a Unix socket (protocol: agent_protocol.h). A hook's append returns
// only once the agent has the records durable (Kafka acks=all delivered,
// embedded log committed) and replied with the first offset.
//
// Configured in the leader hgrc, [replicationproducer]:
//   agentsocket = PATH     the socket; "{host}" is replaced by the leader
//                          host's name ($HGCLUSTER_HOST, else [hgcluster] host,
//                          else the hostname). Unset: every hook process opens
//                          its own producer, as before the agent existed.
//   agenttimeout = 30      seconds a hook waits for the agent's reply before
//                          refusing the push (log unavailable).
// The socket is created mode 0600 next to a lock file (PATH.lock) that keeps
// a second agent off the same socket.
// Besides appends the agent runs the leader's hg hooks themselves for the
// in-process hook extension (hgext/hgclusterhooks.py): hg then starts no
// process per hook. A hook request names the leader hgrc and carries hg's
// environment for the hook; one whose config, host or producer overrides
// (HGCLUSTER_DIRECT_PRODUCER, HGCLUSTER_MASTER_STATE) differ from the
// agent's is answered "not served here" and hg starts the hook process as
// before, so the outcome never depends on which of the two ran it.
// Thread-safety: an AgentClient belongs to one thread; ProducerAgent::Serve
// runs one thread per connection over one thread-safe Log.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "leader/agent_protocol.h"
#include "log/log.h"

namespace hgc {

// A hook's side: sends appends to the agent, one request at a time.
class AgentClient {
 public:
  AgentClient(std::string socket_path, std::chrono::milliseconds timeout);
  ~AgentClient();
  AgentClient(const AgentClient&) = delete;
  AgentClient& operator=(const AgentClient&) = delete;

  // Returns the offset of the first value. Throws Error(kLogUnavailable)
  // when the agent cannot be reached, does not answer within the timeout or
  // reports the log unavailable; Error(kMalformed) when it refused the request.
  int64_t Append(const std::string& topic, int partition, const std::vector<std::string>& values);

 private:
  void Connect(AgentClock::time_point deadline);
  void Close();
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
};

struct ProducerAgentOptions {
  std::string socket_path;
  std::string topic;  // the one topic hooks may write (the producer's topic)
  // A connection idle this long (or stalled mid-frame) is closed.
  std::chrono::milliseconds idle_timeout{60000};
  int max_connections = 64;
  // Hooks (op 'H') are run here only when they name this leader hgrc and
  // this host; empty config_path: every hook request is "not served here".
  std::string config_path{};
  std::string host{};             // this leader host, as the master role names it
  std::string configured_host{};  // [hgcluster] host of the config
};

class ProducerAgent {
 public:
  // Takes the lock, replaces a stale socket file and listens. Throws
  // Error(kConfig) when the path is too long or another agent holds it,
  // Error(kIo) when the socket cannot be created.
  ProducerAgent(ProducerAgentOptions options, std::unique_ptr<Log> log);
  ~ProducerAgent();
  ProducerAgent(const ProducerAgent&) = delete;
  ProducerAgent& operator=(const ProducerAgent&) = delete;

  // Accepts and serves connections until `stop` is non-zero, then waits
  // (up to 30 s) for requests in flight to be answered.
  void Serve(const std::atomic<bool>& stop);

  // One request payload in, its reply out (what a connection does per frame).
  AgentReply Handle(std::string_view payload);
  // One hook request in (op 'H'): runs the hook (hooks.h) with this agent's
  // log and returns its exit status and output. `peer_account` is the login
  // of the hg process that asked (the pushlog's last-resort user).
  // `starting` is called just before the hook runs (the connection sends
  // "started"); if it throws, nothing runs and the exception propagates.
  HookReply HandleHook(std::string_view payload, const std::string& peer_account,
                       const std::function<void()>& starting = {});

  // Opens the producer before the first hook needs it (connections,
  // metadata, idempotent producer id). Failures are logged, not fatal.
  void WarmUp();

 private:
  void ServeConnection(int fd);
  ProducerAgentOptions options_;
  std::unique_ptr<Log> log_;
  int listen_fd_ = -1;
  int lock_fd_ = -1;
  std::mutex mu_;
  std::map<std::string, int> partitions_;  // topic -> partition count, guarded by mu_
  std::atomic<int> active_{0};
};

// `hgcluster producer-agent --config HGRC [--host H] [--socket PATH]`.
// Returns the exit status (0 after SIGTERM/SIGINT).
int RunProducerAgent(const std::string& config_path, const std::string& host,
                     const std::string& socket_override);

}  // namespace hgc
