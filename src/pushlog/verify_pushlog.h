// `hgcluster verifypushlog` (hg verifypushlog of spec/hosting.md §1.4): does
// the pushlog name exactly the repository's visible changesets? Prints the
// reference's warnings and summary; exit 1 when a pushed changeset is gone
// or a changeset was never recorded, 0 otherwise (an empty push is only a
// warning).
// Thread-safety: one call at a time per repository.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace hgc {

int VerifyPushlog(const std::string& repo_root, std::ostream& out, std::ostream& err);
void RegisterVerifyPushlogCommand(CLI::App& app);

}  // namespace hgc
