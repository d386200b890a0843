// `hgcluster notify-pulse CONFIG` (alias vcsreplicator-pulse-notifier),
// `hgcluster notify-sns CONFIG` (alias vcsreplicator-sns-notifier), both with
// the reference's `--skip` and `--start-from N` (an absolute offset), and
// `hgcluster notify-webhooks CONFIG` (ours). spec/hosting.md §2.2.
// Thread-safety: process entry points.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterNotifyCommands(CLI::App& app);

}  // namespace hgc
