// `startdate`/`enddate` of the pushlog queries (spec/hosting.md §1.9), with
// the reference's silent "anything unparseable means now" fixed: accepted are
// Unix seconds ("1227282600", "1227282600.5"), ISO 8601
// ("2008-11-21T15:30:00Z", "...+01:00", no offset = server local time), the
// reference's "YYYY-MM-DD[ HH[:MM[:SS]]]" (server local time), and the
// relative forms people use: "now", "today", "yesterday", "N <unit>s ago"
// (seconds, minutes, hours, days, weeks; months = 30 days, years = 365).
// Anything else is rejected with a message saying what is accepted.
// Thread-safety: pure functions (uses the process's local time zone).
#pragma once

#include <optional>
#include <string>

namespace hgc {

struct DateParse {
  std::optional<double> when;  // seconds since the epoch
  std::string error;           // set when `when` is empty
};

DateParse ParseDateParam(const std::string& value, double now);

}  // namespace hgc
