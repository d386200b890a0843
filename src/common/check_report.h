// The Nagios output shape every check shares (spec/replication.md §6): a
// status (exit code 0/1/2), a summary line, a blank line, detail lines, a
// blank line and the two "See ... for details about this check." lines.
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <vector>

namespace hgc {

// Ordered by severity; the value is the Nagios exit code.
enum class CheckStatus { kOk = 0, kWarning = 1, kCritical = 2 };

// "OK", "WARNING" or "CRITICAL".
const char* StatusLabel(CheckStatus status);

// The reference's threshold rule: value >= critical is CRITICAL, else value
// >= warning is WARNING, else OK.
CheckStatus StatusFor(double value, double warning, double critical);

CheckStatus Worst(CheckStatus a, CheckStatus b);

struct CheckReport {
  CheckStatus status = CheckStatus::kOk;
  std::string summary;               // first line, already labelled
  std::vector<std::string> details;  // one line each, already labelled
};

// The whole stdout of a check, newline-terminated. With no detail lines the
// second blank line is left out (the block would be empty).
std::string FormatReport(const CheckReport& report);

// An exception text on one line: embedded newlines become a literal "\n", so
// one problem stays one detail line (Nagios reads output line by line).
std::string OneLine(const std::string& text);

}  // namespace hgc
