// Applies one replication message to a mirror's repositories
// (spec/replication.md §3.4): init, hgrc, pull of the given heads, pushkey,
// sync, delete, verify (compare the repo with the leader's digest, record
// the verdict in verify-<group>.json, re-clone it when it differs). Every action is idempotent —
// re-applying an event already on disk changes nothing — and an applied-offset marker in each repo
// (.hg/hgcluster-applied) lets a restarted consumer skip work it finished
// before it was killed.
// Thread-safety: Apply() may run concurrently for different repositories,
// never for the same one.
#pragma once

#include <cstdint>
#include <string>

#include "consumer/consumer_config.h"
#include "consumer/verify_state.h"
#include "hg/hg_runner.h"
#include "message/message.h"

namespace hgc {

class Applier {
 public:
  Applier(const ConsumerConfig& config, HgRunner& hg,
          std::string logger = "vcsreplicator.consumer");

  // Applies `message` read at (partition, offset). Throws Error on failure
  // (kHgFailed carries hg's exit code, stdout and stderr in the message).
  void Apply(const Message& message, int partition, int64_t offset);

  // Where the repository of a message's `path` lives here; throws
  // Error(kRefused) when it would be outside the repos root
  // (routing/confined_path.h).
  std::string LocalPath(const std::string& wire_path) const;

  // Replaces the mirror's copy of `message`'s repository with a fresh clone
  // from the leader, keeping what the mirror replicated (hgrc, pushlog,
  // replicated heads, applied marker). For a repository parked on an event
  // that keeps failing (a damaged store, a missing repository); the event is
  // then retried. Throws Error when the leader cannot be cloned from.
  void Repair(const Message& message);

 private:
  void Log(const std::string& line) const;
  ProcessResult RunLogged(const std::string& repo, const std::vector<std::string>& args);
  void RefreshTagsCache(const std::string& local);
  void RunChecked(const std::string& repo, const std::vector<std::string>& args);
  void EnsureRepo(const std::string& local);
  void Pull(const std::string& local, const Message& m);
  // Applies a changegroup event's bundle; false (logged) when the event has
  // none or it did not bring every head, and the caller pulls.
  bool ApplyBundle(const std::string& local, const Message& m);
  void WriteHgrc(const std::string& local, const std::optional<std::string>& content);
  // The leader's .hg/clonebundles.manifest from a sync (nullopt: delete ours).
  void WriteCloneBundlesManifest(const std::string& local,
                                 const std::optional<std::string>& content);
  void ApplyOnce(const Message& m);
  // A refused pushkey whose target state the mirror can still reach; true
  // when the mirror now holds the event's value.
  bool ConvergePushkey(const std::string& local, const Message& m);
  void Delete(const Message& m);
  void Verify(const Message& m, int partition, int64_t offset);
  // This mirror's digest of `local`, with its pushlog's last push id.
  nlohmann::json LocalDigest(const std::string& local) const;
  void ApplyPushes(const std::string& local, const Message& m);
  void StripLocal(const std::string& local, const Message& m);
  void Reclone(const std::string& local, const Message& m);
  std::string CloneFresh(const std::string& local, const Message& m, const char* why);
  static void SwapIn(const std::string& fresh, const std::string& local);
  bool AlreadyApplied(const std::string& local, int partition, int64_t offset) const;
  void MarkApplied(const std::string& local, int partition, int64_t offset) const;

  const ConsumerConfig& config_;
  HgRunner& hg_;
  std::string logger_;
  VerifyRecorder verify_;
};

}  // namespace hgc
