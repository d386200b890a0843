#include "common/logline.h"

#include <cstdio>
#include <mutex>

#include "common/log_escape.h"

namespace hgc {
namespace {

std::mutex& OutputMutex() {
  static std::mutex mu;
  return mu;
}

void WriteLocked(const std::string& logger, const std::string& message) {
  std::string line = logger;
  line += ' ';
  line += EscapeControl(message);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
}

}  // namespace

void LogLine(const std::string& logger, const std::string& message) {
  std::lock_guard lock(OutputMutex());
  WriteLocked(logger, message);
  std::fflush(stdout);
}

void LogLines(const std::string& logger, const std::vector<std::string>& lines) {
  std::lock_guard lock(OutputMutex());
  for (const auto& line : lines) WriteLocked(logger, line);
  std::fflush(stdout);
}

}  // namespace hgc
