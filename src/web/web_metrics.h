// Counters of the mirror web front, and their two renderings: Apache
// mod_status "?auto" text (the runbook's drain procedure polls BusyWorkers)
// and Prometheus text exposition. Fixed arrays of relaxed atomics, so the
// request path takes no lock.
// Thread-safety: every method is safe from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace hgc {

// kRefused: refused from the request head (limits, framing, pushes).
enum class RequestClass : int {
  kNative,
  kHg,
  kStatus,
  kMetrics,
  kHealth,
  kNotFound,
  kBundle,
  kRefused
};
inline constexpr int kRequestClassCount = 8;
const char* RequestClassName(RequestClass c);

class WebMetrics {
 public:
  WebMetrics();

  // A request that counts as busy (BusyWorkers): everything but the
  // monitoring endpoints, from routing until its last byte is sent.
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  // Every answered request, monitoring ones included.
  void Record(RequestClass c, int status, double seconds, uint64_t body_bytes);
  void ConnectionOpened();
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }

  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }
  uint64_t total_requests() const;

  // `threads`: size of the handler thread pool (requests handled at once).
  std::string ServerStatusAuto(int threads) const;
  // Request counters, latency histogram, in-flight and connection gauges.
  std::string Prometheus() const;

  static constexpr std::array<double, 15> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 300};

 private:
  struct PerClass {
    std::array<std::atomic<uint64_t>, 500> by_status{};                // index: status - 100
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<uint64_t> micros_sum{0};
    std::atomic<uint64_t> count{0};
  };
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<std::array<PerClass, kRequestClassCount>> classes_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> open_connections_{0};
  std::atomic<uint64_t> connections_total_{0};
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace hgc
