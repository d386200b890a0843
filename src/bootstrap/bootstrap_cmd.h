// `hgcluster bootstrap hgssh|hgweb|cluster` (aliases
// vcsreplicator-bootstrap-hgssh, vcsreplicator-bootstrap-hgweb).
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterBootstrapCommands(CLI::App& app);

}  // namespace hgc
