#include "checks/web_check.h"

#include <fmt/format.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

namespace hgc {

CheckReport EvaluateWebHealth(int http_status, const std::string& body, const std::string& error,
                              double replaced_window) {
  CheckReport r;
  if (http_status == 0) {
    r.status = CheckStatus::kCritical;
    r.summary = "CRITICAL - the web front does not answer";
    r.details.push_back("CRITICAL - " + OneLine(error));
    r.details.push_back("Is `hgcluster web` running? Its log says why it stopped.");
    return r;
  }
  nlohmann::json h = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!h.is_object() || !h.contains("status")) {
    r.status = CheckStatus::kCritical;
    r.summary = fmt::format("CRITICAL - /__health answered {} without its JSON document",
                            http_status);
    r.details.push_back("CRITICAL - body: " + OneLine(body.substr(0, 200)));
    return r;
  }
  std::string state = h.value("status", "");
  int ready = h.value("hg_workers_ready", 0);
  int workers = h.value("hg_workers", 0);
  int64_t replaced = h.value("hg_worker_replacements", int64_t{0});
  int64_t retries = h.value("hg_retries", int64_t{0});
  std::string counts = fmt::format("{}/{} hg workers ready, {} replaced, {} requests retried",
                                   ready, workers, replaced, retries);
  if (state == "draining") {
    r.status = CheckStatus::kWarning;
    r.summary = "WARNING - the web front is draining (" + counts + ")";
  } else if (http_status != 200 || (workers > 0 && ready == 0)) {
    r.status = CheckStatus::kCritical;
    r.summary = fmt::format("CRITICAL - {} ({})", state, counts);
  } else if (ready < workers) {
    r.status = CheckStatus::kWarning;
    r.summary = "WARNING - not every hg worker is ready (" + counts + ")";
  } else {
    r.summary = "OK - " + counts;
  }
  if (h.contains("last_replacement")) {
    int64_t age = h.value("last_replacement_age_seconds", int64_t{0});
    bool recent = age < replaced_window;
    std::string line =
        fmt::format("{} - {}s ago: {}", recent ? "WARNING" : "OK", age,
                    OneLine(h.value("last_replacement", "")));
    r.details.push_back(line);
    if (recent) {
      r.status = Worst(r.status, CheckStatus::kWarning);
      if (r.summary.rfind("OK", 0) == 0) r.summary = "WARNING - an hg worker was replaced (" + counts + ")";
      r.details.push_back(
          "A worker that fails requests in a row is killed and restarted; see the hg workers' "
          "log (worker_log) for the tracebacks.");
    }
  }
  return r;
}

int RunWebCheck(const WebCheckOptions& o, std::ostream& out) {
  httplib::Client client(o.host, o.port);
  client.set_connection_timeout(o.timeout);
  client.set_read_timeout(o.timeout);
  auto res = client.Get("/__health");
  CheckReport report =
      res ? EvaluateWebHealth(res->status, res->body, "", o.replaced_window)
          : EvaluateWebHealth(0, "", fmt::format("http://{}:{}/__health: {}", o.host, o.port,
                                                  httplib::to_string(res.error())),
                              o.replaced_window);
  out << FormatReport(report);
  return static_cast<int>(report.status);
}

}  // namespace hgc
