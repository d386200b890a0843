#include "bootstrap/repo_bootstrap.h"

#include <fmt/format.h>

#include <filesystem>

#include "bootstrap/bootstrap_log.h"
#include "common/error.h"
#include "hg/revlog_index.h"
#include "pushlog/pushlog_db.h"
#include "routing/rewrites.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

}  // namespace

RepoBootstrap::RepoBootstrap(const ConsumerConfig& config, HgRunner& hg)
    : config_(config), hg_(hg), applier_(config, hg, "vcsreplicator.consumer") {}

void RepoBootstrap::Audit(const std::string& wire, const std::string& problem, bool failure) {
  std::lock_guard lock(mu_);
  audit_[wire].push_back(problem);
  if (failure) ++failures_;
}

void RepoBootstrap::Run(RepoWork& w) {
  if (w.listed) {
    if (!Clone(w)) {
      if (!w.after_sync.empty()) {
        // The reference ran them anyway, on a repository that may not exist.
        LogHgweb(fmt::format("not processing {} extra messages for {}: its clone failed",
                             w.after_sync.size(), w.wire));
      }
      return;
    }
    if (w.after_sync.empty()) return;
    LogHgweb("scheduling extra processing for " + w.wire);
  } else {
    LogHgweb(fmt::format("applying {} messages for {} (created during the hgssh step)",
                         w.after_sync.size(), w.wire));
  }
  try {
    for (const auto& e : w.after_sync) applier_.Apply(e.message, e.partition, e.offset);
    LogHgweb(fmt::format("extra processing for {} completed successfully", w.wire));
  } catch (const std::exception& e) {
    LogHgweb(fmt::format("error processing extra messages for {}: {}", w.wire, e.what()));
    Audit(w.wire, fmt::format("error processing extra messages for {}: {}", w.wire, e.what()),
          true);
  }
}

std::map<std::string, std::vector<std::string>> RepoBootstrap::audit() {
  std::lock_guard lock(mu_);
  return audit_;
}

int RepoBootstrap::failures() {
  std::lock_guard lock(mu_);
  return failures_;
}

bool RepoBootstrap::Clone(RepoWork& w) {
  try {
    LogHgweb("syncing repo: " + w.wire);
    std::string local = applier_.LocalPath(w.wire);
    auto url = WirePathToPullUrl(config_.pull_url_rewrites, w.wire);
    StreamCloneIfMissing(local, url);
    // The bootstrap sync applied as an ordinary one: hgrc, the leader's
    // heads, its whole pushlog, the clone bundles manifest, the marker.
    Message sync = w.sync->message;
    sync.bootstrap = false;
    sync.body["bootstrap"] = false;
    applier_.Apply(sync, w.sync->partition, w.sync->offset);
    ApplyPushlogBeforeSync(w, local, url);
    LogHgweb("exiting sync for: " + w.wire);
    LogHgweb(w.wire + " successfully cloned");
    return true;
  } catch (const std::exception& e) {
    std::string problem =
        fmt::format("error triggering replication of Mercurial repo {}: {}", w.wire, e.what());
    LogHgweb(problem);
    Audit(w.wire, problem, true);
    return false;
  }
}

void RepoBootstrap::StreamCloneIfMissing(const std::string& local,
                                         const std::optional<std::string>& url) {
  if (fs::exists(local + "/.hg")) return;
  LogHgweb("repository does not exist: " + local);
  if (!url) return;  // the sync's init + pull of "default" follows
  bool existed = fs::exists(local);
  std::error_code ec;
  fs::create_directories(fs::path(local).parent_path(), ec);
  LogHgweb(fmt::format("performing stream clone of {} to {}", *url, local));
  ProcessResult r = hg_.Run("", {"clone", "--stream", "--noupdate", "--", *url, local});
  if (r.ok()) {
    LogHgweb(fmt::format("{} cloned to {} successfully", *url, local));
    return;
  }
  LogHgweb(fmt::format("stream clone of {} failed - using pull instead", *url));
  // A directory holding nested repositories is not empty, so hg refuses
  // to clone into it; init + pull works there.
  if (!existed) {
    fs::remove_all(local, ec);
  } else if (fs::exists(local + "/.hg")) {
    fs::remove_all(local + "/.hg", ec);
  }
}

// A push that commits while its repository's sync is being built can have
// its changegroup event land before the sync but its pushlog row miss the
// sync's copy. The reference ignored events before the sync and lost that
// push from the mirror's pushlog; their rows (and changesets, should the
// fallback pull have missed them) are applied here. Idempotent.
void RepoBootstrap::ApplyPushlogBeforeSync(const RepoWork& w, const std::string& local,
                                           const std::optional<std::string>& url) {
  size_t applied = 0;
  for (const auto& e : w.before_sync) {
    const Message& m = e.message;
    if (m.type != MessageType::kChangegroup || !m.pushes) continue;
    std::vector<std::string> missing;
    {
      ChangelogIndex index = ChangelogIndex::Load(local);
      for (const auto& h : m.heads) {
        if (!index.RevOf(h)) missing.push_back(h);
      }
    }
    if (!missing.empty()) {
      std::vector<std::string> args{"pull"};
      for (const auto& h : missing) args.push_back("-r" + h);
      args.push_back("--config=firefoxtree.replication=true");
      args.push_back("--");
      args.push_back(url.value_or("default"));
      ProcessResult r = hg_.Run(local, args);
      if (!r.ok()) {
        throw Error(ErrorKind::kHgFailed,
                    fmt::format("pull of {} heads pushed before the bootstrap sync failed ({}): "
                                "{}",
                                missing.size(), r.exit_code, r.err));
      }
    }
    PushlogDb::OpenForWrite(local)->ApplyReplicated(*m.pushes, ChangelogIndex::Load(local));
    ++applied;
  }
  if (applied) {
    LogHgweb(
        fmt::format("applied the pushlog rows of {} changegroups recorded before the bootstrap "
                    "sync of {}",
                    applied, w.wire));
  }
}

}  // namespace hgc
