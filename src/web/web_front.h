// A mirror's HTTP front (`hgcluster web`): native per-repository commands
// answered in-process (RepoCommands), clone bundle files from disk under
// bundles_url_prefix, everything else streamed to a pool of
// `hg serve --web-conf` workers, plus /server-status?auto, /metrics and
// /__health, on the event-driven server of web/http_server.h (see
// docs/architecture.md, "Mirror web front").
// Thread-safety: construct, Bind() and Serve() from one thread; Drain() from
// any other thread (a signal handler thread), once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/repo_command.h"
#include "web/http_message.h"
#include "web/repo_path.h"
#include "web/web_config.h"
#include "web/web_metrics.h"

namespace hgc {

class HgWorkerPool;
class HttpServer;
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
  // On an I/O thread, from the head alone: refusals (web/request_limits.h),
  // /__health and /server-status; nullopt for everything else.
  std::optional<WebResponse> Screen(const WebRequest& req);
  // On a handler thread, with the body read.
  WebResponse Handle(const WebRequest& req);
  WebResponse Route(const WebRequest& req);
  WebResponse ServeNative(const WebRequest& req, const RepoPath& rp,
                          const RepoCommandHandler& handler);
  WebResponse Proxy(const WebRequest& req);
  WebResponse ServeBundleFile(const WebRequest& req, const std::string& file);
  // hg's `clonebundles` wire command with bundles_advertised_as rebased
  // onto this front (web/clonebundles_manifest.h).
  WebResponse ServeCloneBundlesManifest(const WebRequest& req, const RepoPath& rp);
  std::string Health(int* status) const;
  std::string PrometheusText();

  WebConfig config_;
  RepoCommands commands_;
  WebMetrics metrics_;
  std::unique_ptr<HgWorkerPool> workers_;
  std::unique_ptr<LagMetrics> lag_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> proxy_retries_{0};
  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
  bool drained_ = false;
  bool drained_in_time_ = true;
};

}  // namespace hgc
