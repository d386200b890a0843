#include "web/web_metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace hgc {

const char* RequestClassName(RequestClass c) {
  switch (c) {
    case RequestClass::kNative:
      return "native";
    case RequestClass::kHg:
      return "hg";
    case RequestClass::kStatus:
      return "server_status";
    case RequestClass::kMetrics:
      return "metrics";
    case RequestClass::kHealth:
      return "health";
    case RequestClass::kNotFound:
      return "not_found";
    case RequestClass::kBundle:
      return "bundle";
    case RequestClass::kRefused:
      return "refused";
  }
  return "unknown";
}

WebMetrics::WebMetrics()
    : started_(std::chrono::steady_clock::now()),
      classes_(std::make_unique<std::array<PerClass, kRequestClassCount>>()) {}

void WebMetrics::Record(RequestClass c, int status, double seconds, uint64_t body_bytes) {
  PerClass& pc = (*classes_)[static_cast<int>(c)];
  int idx = std::clamp(status, 100, 599) - 100;
  pc.by_status[idx].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  pc.buckets[b].fetch_add(1, std::memory_order_relaxed);
  pc.micros_sum.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  pc.count.fetch_add(1, std::memory_order_relaxed);
  bytes_.fetch_add(body_bytes, std::memory_order_relaxed);
}

void WebMetrics::ConnectionOpened() {
  open_connections_.fetch_add(1, std::memory_order_relaxed);
  connections_total_.fetch_add(1, std::memory_order_relaxed);
}

uint64_t WebMetrics::total_requests() const {
  uint64_t n = 0;
  for (const auto& pc : *classes_) n += pc.count.load(std::memory_order_relaxed);
  return n;
}

std::string WebMetrics::ServerStatusAuto(int threads) const {
  double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  uint64_t accesses = total_requests();
  uint64_t bytes = bytes_.load(std::memory_order_relaxed);
  int64_t busy = std::max<int64_t>(0, in_flight());
  int64_t conns = std::max<int64_t>(0, open_connections());
  int64_t idle = std::max<int64_t>(0, threads - std::max(conns, busy));
  std::string scoreboard;
  for (int i = 0; i < threads; ++i) {
    scoreboard += i < busy ? 'W' : i < conns ? 'K' : '_';
  }
  double secs = std::max(uptime, 1e-9);
  return fmt::format(
      "Total Accesses: {}\n"
      "Total kBytes: {}\n"
      "Uptime: {}\n"
      "ReqPerSec: {:.6g}\n"
      "BytesPerSec: {:.6g}\n"
      "BytesPerReq: {:.6g}\n"
      "BusyWorkers: {}\n"
      "IdleWorkers: {}\n"
      "ConnsTotal: {}\n"
      "Scoreboard: {}\n",
      accesses, bytes / 1024, static_cast<uint64_t>(uptime), accesses / secs, bytes / secs,
      accesses ? static_cast<double>(bytes) / accesses : 0.0, busy, idle, conns, scoreboard);
}

std::string WebMetrics::Prometheus() const {
  std::string out =
      "# HELP hgcluster_web_requests_total Requests answered, by command class and HTTP status.\n"
      "# TYPE hgcluster_web_requests_total counter\n";
  for (int c = 0; c < kRequestClassCount; ++c) {
    const PerClass& pc = (*classes_)[c];
    for (int s = 0; s < 500; ++s) {
      uint64_t n = pc.by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out += fmt::format("hgcluster_web_requests_total{{class=\"{}\",status=\"{}\"}} {}\n",
                         RequestClassName(static_cast<RequestClass>(c)), s + 100, n);
    }
  }
  out +=
      "# HELP hgcluster_web_request_duration_seconds Time from routing to the last byte sent.\n"
      "# TYPE hgcluster_web_request_duration_seconds histogram\n";
  for (int c = 0; c < kRequestClassCount; ++c) {
    const PerClass& pc = (*classes_)[c];
    const char* name = RequestClassName(static_cast<RequestClass>(c));
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += pc.buckets[b].load(std::memory_order_relaxed);
      std::string le = b < kBuckets.size() ? fmt::format("{}", kBuckets[b]) : "+Inf";
      out += fmt::format(
          "hgcluster_web_request_duration_seconds_bucket{{class=\"{}\",le=\"{}\"}} {}\n", name, le,
          cumulative);
    }
    out += fmt::format("hgcluster_web_request_duration_seconds_sum{{class=\"{}\"}} {:.6f}\n", name,
                       pc.micros_sum.load(std::memory_order_relaxed) / 1e6);
    out += fmt::format("hgcluster_web_request_duration_seconds_count{{class=\"{}\"}} {}\n", name,
                       cumulative);
  }
  out += fmt::format(
      "# HELP hgcluster_web_in_flight_requests Requests being answered (BusyWorkers).\n"
      "# TYPE hgcluster_web_in_flight_requests gauge\n"
      "hgcluster_web_in_flight_requests {}\n"
      "# HELP hgcluster_web_open_connections Client connections open now.\n"
      "# TYPE hgcluster_web_open_connections gauge\n"
      "hgcluster_web_open_connections {}\n"
      "# HELP hgcluster_web_connections_total Client connections accepted.\n"
      "# TYPE hgcluster_web_connections_total counter\n"
      "hgcluster_web_connections_total {}\n"
      "# HELP hgcluster_web_response_bytes_total Response body bytes sent.\n"
      "# TYPE hgcluster_web_response_bytes_total counter\n"
      "hgcluster_web_response_bytes_total {}\n",
      in_flight(), open_connections(), connections_total_.load(std::memory_order_relaxed),
      bytes_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace hgc
