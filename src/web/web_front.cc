#include "web/web_front.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/logline.h"
#include "hg/repo_state.h"
#include "web/bundle_files.h"
#include "web/clonebundles_manifest.h"
#include "web/front_support.h"
#include "web/hg_worker_pool.h"
#include "web/http_server.h"
#include "web/lag_metrics.h"

namespace hgc {
namespace {

using namespace web_front;  // this folder's own helpers (front_support.h)

std::string Scheme(const WebConfig& config) { return config.tls_cert.empty() ? "http" : "https"; }

std::string BaseUrl(const WebRequest& req, const WebConfig& config, int port) {
  std::string host = req.Header("Host");
  // A Host that is no host[:port] (it goes into URLs we answer with) is
  // replaced by the address we listen on.
  bool plain = !host.empty() && host.size() <= 255 &&
               host.find_first_not_of(
                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789.-:[]") == std::string::npos;
  if (!plain) host = fmt::format("{}:{}", config.listen_host, port);
  return Scheme(config) + "://" + host + "/";
}

HttpServerOptions ServerOptions(const WebConfig& c) {
  return HttpServerOptions{.host = c.listen_host,
                           .port = c.listen_port,
                           .tls_cert = c.tls_cert,
                           .tls_key = c.tls_key,
                           .origin = c.origin,
                           .io_threads = c.io_threads,
                           .handler_threads = c.threads,
                           .head_timeout = c.request_head_timeout,
                           .keep_alive_timeout = c.keep_alive_timeout,
                           .read_timeout = c.read_timeout,
                           .write_timeout = c.client_timeout,
                           .max_connections = c.max_connections,
                           .max_connections_per_client = c.max_connections_per_client,
                           .max_buffered_body_bytes = c.max_buffered_body_bytes,
                           .limits = c.limits};
}

std::string QueryParam(const WebRequest& req, const std::string& key) {
  for (const auto& [k, v] : ParseQueryString(req.query)) {
    if (k == key) return v;
  }
  return "";
}

}  // namespace

WebFront::WebFront(WebConfig config, RepoCommands commands)
    : config_(std::move(config)),
      commands_(std::move(commands)),
      workers_(std::make_unique<HgWorkerPool>(
          HgWorkerOptions{.workers = config_.workers,
                          .hgweb_conf = config_.hgweb_conf,
                          .hgrcpath = config_.hgrcpath,
                          .log_path = config_.worker_log,
                          .config = {config_.allow_symlinks ? "hgcluster.allowsymlinks=true"
                                                            : "hgcluster.allowsymlinks=false"},
                          .replace_after_failures = config_.replace_worker_after})),
      lag_(std::make_unique<LagMetrics>(config_.consumer_config)) {
  HttpServer::Handlers h;
  h.screen = [this](const WebRequest& req) { return Screen(req); };
  h.handle = [this](const WebRequest& req) { return Handle(req); };
  h.refused = [this](int status, uint64_t bytes) {
    metrics_.Record(RequestClass::kRefused, status, 0, bytes);
  };
  h.connection_opened = [this] { metrics_.ConnectionOpened(); };
  h.connection_closed = [this] { metrics_.ConnectionClosed(); };
  h.draining = [this] { return draining_.load(std::memory_order_relaxed); };
  server_ = std::make_unique<HttpServer>(ServerOptions(config_), std::move(h));
}

WebFront::~WebFront() {
  server_->Stop();
  workers_->Stop(2);
}

int WebFront::Bind() {
  port_ = server_->Bind();
  return port_;
}

bool WebFront::Serve() {
  workers_->Start();
  LogLine(kLogger, fmt::format("serving {} on {}://{}:{}/ with {} hg workers, {} handler threads",
                               config_.repos, Scheme(config_), config_.listen_host, port_,
                               config_.workers, config_.threads));
  server_->Start();
  std::unique_lock lock(drain_mu_);
  drain_cv_.wait(lock, [&] { return drained_; });
  lock.unlock();
  server_->Stop();
  return drained_in_time_;
}

void WebFront::Drain() {
  if (draining_.exchange(true)) return;
  LogLine(kLogger,
          fmt::format("draining: health now 503; {} requests in flight", metrics_.in_flight()));
  if (config_.drain_grace > 0) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(static_cast<int64_t>(config_.drain_grace * 1000)));
  }
  server_->StopAccepting();
  LogLine(kLogger, "draining: listener closed, new connections are refused");
  auto deadline = SteadyClock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(config_.drain_timeout * 1000));
  auto last_report = SteadyClock::now();
  while (metrics_.in_flight() > 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (SteadyClock::now() - last_report > std::chrono::seconds(5)) {
      LogLine(kLogger, fmt::format("draining: {} requests still in flight", metrics_.in_flight()));
      last_report = SteadyClock::now();
    }
  }
  bool in_time = metrics_.in_flight() <= 0;
  if (!in_time) {
    LogLine(kLogger, fmt::format("draining: deadline of {}s passed with {} requests in flight; "
                                 "stopping anyway",
                                 config_.drain_timeout, metrics_.in_flight()));
  }
  workers_->Stop();
  LogLine(kLogger, "draining: hg workers stopped");
  std::lock_guard lock(drain_mu_);
  drained_ = true;
  drained_in_time_ = in_time;
  drain_cv_.notify_all();
}

