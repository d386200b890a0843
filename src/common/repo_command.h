// The seam for native per-repository web commands: `/<repo>/<command>[/<arg>]`
// answered in C++ (json-pushes, pushlog, ...) without proxying to hg. The web
// front looks a command up here first; unknown commands go to the hg workers.
// HTTP-agnostic, so the folders that answer commands (pushlog/) need not
// know the web front (web/).
// Thread-safety: register everything before the server starts; after that
// Find() is read-only and safe from any thread, and handlers are called
// concurrently from the server's threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hgc {

struct RepoRequest {
  std::string repo_name;  // "integration/autoland"
  std::string repo_root;  // absolute directory containing .hg
  std::string command;    // "json-pushes"
  std::string path_arg;   // "2" for /repo/json-pushes/2, "" when absent
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order, repeats kept
  std::string base_url;  // "http://host:port/" as the client addressed us
};

struct RepoResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// May throw; the front turns an exception into a 500 with a JSON error body.
using RepoCommandHandler = std::function<void(const RepoRequest&, RepoResponse&)>;

class RepoCommands {
 public:
  // Registering a command twice replaces the first handler.
  void Register(std::string command, RepoCommandHandler handler);
  // nullptr when no native handler exists (the request goes to hg).
  const RepoCommandHandler* Find(std::string_view command) const;
  size_t size() const { return handlers_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, RepoCommandHandler, Hash, std::equal_to<>> handlers_;
};

}  // namespace hgc
