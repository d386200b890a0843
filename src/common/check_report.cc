#include "common/check_report.h"

namespace hgc {

const char* StatusLabel(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk:
      return "OK";
    case CheckStatus::kWarning:
      return "WARNING";
    case CheckStatus::kCritical:
      return "CRITICAL";
  }
  return "UNKNOWN";
}

CheckStatus StatusFor(double value, double warning, double critical) {
  if (value >= critical) return CheckStatus::kCritical;
  if (value >= warning) return CheckStatus::kWarning;
  return CheckStatus::kOk;
}

CheckStatus Worst(CheckStatus a, CheckStatus b) { return a > b ? a : b; }

std::string FormatReport(const CheckReport& report) {
  std::string out = report.summary + "\n\n";
  for (const auto& line : report.details) out += line + "\n";
  if (!report.details.empty()) out += "\n";
  out += "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n";
  out += "for details about this check.\n";
  return out;
}

std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

}  // namespace hgc