std::string WebFront::Health(int* status) const {
  int ready = workers_->ReadyCount();
  const char* state = "ok";
  if (draining_.load()) {
    state = "draining";
  } else if (config_.workers > 0 && ready == 0) {
    state = "no hg worker ready";
  }
  *status = std::string_view(state) == "ok" ? 200 : 503;
  double age = 0;
  std::string last = workers_->LastReplacement(&age);
  nlohmann::json out{{"status", state},
                     {"hg_workers_ready", ready},
                     {"hg_workers", config_.workers},
                     {"hg_worker_replacements", workers_->TotalReplacements()},
                     {"hg_retries", proxy_retries_.load()},
                     {"in_flight", metrics_.in_flight()}};
  if (!last.empty()) {
    out["last_replacement"] = last;
    out["last_replacement_age_seconds"] = static_cast<int64_t>(age);
  }
  return out.dump() + "\n";
}

std::string WebFront::PrometheusText() {
  std::string out = metrics_.Prometheus();
  auto workers = workers_->Snapshot();
  int ready = 0;
  for (const auto& w : workers) ready += w.ready ? 1 : 0;
  out += fmt::format(
      "# HELP hgcluster_web_hg_workers hg serve workers by state.\n"
      "# TYPE hgcluster_web_hg_workers gauge\n"
      "hgcluster_web_hg_workers{{state=\"ready\"}} {}\n"
      "hgcluster_web_hg_workers{{state=\"not_ready\"}} {}\n",
      ready, workers.size() - ready);
  out +=
      "# HELP hgcluster_web_hg_worker_in_flight Requests being proxied to each hg worker.\n"
      "# TYPE hgcluster_web_hg_worker_in_flight gauge\n";
  for (const auto& w : workers) {
    out += fmt::format("hgcluster_web_hg_worker_in_flight{{worker=\"{}\",pid=\"{}\"}} {}\n",
                       w.index, w.pid, w.in_flight);
  }
  out +=
      "# HELP hgcluster_web_hg_worker_restarts_total Restarts of each hg worker slot.\n"
      "# TYPE hgcluster_web_hg_worker_restarts_total counter\n";
  for (const auto& w : workers) {
    out += fmt::format("hgcluster_web_hg_worker_restarts_total{{worker=\"{}\"}} {}\n", w.index,
                       w.restarts);
  }
  out +=
      "# HELP hgcluster_web_hg_worker_replacements_total Workers killed and replaced after "
      "failing requests in a row.\n"
      "# TYPE hgcluster_web_hg_worker_replacements_total counter\n";
  for (const auto& w : workers) {
    out += fmt::format("hgcluster_web_hg_worker_replacements_total{{worker=\"{}\"}} {}\n", w.index,
                       w.replacements);
  }
  out +=
      "# HELP hgcluster_web_hg_worker_failures_total Requests each hg worker failed (5xx, reset, "
      "cut off, failed warm-up).\n"
      "# TYPE hgcluster_web_hg_worker_failures_total counter\n";
  for (const auto& w : workers) {
    out += fmt::format("hgcluster_web_hg_worker_failures_total{{worker=\"{}\"}} {}\n", w.index,
                       w.failures);
  }
  out += fmt::format(
      "# HELP hgcluster_web_hg_retries_total Idempotent requests sent to a second hg worker "
      "after the first failed.\n"
      "# TYPE hgcluster_web_hg_retries_total counter\n"
      "hgcluster_web_hg_retries_total {}\n",
      proxy_retries_.load());
  out += fmt::format(
      "# HELP hgcluster_web_draining 1 while the front drains (health answers 503).\n"
      "# TYPE hgcluster_web_draining gauge\n"
      "hgcluster_web_draining {}\n",
      draining_.load() ? 1 : 0);
  out += lag_->Render();
  return out;
}

