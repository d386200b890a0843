// Daemon log lines in the reference's shape: "<logger name> <message>" on
// stdout, one line per write, whole lines only even with many threads.
// Thread-safety: safe from any thread.
#pragma once

#include <string>

namespace hgc {

void LogLine(const std::string& logger, const std::string& message);

}  // namespace hgc
