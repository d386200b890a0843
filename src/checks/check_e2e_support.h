// Helpers for the checks' end-to-end tests: an embedded log in a scratch
// directory, framed heartbeats with a chosen age, and parsing of check output
// (time values vary from run to run, so they are extracted and range-checked
// rather than compared as text). Test-only; included by *_e2e_test.cc.
// Thread-safety: one fixture per test thread.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/subprocess.h"
#include "log/log.h"
#include "message/message.h"
#include "test_support.h"

namespace hgc::test {

inline const char kCheckFooter[] =
    "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
    "for details about this check.\n";

inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// The number between `prefix` and `suffix` in `line`, or NaN when the line
// does not have that shape (so a range assertion on it fails).
inline double NumberBetween(const std::string& line, const std::string& prefix,
                            const std::string& suffix) {
  if (line.size() < prefix.size() + suffix.size() || line.rfind(prefix, 0) != 0 ||
      line.compare(line.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nan("");
  }
  std::string number = line.substr(prefix.size(), line.size() - prefix.size() - suffix.size());
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0') return std::nan("");
  size_t dot = number.find('.');
  if (dot == std::string::npos || number.size() - dot - 1 != 3) return std::nan("");  // %.3f
  return value;
}

// An embedded log at <dir>/log.db with the test's own handle on it.
class LogSandbox {
 public:
  LogSandbox() : db_(dir_ / "log.db"), log_(OpenLog("sqlite://" + db_)) {}
  const ScratchDir& dir() const { return dir_; }
  const std::string& db() const { return db_; }
  std::string url() const { return "sqlite://" + db_; }
  Log& log() { return *log_; }

  // Appends a heartbeat whose _created is `age` seconds ago (negative: in
  // the future, as from a producer with a fast clock).
  int64_t AppendAged(const std::string& topic, int partition, double age) {
    return log_->Append(topic, partition, EncodeMessage(MakeHeartbeat(WallNow() - age)));
  }

 private:
  ScratchDir dir_;
  std::string db_;
  std::unique_ptr<Log> log_;
};

}  // namespace hgc::test
