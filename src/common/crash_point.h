// Fault injection for real-process tests: HGCLUSTER_CRASH_AT=<point>:<flag>
// makes the consumer kill itself with SIGKILL at <point> if the file <flag>
// exists (the file is removed first, so the restarted consumer goes on).
// Points: before-pull, during-pull (hg is killed inside its transaction,
// together with the consumer), after-pull, after-apply (applied and marked,
// offset not yet committed), aggregator-after-append (copied, ack offset not
// yet committed). Unset in production: one getenv per check.
#pragma once

#include <optional>
#include <string>

namespace hgc {

// Crashes here if armed for `point`.
void CrashPoint(const std::string& point);

// For during-pull: an hg --config hook that kills hg and this process, or
// nullopt if not armed.
std::optional<std::string> CrashDuringPullHook();

}  // namespace hgc
