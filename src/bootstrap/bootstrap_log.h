// The bootstrap tools' log lines in the reference's shape
// (spec/replication.md §3.10): "<YYYY-mm-dd HH:MM:SS UTC>
// vcsreplicator.bootstrap <message>", one whole line per call.
// Thread-safety: safe from any thread.
#pragma once

#include <cstdio>
#include <string>

namespace hgc {

void BootstrapLog(std::FILE* stream, const std::string& message);

// The leader's half logs to stderr, the mirror's half to stdout (as the
// reference's vcsreplicator-bootstrap-hgssh and -hgweb do).
inline void LogHgssh(const std::string& message) { BootstrapLog(stderr, message); }
inline void LogHgweb(const std::string& message) { BootstrapLog(stdout, message); }

}  // namespace hgc
