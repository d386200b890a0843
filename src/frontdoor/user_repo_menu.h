// The interactive user-repository menus of pash (hosting spec §4.7):
// `clone NAME` (clone a public repository or create an empty one) and
// `edit NAME` (delete, description, publishing, obsolescence), with the
// reference's numbered prompts read from stdin. Changes to .hg/hgrc are
// replicated with `replicatehgrc`. Unlike the reference, editing the hgrc
// keeps its comments and key case (the reference rewrote it lower-cased).
// Thread-safety: process-level (reads stdin, runs hg).
#pragma once

#include <istream>
#include <string>

#include "frontdoor/frontdoor_config.h"

namespace hgc {

int UserRepoCloneMenu(const FrontdoorConfig& config, const std::string& user,
                      const std::string& name, std::istream& in);
int UserRepoEditMenu(const FrontdoorConfig& config, const std::string& user,
                     const std::string& name, std::istream& in);

// Sets (or, with an empty optional, removes) `key` in `[section]` of an
// hgrc text, keeping everything else.
std::string SetHgrcValue(const std::string& text, const std::string& section,
                         const std::string& key, const std::optional<std::string>& value);

}  // namespace hgc
