// The clone bundle commands (spec/hosting.md §3, docs/operations.md "Clone
// bundles"):
//   bundles generate [-f FILE] [--no-upload] [--root R | --config INI] [REPO...]
//   bundles restore-old [--root R | --config INI] REPO
//   check-bundle-age    (alias check_hg_bundle_generate_age)
// Thread-safety: process entry points.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterBundlesCommands(CLI::App& app);

}  // namespace hgc
