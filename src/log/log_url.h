// The log a config section points at: `log = <url>` (ours: sqlite:///path or
// kafka://brokers) or, as in the reference's files, `hosts = <brokers>` — a
// comma- or space-separated Kafka broker list.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "common/ini.h"

namespace hgc {

// Throws Error(kConfig) naming the file and section when neither is set.
std::string LogUrlFromSection(const IniFile& ini, const std::string& section);

}  // namespace hgc
