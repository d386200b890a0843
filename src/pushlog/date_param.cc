#include "pushlog/date_param.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>
#include <regex>

#include "common/text.h"

namespace hgc {
namespace {

bool ValidFields(int y, int mo, int d, int h, int mi, int s) {
  return y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

// Seconds since the epoch of a calendar time, in the server's zone or UTC.
double CalendarTime(int y, int mo, int d, int h, int mi, int s, bool local) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  tm.tm_isdst = -1;
  return static_cast<double>(local ? std::mktime(&tm) : timegm(&tm));
}

double LocalTime(int y, int mo, int d, int h, int mi, int s) {
  return CalendarTime(y, mo, d, h, mi, s, true);
}

double UtcTime(int y, int mo, int d, int h, int mi, int s) {
  return CalendarTime(y, mo, d, h, mi, s, false);
}

int Int(const std::ssub_match& m, int fallback = 0) {
  return m.matched ? std::stoi(m.str()) : fallback;
}

}  // namespace

DateParse ParseDateParam(const std::string& raw, double now) {
  std::string v = Trim(raw);
  std::smatch m;
  // No date is longer; a longer value would only feed the regexes (which
  // recurse per character) and std::stod (which throws on underflow).
  if (v.size() > 64) {
    return {std::nullopt, fmt::format("invalid date of {} characters: a date is at most 64 "
                                      "(Unix seconds, ISO 8601, 'now', 'N days ago', ...)",
                                      v.size())};
  }
  static const std::regex kEpoch(R"(\d{1,12}(\.\d{1,9})?)");
  if (std::regex_match(v, kEpoch)) return {std::stod(v), ""};

  static const std::regex kReference(
      R"((\d{4})-(\d\d)-(\d\d)(?: (\d\d)(?::(\d\d)(?::(\d\d))?)?)?)");
  if (std::regex_match(v, m, kReference)) {
    int y = Int(m[1]), mo = Int(m[2]), d = Int(m[3]), h = Int(m[4]), mi = Int(m[5]), s = Int(m[6]);
    if (ValidFields(y, mo, d, h, mi, s)) return {LocalTime(y, mo, d, h, mi, s), ""};
  }

  static const std::regex kIso(
      R"((\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?([Zz]|([+-])(\d\d):?(\d\d))?)");
  if (std::regex_match(v, m, kIso)) {
    int y = Int(m[1]), mo = Int(m[2]), d = Int(m[3]), h = Int(m[4]), mi = Int(m[5]), s = Int(m[6]);
    if (ValidFields(y, mo, d, h, mi, s)) {
      double frac = m[7].matched ? std::stod("0" + m[7].str()) : 0.0;
      if (!m[8].matched) return {LocalTime(y, mo, d, h, mi, s) + frac, ""};
      double t = UtcTime(y, mo, d, h, mi, s) + frac;
      if (m[9].matched) {
        int offset = Int(m[10]) * 3600 + Int(m[11]) * 60;
        t += m[9].str() == "+" ? -offset : offset;
      }
      return {t, ""};
    }
  }

  std::string lower = Lower(v);
  if (lower == "now") return {now, ""};
  if (lower == "today" || lower == "yesterday") {
    std::time_t t = static_cast<std::time_t>(now);
    std::tm tm{};
    localtime_r(&t, &tm);
    double midnight = LocalTime(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0, 0);
    return {lower == "today" ? midnight : midnight - 86400, ""};
  }
  static const std::regex kAgo(
      R"((\d{1,9})\s*(second|sec|minute|min|hour|day|week|month|year)s?\s+ago)");
  if (std::regex_match(lower, m, kAgo)) {
    static const std::pair<const char*, double> kUnits[] = {
        {"second", 1},          {"sec", 1},     {"minute", 60},      {"min", 60},
        {"hour", 3600},         {"day", 86400}, {"week", 7 * 86400}, {"month", 30 * 86400},
        {"year", 365 * 86400.0}};
    for (const auto& [unit, seconds] : kUnits) {
      if (m[2].str() == unit) return {now - std::stod(m[1].str()) * seconds, ""};
    }
  }
  return {std::nullopt,
          fmt::format("invalid date '{}': use Unix seconds (1227282600), ISO 8601 "
                      "(2008-11-21T15:30:00Z), 'YYYY-MM-DD HH:MM:SS' (server time), 'now', "
                      "'today', 'yesterday' or 'N days ago'",
                      raw)};
}

}  // namespace hgc
