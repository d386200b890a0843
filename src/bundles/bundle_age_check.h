// check_hg_bundle_generate_age (spec/hosting.md §3.3): how long ago
// `hgcluster bundles generate` last finished, from the `lastrun` file, as a
// Nagios report. Bundle generation runs daily; objects expire after 7 days.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/check_report.h"

namespace hgc {

struct BundleAgeThresholds {
  double warning_seconds = 30 * 3600;   // a day plus headroom for a slow run
  double critical_seconds = 54 * 3600;  // a second daily run missed
};

// Parses lastrun's `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> ParseLastRun(const std::string& text);

// `lastrun_text` nullopt: the file does not exist.
CheckReport CheckBundleAge(const std::string& lastrun_path,
                           const std::optional<std::string>& lastrun_text,
                           std::chrono::system_clock::time_point now,
                           const BundleAgeThresholds& thresholds);

// "1d 2h 3m", "2h 0m", "5m", "42s"
std::string FormatAge(double seconds);

}  // namespace hgc
