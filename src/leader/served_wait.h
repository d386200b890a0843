// Read-your-writes: a push that returns only once every mirror serves it.
//
// A mirror serves a push once its heads consumer has applied the push's
// `hg-heads-1` event from `replicatedpushdatapending` (it writes
// .hg/replicated-data, which the replicatedserved view reads); the first
// aggregator stage copies the event there only after every mirror's consumer
// applied the push. So the wait is: find the copy of our heads event (its
// `_aggregated_from` names pushdata, our partition and offset) in the pending
// topic, then wait until each mirror's group has committed past it on that
// topic. The groups are those of the aggregators' groups file.
//
// Configured in the leader hgrc (and per repository in .hg/hgrc):
//   [readyourwrites]
//   enabled = false      wait after every push to this repository
//   timeout = 30         seconds; then the push returns with a warning
//   groupsfile = PATH    the mirrors' consumer groups (leader hgrc only)
// and per push with `hg push --pushvars READYOURWRITES=1` (or =0), which
// needs `[push] pushvars.server = true` on the leader (`up` sets it).
// Thread-safety: a ServedWait belongs to one thread; it only reads the Log.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/ini.h"
#include "log/log.h"

namespace hgc {

struct ServedWaitConfig {
  std::vector<std::string> groups;
  std::chrono::milliseconds timeout{30000};
};

// Whether this push waits, and for whom: nullopt when read-your-writes is
// off for it. `leader` is the leader hgrc, `repo` the repository's own
// .hg/hgrc (may be null), `pushvar` the push's READYOURWRITES value ("" when
// not given). Throws Error(kConfig) with what to fix when it is on but the
// groups file is not set or unreadable, or a value is not understood.
std::optional<ServedWaitConfig> ServedWaitFor(const IniFile& leader, const IniFile* repo,
                                              const std::string& pushvar);

struct ServedResult {
  std::vector<std::string> serving;  // groups whose mirror serves the push
  // Late groups, each with why: "not applied yet" or "not serving yet".
  std::vector<std::pair<std::string, std::string>> late;
  std::chrono::milliseconds elapsed{0};
};

class ServedWait {
 public:
  // Call before the push's events are appended: remembers where the pending
  // topic ends, so the copy of the push's heads event is found after it.
  ServedWait(Log& log, ServedWaitConfig config);

  // Waits until every group serves the heads event appended at
  // `heads_offset` of `topic` (pushdata) partition `partition`, or the
  // timeout passes.
  ServedResult Wait(const std::string& topic, int partition, int64_t heads_offset);
  std::chrono::milliseconds timeout() const { return config_.timeout; }

 private:
  Log& log_;
  ServedWaitConfig config_;
  int64_t pending_start_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// The lines the pusher sees: "served by 2/2 mirrors in 41 ms", or a warning
// naming the late mirrors.
std::vector<std::string> DescribeServed(const ServedResult& result, size_t total,
                                        std::chrono::milliseconds timeout);

}  // namespace hgc
