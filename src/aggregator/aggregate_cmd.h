// `hgcluster aggregate CONFIG` (alias vcsreplicator-aggregator): the
// aggregator daemon of spec/replication.md §4.1.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterAggregateCommand(CLI::App& app);

}  // namespace hgc
