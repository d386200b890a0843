// CLI for the master role: `master-monitor CONFIG` (the daemon),
// `hg-master-start-stop MASTER_FILE` (the reference's one-shot script, for
// systemd hosts), `master status` and `master failover --to HOST` (a local
// cluster's hand-over, done safely: the old master stops writing before the
// new one starts, with no fixed 60-second wait).
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterMasterCommands(CLI::App& app);

}  // namespace hgc
