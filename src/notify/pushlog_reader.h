// Push entries for the heads of a changegroup, read straight from the
// repository's pushlog database (`.hg/pushlog2.db`, spec/hosting.md §1.1)
// instead of running `hg log` with the pushlog templates. Opened read-only:
// a repository without pushlog never gets the file created.
// Thread-safety: each call opens its own connection.
#pragma once

#include <string>
#include <vector>

#include "notify/ordered_json.h"

namespace hgc {

// The `pushlog_pushes` list of a changegroup.1 notification: one entry per
// push containing one of `heads`, sorted by push id, without duplicates.
// Heads without a push (or no database at all) are dropped with the
// reference's `pushlog data missing!` log line. Throws Error(kIo) when the
// database exists but cannot be read.
OrderedJson PushlogPushesForHeads(const std::string& repo_path, const std::string& repo_url,
                                  const std::vector<std::string>& heads, const std::string& logger);

// The push entry of the push containing `node`, or null when the node is in
// no push (or there is no pushlog).
OrderedJson PushOfNode(const std::string& repo_path, const std::string& repo_url,
                       const std::string& node);

// One push entry: {pushid, user, time, push_json_url, push_full_json_url}.
OrderedJson PushEntry(const std::string& repo_url, int64_t push_id, const std::string& user,
                      int64_t time);

}  // namespace hgc