// On an I/O thread, before any body is read.
std::optional<WebResponse> WebFront::Screen(const WebRequest& req) {
  if (auto refusal = CheckRequestHead({req.method, req.query, &req.headers}, config_.limits)) {
    WebResponse res = WebResponse::Text(refusal->status, refusal->message + "\n");
    // The body was not read: the connection cannot carry another request.
    res.close = true;
    metrics_.Record(RequestClass::kRefused, refusal->status, 0, res.body.size());
    return res;
  }
  auto start = SteadyClock::now();
  auto monitoring = [&](RequestClass c, int status, std::string body, const char* type) {
    WebResponse res = WebResponse::Text(status, std::move(body), type);
    res.headers.emplace_back("Cache-Control", "no-store");
    metrics_.Record(c, status, SecondsSince(start), res.body.size());
    return res;
  };
  const std::string& path = req.path;
  if (path == "/server-status") {
    // Apache's fields, then the hg worker pool's (extra keys: parsers of
    // "?auto" read the lines they know).
    std::string body = metrics_.ServerStatusAuto(config_.threads);
    body +=
        fmt::format("HgWorkers: {}\nHgWorkersReady: {}\nHgWorkerReplacements: {}\nHgRetries: {}\n",
                    config_.workers, workers_->ReadyCount(), workers_->TotalReplacements(),
                    proxy_retries_.load());
    return monitoring(RequestClass::kStatus, 200, body, "text/plain; charset=ISO-8859-1");
  }
  if (path == "/__health") {
    int status = 200;
    std::string body = Health(&status);
    return monitoring(RequestClass::kHealth, status, body, "application/json");
  }
  return std::nullopt;
}

WebResponse WebFront::Handle(const WebRequest& req) {
  WebResponse res = Route(req);
  // While draining, a kept-alive connection gets one more answer, then closes.
  if (draining_.load(std::memory_order_relaxed)) res.close = true;
  return res;
}

WebResponse WebFront::Route(const WebRequest& req) {
  if (req.path == "/metrics") {
    // On a handler thread, not an I/O thread: the replication lag in it
    // reads the log (a Kafka broker that does not answer could take
    // seconds), and no I/O thread may wait on that.
    auto start = SteadyClock::now();
    WebResponse res = WebResponse::Text(200, PrometheusText(),
                                        "text/plain; version=0.0.4; charset=utf-8");
    res.headers.emplace_back("Cache-Control", "no-store");
    metrics_.Record(RequestClass::kMetrics, 200, SecondsSince(start), res.body.size());
    return res;
  }
  auto start = SteadyClock::now();
  const std::string& path = req.path;
  if (!config_.bundles_dir.empty()) {
    BundleFileLookup bundle =
        ResolveBundleFile(config_.bundles_dir, config_.bundles_url_prefix, path);
    if (bundle.matched) return ServeBundleFile(req, bundle.file);
  }
  RepoPath rp = ResolveRepoPath(config_.repos, path, config_.allow_symlinks);
  // hgweb's own static files (style sheets, images of the index page) live
  // at /static/ when no repository is called "static".
  if (rp.kind == RepoPath::Kind::kNotFound && path.starts_with("/static/") && config_.workers > 0 &&
      (path + "/").find("/../") == std::string::npos &&
      (path + "/").find("/./") == std::string::npos) {
    return Proxy(req);
  }
  if (rp.kind == RepoPath::Kind::kNotFound) {
    WebResponse res =
        WebResponse::Text(404, fmt::format("no repository at {}\n", path.substr(0, 1000)));
    res.headers.emplace_back("Cache-Control", "no-store");
    metrics_.Record(RequestClass::kNotFound, 404, SecondsSince(start), res.body.size());
    return res;
  }
  if (rp.kind == RepoPath::Kind::kRepo && !rp.command.empty()) {
    if (const RepoCommandHandler* handler = commands_.Find(rp.command)) {
      return ServeNative(req, rp, *handler);
    }
  }
  if (rp.kind == RepoPath::Kind::kRepo && rp.command.empty() &&
      !config_.bundles_advertised_as.empty() && (req.method == "GET" || req.method == "HEAD") &&
      IsCloneBundlesCommand(QueryParam(req, "cmd"))) {
    return ServeCloneBundlesManifest(req, rp);
  }
  return Proxy(req);
}

