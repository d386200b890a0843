// `hgcluster web CONFIG`: runs a mirror's HTTP front until SIGTERM/SIGINT,
// then drains (health 503, listener closed, in-flight requests finish, hg
// workers stop) and exits 0. `hgcluster web --drain CONFIG` signals the
// running front found through the config's pid_file and waits for it to exit.
// Thread-safety: process entry points.
#pragma once

#include <CLI/CLI.hpp>

namespace hgc {

void RegisterWebCommand(CLI::App& app);

}  // namespace hgc
