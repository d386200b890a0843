#include "pushlog/verify_pushlog.h"

#include <filesystem>
#include <iostream>
#include <set>

#include "common/error.h"
#include "hg/repo_visibility.h"
#include "hg/revlog_index.h"
#include "pushlog/pushlog_db.h"

namespace hgc {

int VerifyPushlog(const std::string& repo_root, std::ostream& out, std::ostream& err) {
  ChangelogIndex index = ChangelogIndex::Load(repo_root);
  RepoVisibility visibility = RepoVisibility::Load(repo_root, index);
  auto db = PushlogDb::OpenForWrite(repo_root);  // as the reference: creates it if missing
  bool errors = false;
  std::set<std::string> pushed;
  auto pushes = db->PushesFrom(0);
  for (const auto& push : pushes) {
    if (push.nodes.empty()) err << "pushlog entry has no nodes: #" << push.id << "\n";
    for (const auto& node : push.nodes) {
      pushed.insert(node);
      auto rev = index.RevOf(node);
      if (!rev || visibility.IsHidden(*rev)) {
        err << "changeset in pushlog entry #" << push.id << " does not exist: " << node << "\n";
        errors = true;
      }
    }
  }
  int visible = 0;
  for (int r = 0; r <= index.tip_rev(); ++r) {
    if (visibility.IsHidden(r)) continue;
    ++visible;
    std::string node = index.NodeHex(r);
    if (!pushed.count(node)) {
      err << "changeset does not exist in pushlog: " << node << "\n";
      errors = true;
    }
  }
  if (errors) {
    out << "pushlog has errors\n";
    return 1;
  }
  out << "pushlog contains all " << visible << " changesets across " << pushes.size()
      << " pushes\n";
  return 0;
}

void RegisterVerifyPushlogCommand(CLI::App& app) {
  auto repo = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "verifypushlog", "check that the pushlog records exactly the repository's changesets");
  cmd->add_option("--repo,-R", *repo, "repository root (default: the current directory)");
  cmd->callback([repo] {
    std::string root = repo->empty() ? std::filesystem::current_path().string() : *repo;
    int status;
    try {
      status = VerifyPushlog(root, std::cout, std::cerr);
    } catch (const Error& e) {
      std::cerr << "abort: " << e.what() << std::endl;
      status = 255;
    }
    throw CLI::RuntimeError(status);
  });
}

}  // namespace hgc
