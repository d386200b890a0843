// Daemon log lines in the reference's shape: "<logger name> <message>" on
// stdout, one line per write, whole lines only even with many threads. The
// message's control characters are escaped (common/log_escape.h): text from
// outside — a repository path, hg's output — cannot add a line of its own.
// Thread-safety: safe from any thread.
#pragma once

#include <string>
#include <vector>

namespace hgc {

void LogLine(const std::string& logger, const std::string& message);

// Several lines written together (no other thread's line between them),
// each "<logger> <line>", each escaped as LogLine escapes.
void LogLines(const std::string& logger, const std::vector<std::string>& lines);

}  // namespace hgc