WebResponse WebFront::ServeCloneBundlesManifest(const WebRequest& req, const RepoPath& rp) {
  auto start = SteadyClock::now();
  std::string manifest = ReadFileOrEmpty(rp.repo_root + "/.hg/clonebundles.manifest");
  std::string own = BaseUrl(req, config_, port_);
  own.pop_back();  // its trailing '/'
  own += config_.bundles_url_prefix.substr(0, config_.bundles_url_prefix.size() - 1);
  // As hg answers a bytes response: application/mercurial-0.1, uncompressed.
  WebResponse res = WebResponse::Text(
      200, RebaseCloneBundlesManifest(manifest, config_.bundles_advertised_as, own),
      "application/mercurial-0.1");
  // The answer names the address the client used: never to be cached for another.
  res.headers.emplace_back("Cache-Control", "no-store");
  metrics_.Record(RequestClass::kNative, 200, SecondsSince(start), res.body.size());
  return res;
}

WebResponse WebFront::ServeNative(const WebRequest& req, const RepoPath& rp,
                                  const RepoCommandHandler& handler) {
  auto start = SteadyClock::now();
  metrics_.RequestStarted();
  RepoRequest rr{rp.repo_name,
                 rp.repo_root,
                 rp.command,
                 rp.path_arg,
                 ParseQueryString(req.query),
                 BaseUrl(req, config_, port_)};
  RepoResponse out;
  try {
    handler(rr, out);
  } catch (const std::exception& e) {
    LogLine(kLogger,
            fmt::format("{} {} failed: {}", req.method, req.target.substr(0, 1000), e.what()));
    out = RepoResponse{};
    out.status = 500;
    out.content_type = "application/json";
    out.body = nlohmann::json{{"error", e.what()}}.dump() + "\n";
  }
  WebResponse res =
      WebResponse::Text(out.status, std::move(out.body),
                        out.content_type.empty() ? "text/plain; charset=utf-8" : out.content_type);
  for (auto& [k, v] : out.headers) res.headers.emplace_back(k, v);
  metrics_.Record(RequestClass::kNative, out.status, SecondsSince(start), res.body.size());
  metrics_.RequestFinished();
  return res;
}

// A clone bundle (or the index) from disk: the open descriptor is streamed
// in preads, so a rename of a newer bundle over it cannot tear the response
// and nothing large is held in memory.
WebResponse WebFront::ServeBundleFile(const WebRequest& req, const std::string& file) {
  struct OpenFile {
    WebMetrics* metrics;
    SteadyClock::time_point start;
    int fd = -1;
    uint64_t offset = 0;
    ~OpenFile() {
      if (fd >= 0) close(fd);
      metrics->Record(RequestClass::kBundle, 200, SecondsSince(start), offset);
      metrics->RequestFinished();
    }
  };
  auto start = SteadyClock::now();
  int fd = file.empty() ? -1 : open(file.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    close(fd);
    fd = -1;
  }
  if (fd < 0) {
    WebResponse res =
        WebResponse::Text(404, fmt::format("no bundle file at {}\n", req.path.substr(0, 1000)));
    metrics_.Record(RequestClass::kBundle, 404, SecondsSince(start), res.body.size());
    return res;
  }
  metrics_.RequestStarted();
  auto f = std::make_shared<OpenFile>();
  f->metrics = &metrics_;
  f->start = start;
  f->fd = fd;
  WebResponse res;
  res.content_type = BundleContentType(file);
  res.source_length = static_cast<uint64_t>(st.st_size);
  res.source = [f](char* buf, size_t n) -> long {
    ssize_t got = pread(f->fd, buf, n, static_cast<off_t>(f->offset));
    if (got < 0) return -1;
    f->offset += static_cast<uint64_t>(got);
    return static_cast<long>(got);
  };
  return res;
}

}  // namespace hgc
