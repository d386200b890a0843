// What the web front's handler (web_front.cc) and its proxy to the hg
// workers (web_proxy.cc) share: their logger and the request clock.
// Internal to web/.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>

namespace hgc::web_front {

using SteadyClock = std::chrono::steady_clock;
inline constexpr const char* kLogger = "hgcluster.web";

inline double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace hgc::web_front
