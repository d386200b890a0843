// Minimal blocking HTTP(S) client over libcurl for the SNS and webhook
// sinks: one request, explicit headers, whole body in memory, bounded
// timeouts, no redirects, no `Expect: 100-continue`.
// Thread-safety: each call uses its own handle; safe from several threads.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace hgc {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{30000};
};

struct HttpResponse {
  long status = 0;
  std::string body;  // at most 1 MiB is kept
  bool ok() const { return status >= 200 && status < 300; }
};

// Throws Error(kIo) when no response arrives (connection refused, timeout,
// bad URL); any HTTP status is returned.
HttpResponse SendHttp(const HttpRequest& request);

struct UrlParts {
  std::string scheme;     // "http"
  std::string authority;  // "127.0.0.1:8080" (the Host header)
  std::string path;       // "/a/b", "/" when empty; as written (not decoded)
};

// Splits an absolute http(s) URL; throws Error(kConfig) for anything else.
UrlParts SplitUrl(const std::string& url);

}  // namespace hgc
