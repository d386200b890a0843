// libcurl-based HTTP client. Thread-safety: see http_client.h.
#include "notify/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <mutex>

#include "common/error.h"

namespace hgc {
namespace {

constexpr size_t kMaxResponseBody = 1 << 20;

void GlobalInit() {
  // curl_global_init is not thread-safe; every caller goes through here.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t n = size * count;
  if (out->size() < kMaxResponseBody) {
    out->append(data, std::min(n, kMaxResponseBody - out->size()));
  }
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

UrlParts SplitUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    throw Error(ErrorKind::kConfig, "not an absolute URL: " + url);
  }
  UrlParts parts;
  parts.scheme = url.substr(0, scheme_end);
  if (parts.scheme != "http" && parts.scheme != "https") {
    throw Error(ErrorKind::kConfig, "not an http(s) URL: " + url);
  }
  size_t host_start = scheme_end + 3;
  size_t path_start = url.find_first_of("/?#", host_start);
  parts.authority = url.substr(host_start, path_start - host_start);
  if (parts.authority.empty()) throw Error(ErrorKind::kConfig, "URL without a host: " + url);
  if (path_start == std::string::npos || url[path_start] != '/') {
    parts.path = "/";
  } else {
    size_t path_end = url.find_first_of("?#", path_start);
    parts.path = url.substr(path_start, path_end - path_start);
  }
  return parts;
}

HttpResponse SendHttp(const HttpRequest& request) {
  GlobalInit();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw Error(ErrorKind::kIo, "cannot create a libcurl handle");
  CURL* c = curl.get();
  curl_slist* raw = nullptr;
  for (const auto& [name, value] : request.headers) {
    raw = curl_slist_append(raw, (name + ": " + value).c_str());
  }
  raw = curl_slist_append(raw, "Expect:");  // one round trip, no 100-continue
  std::unique_ptr<curl_slist, ListDeleter> headers(raw);
  HttpResponse response;
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    throw Error(ErrorKind::kIo,
                fmt::format("{} {}: {}", request.method, request.url, curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace hgc
