// Command-line entry points of the leader: `hgcluster hook NAME`,
// `hgcluster producer-agent`,
// `hgcluster replicate sync|hgrc|delete|heartbeat` and `hgcluster local-ssh`.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterLeaderCommands(CLI::App& app);

// `hgcluster local-ssh [ssh options] HOST COMMAND`: a stand-in for ssh to a
// leader on this host, for hg's --ssh. It runs the remote command
// ("hg -R PATH serve --stdio") locally, so pushes take the same server-side
// path and hooks as a real ssh push. Parsed by hand: ssh's options are not
// ours to validate.
int RunLocalSsh(int argc, char** argv);

}  // namespace hgc
