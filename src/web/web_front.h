// A mirror's HTTP front (`hgcluster web`): native per-repository commands
// answered in-process (RepoCommands), clone bundle files from disk under
// bundles_url_prefix, everything else streamed to a pool of
// `hg serve --web-conf` workers, plus /server-status?auto, /metrics and
// /__health. Blocking cpp-httplib server: one pool thread per open
// connection (see docs/architecture.md, "Mirror web front").
// Thread-safety: construct, Bind() and Serve() from one thread; Drain() from
// any other thread (a signal handler thread), once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "common/repo_command.h"
#include "web/repo_path.h"
#include "web/web_config.h"
#include "web/web_metrics.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace hgc {

class HgWorkerPool;
class LagMetrics;

class WebFront {
 public:
  WebFront(WebConfig config, RepoCommands commands);
  ~WebFront();
  WebFront(const WebFront&) = delete;
  WebFront& operator=(const WebFront&) = delete;

  // Binds the listening socket (port 0: any free port); returns the port.
  // Throws Error(kIo) when the address is taken.
  int Bind();
  // Starts the hg workers and serves until a Drain() has finished. Returns
  // true when every in-flight request completed before the drain deadline.
  bool Serve();
  // Health turns 503; after drain_grace the listener closes (new connections
  // are refused); in-flight requests get drain_timeout to finish; then the
  // workers stop and Serve() returns.
  void Drain();

  bool draining() const { return draining_.load(); }
  int port() const { return port_; }
  WebMetrics& metrics() { return metrics_; }
  HgWorkerPool& workers() { return *workers_; }

 private:
  // Answers a request refused from its head (web/request_limits.h); true
  // when it did.
  bool Refuse(const httplib::Request& req, httplib::Response& res);
  void Handle(const httplib::Request& req, httplib::Response& res);
  void ServeNative(const httplib::Request& req, httplib::Response& res, const RepoPath& rp,
                   const RepoCommandHandler& handler);
  void Proxy(const httplib::Request& req, httplib::Response& res);
  void ServeBundleFile(const httplib::Request& req, httplib::Response& res,
                       const std::string& file);
  // hg's `clonebundles` wire command with bundles_advertised_as rebased
  // onto this front (web/clonebundles_manifest.h).
  void ServeCloneBundlesManifest(const httplib::Request& req, httplib::Response& res,
                                 const RepoPath& rp);
  std::string Health(int* status) const;
  std::string PrometheusText();

  WebConfig config_;
  RepoCommands commands_;
  WebMetrics metrics_;
  std::unique_ptr<HgWorkerPool> workers_;
  std::unique_ptr<LagMetrics> lag_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  int listen_fd_ = -1;  // owned by httplib; we only shut it down
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> proxy_retries_{0};
  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
  bool drained_ = false;
  bool drained_in_time_ = true;
};

}  // namespace hgc
