// Registers the SSH front door's subcommands: `pash` and `ssh-keys` (run by
// sshd) and `user add` (edits the cluster's users file).
// Thread-safety: call once from main.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterFrontdoorCommands(CLI::App& app);

}  // namespace hgc
