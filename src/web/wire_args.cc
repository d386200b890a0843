#include "web/wire_args.h"

#include <fmt/format.h>
#include <strings.h>

#include <charconv>
#include <map>

#include "web/repo_path.h"

namespace hgc {
namespace {

const std::string* Find(const WireArgs& args, const std::string& key) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : args) {
    if (k == key && !found) found = &v;  // hg takes the first value
  }
  return found;
}

bool IsNode(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

std::string Shown(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 60)) {
    out += (c < 0x20 || c >= 0x7f) ? '?' : static_cast<char>(c);
  }
  if (s.size() > 60) out += "...";
  return out;
}

// A `sep`-separated list of nodes, as wireprototypes.decodelist reads it
// (an empty value is an empty list).
std::optional<std::string> NodeListProblem(const std::string& cmd, const std::string& name,
                                           std::string_view value, char sep = ' ') {
  if (value.empty()) return std::nullopt;
  size_t pos = 0;
  while (true) {
    size_t end = value.find(sep, pos);
    std::string_view item = value.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (!IsNode(item)) {
      return fmt::format("{}: argument '{}' must be 40-hex-digit node ids separated by {}, not "
                         "'{}'",
                         cmd, name, sep == ' ' ? std::string("space") : fmt::format("'{}'", sep),
                         Shown(item));
    }
    if (end == std::string_view::npos) return std::nullopt;
    pos = end + 1;
  }
}

// wireprototypes.unescapebatcharg.
std::string UnescapeBatchArg(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ':' && i + 1 < s.size()) {
      char c = s[i + 1];
      const char* r = c == 'e' ? "=" : c == 's' ? ";" : c == 'o' ? "," : c == 'c' ? ":" : nullptr;
      if (r) {
        out += r;
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::optional<std::string> BatchProblem(const std::string& cmds) {
  size_t pos = 0;
  int index = 0;
  while (true) {
    size_t end = cmds.find(';', pos);
    std::string_view pair =
        std::string_view(cmds).substr(pos, end == std::string::npos ? end : end - pos);
    ++index;
    size_t space = pair.find(' ');
    if (space == std::string_view::npos || space == 0) {
      return fmt::format("batch: command {} ('{}') must be 'NAME ARG=VALUE,...'", index,
                         Shown(pair));
    }
    std::string op(pair.substr(0, space));
    if (op == "batch") return "batch: a batch cannot contain another batch";
    WireArgs args;
    std::string_view rest = pair.substr(space + 1);
    size_t apos = 0;
    while (apos <= rest.size()) {
      size_t comma = rest.find(',', apos);
      if (comma == std::string_view::npos) comma = rest.size();
      std::string_view a = rest.substr(apos, comma - apos);
      if (!a.empty()) {
        size_t eq = a.find('=');
        if (eq == std::string_view::npos || a.find('=', eq + 1) != std::string_view::npos) {
          return fmt::format("batch: argument '{}' of {} must be NAME=VALUE", Shown(a), op);
        }
        args.emplace_back(UnescapeBatchArg(a.substr(0, eq)), UnescapeBatchArg(a.substr(eq + 1)));
      }
      apos = comma + 1;
    }
    if (auto problem = WireArgsProblem(op, args)) return "batch: " + *problem;
    if (end == std::string::npos) return std::nullopt;
    pos = end + 1;
  }
}

}  // namespace

WireCall ParseWireCall(const WireRequest& request) {
  WireCall call;
  for (auto& [k, v] : ParseQueryString(request.query)) {
    if (k == "cmd") {
      if (call.cmd.empty()) call.cmd = v;
    } else {
      call.args.emplace_back(std::move(k), std::move(v));
    }
  }
  if (call.cmd.empty()) return call;
  const auto& headers = *request.headers;
  auto header = [&](const std::string& name) -> const std::string* {
    for (const auto& [k, v] : headers) {
      if (strcasecmp(k.c_str(), name.c_str()) == 0) return &v;
    }
    return nullptr;
  };
  if (const std::string* post = header("X-HgArgs-Post")) {
    size_t n = 0;
    auto [end, ec] = std::from_chars(post->data(), post->data() + post->size(), n);
    if (post->empty() || ec != std::errc() || end != post->data() + post->size()) {
      call.problem = "X-HgArgs-Post must be the byte count of the arguments in the body";
      return call;
    }
    if (n > request.body.size()) {
      call.problem = fmt::format("X-HgArgs-Post says {} bytes of arguments, the body has {}", n,
                                 request.body.size());
      return call;
    }
    for (auto& kv : ParseQueryString(request.body.substr(0, n))) call.args.push_back(std::move(kv));
    return call;
  }
  std::string joined;
  for (int i = 1; i <= 1000; ++i) {
    const std::string* part = header(fmt::format("X-HgArg-{}", i));
    if (!part) break;
    joined += *part;
  }
  for (auto& kv : ParseQueryString(joined)) call.args.push_back(std::move(kv));
  return call;
}

std::optional<std::string> WireArgsProblem(const std::string& cmd, const WireArgs& args) {
  // The arguments hg's command table requires (wireprotov1server).
  static const std::map<std::string, std::vector<std::string>> kRequired = {
      {"batch", {"cmds"}},       {"between", {"pairs"}},     {"branches", {"nodes"}},
      {"changegroup", {"roots"}}, {"changegroupsubset", {"bases", "heads"}},
      {"known", {"nodes"}},      {"listkeys", {"namespace"}}, {"lookup", {"key"}},
      {"protocaps", {"caps"}},
  };
  if (auto it = kRequired.find(cmd); it != kRequired.end()) {
    for (const auto& name : it->second) {
      if (!Find(args, name)) return fmt::format("{}: missing argument '{}'", cmd, name);
    }
  }
  auto nodes = [&](const char* name, char sep = ' ') -> std::optional<std::string> {
    const std::string* v = Find(args, name);
    return v ? NodeListProblem(cmd, name, *v, sep) : std::nullopt;
  };
  if (cmd == "getbundle") {
    if (auto p = nodes("heads")) return p;
    return nodes("common");
  }
  if (cmd == "known" || cmd == "branches") return nodes("nodes");
  if (cmd == "changegroup") return nodes("roots");
  if (cmd == "changegroupsubset") {
    if (auto p = nodes("bases")) return p;
    return nodes("heads");
  }
  if (cmd == "between") {
    // "n1-n2 n3-n4": pairs separated by spaces, each two nodes joined by '-'.
    const std::string& pairs = *Find(args, "pairs");
    if (pairs.empty()) return std::nullopt;
    size_t pos = 0;
    while (true) {
      size_t end = pairs.find(' ', pos);
      std::string pair = pairs.substr(pos, end == std::string::npos ? end : end - pos);
      if (pair.size() != 81 || pair[40] != '-') {
        return fmt::format("between: argument 'pairs' must be NODE-NODE pairs separated by "
                           "spaces, not '{}'",
                           Shown(pair));
      }
      if (auto p = NodeListProblem(cmd, "pairs", pair, '-')) return p;
      if (end == std::string::npos) return std::nullopt;
      pos = end + 1;
    }
  }
  if (cmd == "batch") return BatchProblem(*Find(args, "cmds"));
  return std::nullopt;
}

std::optional<std::string> WireRequestProblem(const WireRequest& request) {
  WireCall call = ParseWireCall(request);
  if (call.problem) return call.problem;
  if (call.cmd.empty()) return std::nullopt;
  return WireArgsProblem(call.cmd, call.args);
}

}  // namespace hgc
