// The native commands `hgcluster web` serves: the pushlog endpoints
// (json-pushes, pushlog, atom-pushlog, pushloghtml), hg.mozilla.org's web API
// (json-automationrelevance, json-pushchangedfiles, json-isancestor,
// json-repoinfo) and a small JSON description of the repository, none of
// which touches Python.
#include "web/native_commands.h"

#include <nlohmann/json.hpp>

#include "pushlog/hgmo_commands.h"
#include "pushlog/pushlog_commands.h"

namespace hgc {

void RegisterNativeRepoCommands(RepoCommands& commands) {
  RegisterPushlogCommands(commands);
  RegisterHgmoCommands(commands);
  commands.Register("hgcluster-repo", [](const RepoRequest& req, RepoResponse& res) {
    res.content_type = "application/json";
    res.body =
        nlohmann::json{{"name", req.repo_name}, {"url", req.base_url + req.repo_name}}.dump() +
        "\n";
  });
}

}  // namespace hgc
