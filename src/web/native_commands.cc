// The native commands `hgcluster web` serves. Pushlog endpoints (json-pushes,
// pushlog, atom-pushlog, pushloghtml) are to be registered here; until then
// the only one is a small JSON description of the repository, which also
// gives operators (and the benchmark) an endpoint that never touches Python.
#include <nlohmann/json.hpp>

#include "web/repo_command.h"

namespace hgc {

void RegisterNativeRepoCommands(RepoCommands& commands) {
  commands.Register("hgcluster-repo", [](const RepoRequest& req, RepoResponse& res) {
    res.content_type = "application/json";
    res.body =
        nlohmann::json{{"name", req.repo_name}, {"url", req.base_url + req.repo_name}}.dump() +
        "\n";
  });
}

}  // namespace hgc
