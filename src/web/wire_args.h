// Checks a Mercurial wire-protocol request (HTTP, version 1) before it is
// passed to an hg worker, so that arguments hg would fail on with a bare 500
// (a missing required argument, a node that is not 40 hex digits, a `batch`
// that does not parse) get a 400 that says what was wrong. Arguments come,
// as hg reads them, from the query string, from the X-HgArg-1, X-HgArg-2, ...
// headers, or from the first X-HgArgs-Post bytes of the body
// (httppostargs). Commands this file does not know pass unchecked: an
// extension's command is hg's to judge.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgc {

using WireArgs = std::vector<std::pair<std::string, std::string>>;

struct WireRequest {
  std::string_view query;  // after '?', undecoded
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body;
};

// The command (`cmd`) and every argument, or a problem (a malformed
// X-HgArgs-Post).
struct WireCall {
  std::string cmd;  // "" when the request is not a wire-protocol command
  WireArgs args;
  std::optional<std::string> problem;
};
WireCall ParseWireCall(const WireRequest& request);

// What is wrong with `args` for `cmd` (one line, naming the argument), or
// nullopt. Used for a request's own command and for each command of a batch.
std::optional<std::string> WireArgsProblem(const std::string& cmd, const WireArgs& args);

// Both: the problem with a request, or nullopt.
std::optional<std::string> WireRequestProblem(const WireRequest& request);

}  // namespace hgc
