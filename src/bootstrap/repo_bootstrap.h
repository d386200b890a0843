// One mirror's repositories during `bootstrap hgweb` (bootstrap/hgweb.h):
// the events the document's range holds for each, sorted around its
// bootstrap sync, and what is done with them.
// Thread-safety: RepoBootstrap's methods may be called from any thread; a
// RepoWork belongs to one call of Run.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "consumer/applier.h"
#include "consumer/consumer_config.h"
#include "hg/hg_runner.h"
#include "message/message.h"

namespace hgc {

struct BootstrapEvent {
  Message message;
  int partition = 0;
  int64_t offset = 0;
};

// Everything the range holds for one repository.
struct RepoWork {
  std::string wire;
  bool listed = false;                      // named by the hgssh document
  std::optional<BootstrapEvent> sync;       // its bootstrap sync
  std::vector<BootstrapEvent> before_sync;  // events before the sync
  std::vector<BootstrapEvent> after_sync;   // "extra" messages (all events when unlisted)
};

// Bootstraps repositories of one mirror from their events, one call of Run
// per repository; Run may be called from several threads at once.
class RepoBootstrap {
 public:
  RepoBootstrap(const ConsumerConfig& config, HgRunner& hg);

  // Records a problem of `wire` for the audit file; `failure`: the mirror's
  // offsets must not be committed.
  void Audit(const std::string& wire, const std::string& problem, bool failure);

  // A listed repository: cloned (stream clone of the leader, else init +
  // pull), its bootstrap sync applied as an ordinary sync, the pushlog rows
  // of pushes before the sync, then the events after it. An unlisted one
  // (created during the hgssh step): its events through the Applier.
  void Run(RepoWork& w);

  std::map<std::string, std::vector<std::string>> audit();
  int failures();

 private:
  bool Clone(RepoWork& w);
  void StreamCloneIfMissing(const std::string& local, const std::optional<std::string>& url);
  void ApplyPushlogBeforeSync(const RepoWork& w, const std::string& local,
                              const std::optional<std::string>& url);

  const ConsumerConfig& config_;
  HgRunner& hg_;
  Applier applier_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> audit_;
  int failures_ = 0;
};

}  // namespace hgc
