#include "web/proxy_retry.h"

#include <strings.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "web/repo_path.h"

namespace hgc {
namespace {

// Wire-protocol commands with `pull` permission in hg 6.x (wireprotov1server).
constexpr std::array<std::string_view, 17> kReadOnlyCommands = {
    "batch",        "between",      "branchmap",       "branches",
    "capabilities", "changegroup",  "changegroupsubset", "clonebundles",
    "clonebundles_manifest",        "debugwireargs",   "filtered",
    "getbundle",    "heads",        "hello",           "known",
    "listkeys",     "lookup"};

bool ReadOnlyCommand(std::string_view cmd) {
  return cmd == "protocaps" || cmd == "stream_out" ||
         std::find(kReadOnlyCommands.begin(), kReadOnlyCommands.end(), cmd) !=
             kReadOnlyCommands.end();
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// Every place a wire-protocol argument can travel: the query, X-HgArg-N
// headers and the first X-HgArgs-Post bytes of the body; percent-decoded.
std::string AllArguments(const ProxiedRequest& r) {
  std::string text = PercentDecode(r.query, true);
  size_t post_args = 0;
  if (r.headers) {
    for (const auto& [name, value] : *r.headers) {
      if (StartsWithNoCase(name, "X-HgArg-")) text += "&" + PercentDecode(value, true);
      if (strcasecmp(name.c_str(), "X-HgArgs-Post") == 0) {
        std::from_chars(value.data(), value.data() + value.size(), post_args);
      }
    }
  }
  if (post_args > 0) {
    text += "&" + PercentDecode(r.body.substr(0, std::min(post_args, r.body.size())), true);
  }
  return text;
}

}  // namespace

std::string WireCommandOf(std::string_view query) {
  for (const auto& [key, value] : ParseQueryString(query)) {
    if (key == "cmd") return value;
  }
  return "";
}

bool IsIdempotentRequest(const ProxiedRequest& r) {
  std::string cmd = WireCommandOf(r.query);
  if (cmd.empty()) return r.method == "GET" || r.method == "HEAD";
  if (!ReadOnlyCommand(cmd)) return false;
  if (cmd == "batch") {
    // `cmds=heads ;pushkey namespace=...`: a batch is only as safe as its
    // worst command. A mention anywhere counts (conservative).
    std::string args = AllArguments(r);
    if (args.find("pushkey") != std::string::npos || args.find("unbundle") != std::string::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace hgc
