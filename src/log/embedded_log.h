// The embedded replication log: one SQLite database in WAL mode shared by
// every process on the host. Appends are fsynced before they return
// (synchronous=FULL). After each commit an appender touches log.db-notify;
// readers block on inotify events for it, so a cursor wakes within
// milliseconds of an append made by any process — no polling interval. On-disk schema:
// docs/formats.md. Thread-safety: EmbeddedLog serialises its own connection with a mutex; each
// cursor owns a private connection and belongs to one thread.
#pragma once

#include <memory>
#include <string>

#include "log/log.h"

namespace hgc {

std::unique_ptr<Log> OpenEmbeddedLog(const std::string& db_path);

}  // namespace hgc
