// `hgcluster consume CONFIG` (alias vcsreplicator-consumer) and
// `hgcluster print-offsets CONFIG` (alias vcsreplicator-print-offsets): the
// reference's command lines (spec/replication.md §3.1, §3.11).
// Thread-safety: process entry points.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterConsumeCommands(CLI::App& app);

}  // namespace hgc
