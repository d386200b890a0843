// WebFront::Proxy: a request the web front does not answer itself goes to
// one of the repository's hg workers, with a retry on another worker for
// idempotent requests, and the worker's response streams back to the client.
#include <fmt/format.h>
#include <strings.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "common/error.h"
#include "common/logline.h"
#include "web/front_support.h"
#include "web/hg_worker_pool.h"
#include "web/proxy_retry.h"
#include "web/upstream.h"
#include "web/web_front.h"
#include "web/wire_args.h"

namespace hgc {
namespace {

using namespace web_front;  // this folder's own helpers (front_support.h)

// Request headers hg must not see: hop-by-hop ones and the body length we
// set ourselves.
bool DropRequestHeader(const std::string& name) {
  for (const char* h : {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                        "Transfer-Encoding", "Upgrade", "Content-Length", "Expect"}) {
    if (strcasecmp(name.c_str(), h) == 0) return true;
  }
  return false;
}

bool DropResponseHeader(const std::string& name) {
  for (const char* h : {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                        "Transfer-Encoding", "Upgrade", "Content-Length", "Content-Type"}) {
    if (strcasecmp(name.c_str(), h) == 0) return true;
  }
  return false;
}

// Everything one streamed hg response needs after the handler returned;
// destroyed with the response's body source, i.e. after the last byte was
// sent (or the client went away).
struct ProxyStream {
  WebMetrics* metrics;
  std::unique_ptr<UpstreamExchange> upstream;
  std::optional<HgWorkerPool::Lease> lease;
  SteadyClock::time_point start;
  int status = 0;
  uint64_t bytes = 0;
  std::optional<size_t> remaining;  // of a body of known length
  std::string what;                 // "GET /repo?cmd=getbundle"
  // The worker's response ended early: the client gets a truncated body
  // (too late to retry), the worker a failure on its record.
  void CutOff() {
    std::string why =
        fmt::format("{}: the hg worker's response was cut off after {} bytes", what, bytes);
    LogLine(kLogger, why);
    if (lease) lease->ReportFailure(why);
  }
  ~ProxyStream() {
    metrics->Record(RequestClass::kHg, status, SecondsSince(start), bytes);
    metrics->RequestFinished();
  }
};

}  // namespace

WebResponse WebFront::Proxy(const WebRequest& req) {
  auto stream = std::make_shared<ProxyStream>();
  stream->metrics = &metrics_;
  stream->start = SteadyClock::now();
  metrics_.RequestStarted();
  auto fail = [&](int status, const std::string& why) {
    stream->status = status;
    stream->bytes = why.size() + 1;
    return WebResponse::Text(status, why + "\n");
  };
  const WebHeaders& headers = req.headers;
  const std::string& query = req.query;
  {
    // Arguments hg would answer with a bare 500 get a 400 that says why.
    if (auto problem = WireRequestProblem({query, &headers, req.body})) {
      LogLine(kLogger,
              fmt::format("{} {}: refused: {}", req.method, req.target.substr(0, 200), *problem));
      return fail(400, "malformed wire protocol request: " + *problem);
    }
  }
  // hg's server has no HEAD (501): ask for the GET and send only its head.
  std::string head =
      fmt::format("{} {} HTTP/1.0\r\n", req.method == "HEAD" ? "GET" : req.method, req.target);
  for (const auto& [name, value] : req.headers) {
    if (!DropRequestHeader(name)) head += fmt::format("{}: {}\r\n", name, value);
  }
  if (!req.remote_addr.empty()) head += fmt::format("X-Forwarded-For: {}\r\n", req.remote_addr);
  head += fmt::format("Connection: close\r\nContent-Length: {}\r\n\r\n", req.body.size());
  // A refused connection reached no worker, so any request tries the next
  // one. A failure after the request was sent (5xx, reset, closed before the
  // response head) is retried once, on another worker when one is ready,
  // only for idempotent requests; nothing has reached the client yet.
  bool idempotent = IsIdempotentRequest({req.method, query, &headers, req.body});
  std::string what = fmt::format("{} {}", req.method, req.target.substr(0, 200));
  stream->what = what;
  int skip = -1;
  bool retried = false;
  std::string last_error;
  // The worker whose 5xx was retried: charged with the failure only if the
  // other worker then answers. A request every worker answers with a 5xx (a
  // broken repository, a bad URL) says nothing about the workers, so a
  // client cannot get healthy workers replaced by repeating it.
  std::optional<HgWorkerPool::Lease> answered_5xx;
  std::string answered_5xx_why;
  for (int refused = 0; refused < 2;) {
    stream->upstream.reset();
    stream->lease.reset();
    // After a failure, another worker if one is ready, else the same again.
    auto acquire = [&]() -> std::optional<HgWorkerPool::Lease> {
      auto other = workers_->Acquire(skip);
      if (other || !retried) return other;
      return workers_->Acquire();
    };
    std::optional<HgWorkerPool::Lease> lease = acquire();
    if (!lease) break;
    std::string error;
    bool status_5xx = false;
    try {
      stream->upstream =
          UpstreamExchange::Open(lease->port(), head, req.body, config_.upstream_timeout);
      if (!stream->upstream) {
        lease->MarkUnreachable();
        skip = lease->index();
        ++refused;
        continue;
      }
      stream->upstream->ReadHead();
      if (stream->upstream->status() >= 500) {
        status_5xx = true;
        error = fmt::format("hg worker {} answered {}", lease->index(), stream->upstream->status());
      }
    } catch (const Error& e) {
      error = fmt::format("hg worker {}: {}", lease->index(), e.what());
      stream->upstream.reset();
    }
    stream->lease.emplace(std::move(*lease));
    if (error.empty()) {
      stream->lease->ReportSuccess();
      if (answered_5xx) answered_5xx->ReportFailure(answered_5xx_why);
      break;
    }
    bool will_retry = idempotent && !retried;
    if (status_5xx && will_retry) {
      answered_5xx.emplace(std::move(*stream->lease));
      stream->lease.reset();
      answered_5xx_why = what + ": " + error;
    } else if (!(status_5xx && answered_5xx)) {
      stream->lease->ReportFailure(what + ": " + error);
    }
    last_error = error;
    if (!will_retry) {
      LogLine(kLogger, fmt::format("{}: {}{}", what, error,
                                   retried ? " (after a retry)" : " (not idempotent: no retry)"));
      break;
    }
    LogLine(kLogger, fmt::format("{}: {}; retrying on another worker", what, error));
    proxy_retries_.fetch_add(1, std::memory_order_relaxed);
    retried = true;
    skip = answered_5xx ? answered_5xx->index() : stream->lease->index();
  }
  if (!stream->upstream) {
    if (!last_error.empty()) return fail(502, "bad gateway: the hg worker failed");
    return fail(503, "no hg worker is available; try again shortly");
  }
  UpstreamExchange& up = *stream->upstream;
  stream->status = up.status();
  WebResponse res;
  res.status = up.status();
  res.content_type = "application/octet-stream";
  for (const auto& [name, value] : up.headers()) {
    if (strcasecmp(name.c_str(), "Content-Type") == 0) res.content_type = value;
    if (!DropResponseHeader(name)) res.headers.emplace_back(name, value);
  }
  auto length = up.content_length();
  if (req.method == "HEAD" || (length && *length == 0) || up.status() == 204 ||
      up.status() == 304) {
    // hg's HEAD is a GET whose body is not sent: its length still is.
    if (req.method == "HEAD" && length) {
      res.source_length = *length;
      res.source = [](char*, size_t) -> long { return 0; };
    }
    return res;
  }
  stream->remaining = length;
  res.source_length = length;
  res.source = [stream](char* buf, size_t n) -> long {
    if (stream->remaining) {
      if (*stream->remaining == 0) return 0;
      n = std::min(n, *stream->remaining);
    }
    long got = stream->upstream->ReadBody(buf, n);
    if (got < 0 || (got == 0 && stream->remaining)) {
      stream->CutOff();
      return -1;
    }
    if (stream->remaining) *stream->remaining -= static_cast<size_t>(got);
    stream->bytes += static_cast<uint64_t>(got);
    return got;
  };
  return res;
}

}  // namespace hgc
