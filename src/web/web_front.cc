#include "web/web_front.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
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
#include "web/lag_metrics.h"

namespace hgc {
namespace {

using namespace web_front;  // this folder's own helpers (front_support.h)

// Counts open connections: httplib runs one task per accepted connection.
class ConnectionCountingPool : public httplib::TaskQueue {
 public:
  ConnectionCountingPool(size_t threads, WebMetrics& metrics) : pool_(threads), metrics_(metrics) {}
  void enqueue(std::function<void()> fn) override {
    pool_.enqueue([this, fn = std::move(fn)] {
      metrics_.ConnectionOpened();
      fn();
      metrics_.ConnectionClosed();
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  WebMetrics& metrics_;
};

std::string Scheme(const WebConfig& config) { return config.tls_cert.empty() ? "http" : "https"; }

std::string BaseUrl(const httplib::Request& req, const WebConfig& config, int port) {
  std::string host = req.get_header_value("Host");
  // A Host that is no host[:port] (it goes into URLs we answer with) is
  // replaced by the address we listen on.
  bool plain = !host.empty() && host.size() <= 255 &&
               host.find_first_not_of(
                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789.-:[]") == std::string::npos;
  if (!plain) host = fmt::format("{}:{}", config.listen_host, port);
  return Scheme(config) + "://" + host + "/";
}

// HTTPS when the configuration names a certificate; a certificate or key
// that cannot be loaded stops the start with the file names.
std::unique_ptr<httplib::Server> MakeServer(const WebConfig& config) {
  if (config.tls_cert.empty()) return std::make_unique<httplib::Server>();
  auto server =
      std::make_unique<httplib::SSLServer>(config.tls_cert.c_str(), config.tls_key.c_str());
  if (!server->is_valid()) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{}: [web] tls_cert {} / tls_key {}: cannot load them (a PEM "
                            "certificate chain and its unencrypted PEM private key, readable by "
                            "this user)",
                            config.origin, config.tls_cert, config.tls_key));
  }
  return server;
}

// The listening socket httplib created for `port`. httplib's stop() also
// aborts responses being streamed (its content loop checks for shutdown), so
// a drain closes the listener itself: shutdown() on a listening socket makes
// the kernel refuse new connections and httplib's accept loop end, while
// responses in flight keep streaming.
int FindListeningSocket(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* e = readdir(dir)) {
    int fd = std::atoi(e->d_name);
    if (fd <= 2 || fd == dirfd(dir)) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int p = addr.ss_family == AF_INET    ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
            : addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                         : 0;
    if (p == port) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
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
      lag_(std::make_unique<LagMetrics>(config_.consumer_config)),
      server_(MakeServer(config_)) {
  auto& svr = *server_;
  size_t threads = static_cast<size_t>(config_.threads);
  svr.new_task_queue = [this, threads] { return new ConnectionCountingPool(threads, metrics_); };
  svr.set_keep_alive_max_count(1000000);
  svr.set_keep_alive_timeout(config_.keep_alive_timeout);
  svr.set_read_timeout(config_.read_timeout, 0);
  svr.set_payload_max_length(config_.limits.max_body_bytes);
  svr.set_write_timeout(config_.client_timeout, 0);
  svr.set_tcp_nodelay(true);
  // GET and HEAD are routed before httplib reads a body or runs its regex
  // routes; requests with a body (httppostargs POSTs) reach the catch-all
  // POST route once the body is read.
  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (Refuse(req, res)) return httplib::Server::HandlerResponse::Handled;
    if (req.method != "GET" && req.method != "HEAD")
      return httplib::Server::HandlerResponse::Unhandled;
    Handle(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  svr.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
  svr.Put(".*", [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
}

WebFront::~WebFront() {
  if (server_->is_running()) server_->stop();
  workers_->Stop(2);
}

int WebFront::Bind() {
  if (config_.listen_port == 0) {
    port_ = server_->bind_to_any_port(config_.listen_host);
  } else if (server_->bind_to_port(config_.listen_host.c_str(), config_.listen_port)) {
    port_ = config_.listen_port;
  } else {
    port_ = -1;
  }
  if (port_ <= 0) {
    throw Error(ErrorKind::kIo,
                fmt::format("{}: cannot listen on {}:{} (in use, or not a local address)",
                            config_.origin, config_.listen_host, config_.listen_port));
  }
  listen_fd_ = FindListeningSocket(port_);
  return port_;
}

bool WebFront::Serve() {
  workers_->Start();
  LogLine(kLogger, fmt::format("serving {} on {}://{}:{}/ with {} hg workers, {} threads",
                               config_.repos, Scheme(config_), config_.listen_host, port_,
                               config_.workers, config_.threads));
  if (!draining_.load()) server_->listen_after_bind();
  if (!draining_.load()) {
    workers_->Stop();
    throw Error(ErrorKind::kIo,
                fmt::format("the HTTP server on port {} stopped unexpectedly", port_));
  }
  std::unique_lock lock(drain_mu_);
  drain_cv_.wait(lock, [&] { return drained_; });
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
  if (listen_fd_ >= 0) {
    shutdown(listen_fd_, SHUT_RDWR);
  } else {
    server_->stop();  // aborts streamed responses; only if the socket was not found
  }
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

// Runs before any body is read (httplib's pre-routing handler).
bool WebFront::Refuse(const httplib::Request& req, httplib::Response& res) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) {
    // httplib's own pseudo-headers are not the client's.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
        name == "LOCAL_PORT") {
      continue;
    }
    headers.emplace_back(name, value);
  }
  auto refusal = CheckRequestHead({req.method, QueryOf(req), &headers}, config_.limits);
  if (!refusal) return false;
  res.status = refusal->status;
  // The body was not read: the connection cannot carry another request.
  // (httplib decides to keep a connection before routing, so it still
  // waits keep_alive_timeout for a next request before closing; whatever
  // the client sends then is not a valid request and is refused too.)
  res.set_header("Connection", "close");
  res.set_content(refusal->message + "\n", "text/plain; charset=utf-8");
  metrics_.Record(RequestClass::kRefused, refusal->status, 0, refusal->message.size() + 1);
  return true;
}

void WebFront::Handle(const httplib::Request& req, httplib::Response& res) {
  auto start = SteadyClock::now();
  const std::string& path = req.path;
  // While draining, a kept-alive connection gets one more answer, then closes.
  if (draining_.load(std::memory_order_relaxed)) res.set_header("Connection", "close");
  auto monitoring = [&](RequestClass c, int status, const std::string& body, const char* type) {
    res.status = status;
    res.set_header("Cache-Control", "no-store");
    uint64_t size = body.size();
    res.set_content(body, type);
    metrics_.Record(c, status, SecondsSince(start), size);
  };
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
  if (path == "/metrics") {
    return monitoring(RequestClass::kMetrics, 200, PrometheusText(),
                      "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/__health") {
    int status = 200;
    std::string body = Health(&status);
    return monitoring(RequestClass::kHealth, status, body, "application/json");
  }
  if (!config_.bundles_dir.empty()) {
    BundleFileLookup bundle =
        ResolveBundleFile(config_.bundles_dir, config_.bundles_url_prefix, path);
    if (bundle.matched) return ServeBundleFile(req, res, bundle.file);
  }
  RepoPath rp = ResolveRepoPath(config_.repos, path, config_.allow_symlinks);
  // hgweb's own static files (style sheets, images of the index page) live
  // at /static/ when no repository is called "static".
  if (rp.kind == RepoPath::Kind::kNotFound && path.starts_with("/static/") && config_.workers > 0 &&
      (path + "/").find("/../") == std::string::npos &&
      (path + "/").find("/./") == std::string::npos) {
    return Proxy(req, res);
  }
  if (rp.kind == RepoPath::Kind::kNotFound) {
    return monitoring(RequestClass::kNotFound, 404,
                      fmt::format("no repository at {}\n", path.substr(0, 1000)),
                      "text/plain; charset=utf-8");
  }
  if (rp.kind == RepoPath::Kind::kRepo && !rp.command.empty()) {
    if (const RepoCommandHandler* handler = commands_.Find(rp.command)) {
      return ServeNative(req, res, rp, *handler);
    }
  }
  if (rp.kind == RepoPath::Kind::kRepo && rp.command.empty() &&
      !config_.bundles_advertised_as.empty() && (req.method == "GET" || req.method == "HEAD") &&
      IsCloneBundlesCommand(req.get_param_value("cmd"))) {
    return ServeCloneBundlesManifest(req, res, rp);
  }
  Proxy(req, res);
}

void WebFront::ServeCloneBundlesManifest(const httplib::Request& req, httplib::Response& res,
                                         const RepoPath& rp) {
  auto start = SteadyClock::now();
  std::string manifest = ReadFileOrEmpty(rp.repo_root + "/.hg/clonebundles.manifest");
  std::string own = BaseUrl(req, config_, port_);
  own.pop_back();  // its trailing '/'
  own += config_.bundles_url_prefix.substr(0, config_.bundles_url_prefix.size() - 1);
  std::string body = RebaseCloneBundlesManifest(manifest, config_.bundles_advertised_as, own);
  res.status = 200;
  // The answer names the address the client used: never to be cached for another.
  res.set_header("Cache-Control", "no-store");
  uint64_t size = body.size();
  // As hg answers a bytes response: application/mercurial-0.1, uncompressed.
  res.set_content(body, "application/mercurial-0.1");
  metrics_.Record(RequestClass::kNative, 200, SecondsSince(start), size);
}

void WebFront::ServeNative(const httplib::Request& req, httplib::Response& res, const RepoPath& rp,
                           const RepoCommandHandler& handler) {
  auto start = SteadyClock::now();
  metrics_.RequestStarted();
  RepoRequest rr{rp.repo_name,
                 rp.repo_root,
                 rp.command,
                 rp.path_arg,
                 ParseQueryString(QueryOf(req)),
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
  res.status = out.status;
  for (auto& [k, v] : out.headers) res.set_header(k, v);
  uint64_t size = out.body.size();
  res.set_content(out.body,
                  out.content_type.empty() ? "text/plain; charset=utf-8" : out.content_type);
  metrics_.Record(RequestClass::kNative, out.status, SecondsSince(start), size);
  metrics_.RequestFinished();
}

// A clone bundle (or the index) from disk: the open descriptor is streamed
// in 256 KiB preads, so a rename of a newer bundle over it cannot tear the
// response and nothing large is held in memory.
void WebFront::ServeBundleFile(const httplib::Request& req, httplib::Response& res,
                               const std::string& file) {
  struct OpenFile {
    WebMetrics* metrics;
    SteadyClock::time_point start;
    int fd = -1;
    uint64_t bytes = 0;
    ~OpenFile() {
      if (fd >= 0) close(fd);
      metrics->Record(RequestClass::kBundle, 200, SecondsSince(start), bytes);
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
    res.status = 404;
    std::string body = fmt::format("no bundle file at {}\n", req.path.substr(0, 1000));
    uint64_t size = body.size();
    res.set_content(body, "text/plain; charset=utf-8");
    metrics_.Record(RequestClass::kBundle, 404, SecondsSince(start), size);
    return;
  }
  metrics_.RequestStarted();
  auto f = std::make_shared<OpenFile>();
  f->metrics = &metrics_;
  f->start = start;
  f->fd = fd;
  res.status = 200;
  const char* type = BundleContentType(file);
  auto length = static_cast<size_t>(st.st_size);
  if (req.method == "HEAD") {
    res.set_header("Content-Length", std::to_string(length));
    res.set_content("", type);
    return;
  }
  if (length == 0) {
    res.set_content("", type);
    return;
  }
  res.set_content_provider(
      length, type,
      [f](size_t offset, size_t want, httplib::DataSink& sink) {
        static thread_local std::vector<char> buf(256 * 1024);
        ssize_t n =
            pread(f->fd, buf.data(), std::min(want, buf.size()), static_cast<off_t>(offset));
        if (n <= 0) return false;
        f->bytes += static_cast<uint64_t>(n);
        return sink.write(buf.data(), static_cast<size_t>(n));
      },
      [f](bool) {});
}

}  // namespace hgc
