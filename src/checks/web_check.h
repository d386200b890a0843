// check-web: is a mirror's web front serving, and are its hg
// workers healthy? Reads the front's /__health JSON: CRITICAL when it does not
// answer or no hg worker is ready, WARNING while it drains, while some hg
// workers are not ready, or when a worker was replaced (it kept failing
// requests) within the last `replaced_window` seconds; else OK.
// Thread-safety: EvaluateWebHealth is pure; RunWebCheck is a process entry
// point.
#pragma once

#include <ostream>
#include <string>

#include "common/check_report.h"

namespace hgc {

struct WebCheckOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  double replaced_window = 3600;  // seconds a replacement stays a WARNING
  int timeout = 10;               // seconds to connect and read
};

// `http_status` 0: no answer (`error` says why); otherwise `body` is the
// /__health document.
CheckReport EvaluateWebHealth(int http_status, const std::string& body, const std::string& error,
                              double replaced_window);

// Returns the Nagios exit code; never throws.
int RunWebCheck(const WebCheckOptions& options, std::ostream& out);

}  // namespace hgc
