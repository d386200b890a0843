#include "bundles/bundle_age_check.h"

#include <fmt/format.h>
#include <time.h>

#include <cmath>
#include <cstdio>

namespace hgc {

std::optional<std::chrono::system_clock::time_point> ParseLastRun(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  int y, mo, d, h, mi, s, used = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 ||
      used != 19) {
    return std::nullopt;
  }
  std::string rest = t.substr(19);
  long micros = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    std::string frac;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) frac += rest[i++];
    if (frac.empty()) return std::nullopt;
    frac = (frac + "000000").substr(0, 6);
    micros = std::stol(frac);
    rest = rest.substr(i);
  }
  if (rest != "Z") return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::microseconds(micros);
}

std::string FormatAge(double seconds) {
  auto total = static_cast<int64_t>(std::floor(std::max(0.0, seconds)));
  int64_t days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60;
  if (days > 0) return fmt::format("{}d {}h {}m", days, hours, minutes);
  if (hours > 0) return fmt::format("{}h {}m", hours, minutes);
  if (minutes > 0) return fmt::format("{}m", minutes);
  return fmt::format("{}s", total);
}

CheckReport CheckBundleAge(const std::string& lastrun_path,
                           const std::optional<std::string>& lastrun_text,
                           std::chrono::system_clock::time_point now,
                           const BundleAgeThresholds& thresholds) {
  CheckReport r;
  if (!lastrun_text) {
    r.status = CheckStatus::kCritical;
    r.summary =
        fmt::format("CRITICAL - no bundle generation recorded: {} does not exist", lastrun_path);
    return r;
  }
  auto when = ParseLastRun(*lastrun_text);
  if (!when) {
    r.status = CheckStatus::kCritical;
    r.summary = fmt::format("CRITICAL - cannot read the time in {}: '{}'", lastrun_path,
                            OneLine(lastrun_text->substr(0, 80)));
    return r;
  }
  double age = std::chrono::duration<double>(now - *when).count();
  r.status = StatusFor(age, thresholds.warning_seconds, thresholds.critical_seconds);
  std::string stamp = *lastrun_text;
  while (!stamp.empty() && (stamp.back() == '\n' || stamp.back() == '\r')) stamp.pop_back();
  r.summary = fmt::format("{} - clone bundles last generated {} ago ({})", StatusLabel(r.status),
                          FormatAge(age), stamp);
  r.details.push_back(fmt::format("{} - age {:.0f}s (warning at {:.0f}s, critical at {:.0f}s)",
                                  StatusLabel(r.status), age, thresholds.warning_seconds,
                                  thresholds.critical_seconds));
  if (r.status != CheckStatus::kOk) {
    r.details.push_back(
        "Bundles older than 7 days expire from S3; clones would then fall back to full "
        "clones or fail.");
    r.details.push_back("Check `hgcluster bundles generate` (hg-bundle-generate) output.");
  }
  return r;
}

}  // namespace hgc
