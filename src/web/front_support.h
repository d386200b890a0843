// What the web front's handler (web_front.cc) and its proxy to the hg
// workers (web_proxy.cc) share: their logger, the request clock and the
// query string of a request. Internal to web/.
// Thread-safety: pure functions.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>

namespace hgc::web_front {

using SteadyClock = std::chrono::steady_clock;
inline constexpr const char* kLogger = "hgcluster.web";

inline double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// The raw query string of the request target, "" when it has none.
inline std::string QueryOf(const httplib::Request& req) {
  auto q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q + 1);
}

}  // namespace hgc::web_front
