// The pushlog web query (spec/hosting.md §1.8): parameters of json-pushes,
// the Atom feed and pushloghtml parsed into a PushQuery, and its execution
// against a repository's pushlog and changelog into the (push, changeset)
// entries every view renders. Differences from the reference, on purpose:
// bad startID/endID/dates are a 400 with a message (not a 500 or "now"),
// `tochange` naming a changeset that was never pushed is a 404 with a
// message, `tipsonly=1` on empty pushes skips them, and pushlog nodes the
// repository does not have are skipped instead of failing the request.
// Thread-safety: pure functions over their arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pushlog/pushlog_db.h"
#include "pushlog/served_repo.h"

namespace hgc {

// An error answered as the JSON error template with this HTTP status.
// The message keeps every byte (what() would stop at a NUL a client sent);
// values a client sent are quoted through ShownParam().
class QueryError : public std::runtime_error {
 public:
  QueryError(int status, const std::string& message)
      : std::runtime_error(message), status_(status), message_(message) {}
  int status() const { return status_; }
  const std::string& message() const { return message_; }

 private:
  int status_;
  std::string message_;
};

// A parameter value as an error message quotes it: bytes that are not
// UTF-8 become U+FFFD (a client's %ff%fe is not echoed as lone surrogates),
// at most 200 characters.
std::string ShownParam(const std::string& value);

struct PushQuery {
  enum class Bound { kNone, kDate, kChangeset, kPushId };
  Bound start = Bound::kNone;
  Bound end = Bound::kNone;
  double start_date = 0, end_date = 0;
  std::string start_change, end_change;
  int64_t start_id = 0, end_id = 0;
  std::string start_raw, end_raw;  // as given, for pushloghtml's description
  std::vector<std::string> users;
  std::vector<std::string> changesets;
  std::optional<std::string> branch;
  bool tipsonly = false;
  bool full = false;
  int version = 1;
  int page = 1;
  // Count every push (pushloghtml's page links): a full scan, so only when
  // the view needs it.
  bool count_total = false;

  // No start bound, user or changeset: the newest 10 pushes of `page`.
  bool count_mode() const { return start == Bound::kNone && users.empty() && changesets.empty(); }
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Throws QueryError: 500 for the reference's version errors, 400 for bad
// ids and dates.
PushQuery ParsePushQuery(const QueryParams& params, const std::string& path_arg, double now);

struct PushEntry {
  int64_t push_id = 0;
  std::string user;
  int64_t date = 0;
  std::vector<int> revs;  // the push's changesets shown, highest rev first
};

struct PushQueryResult {
  std::vector<PushEntry> pushes;  // newest push first; none without changesets
  int64_t last_push_id = 0;       // last replicated push id
  int64_t total_pushes = 0;       // all pushes (pagination of pushloghtml)
};

constexpr int kPushesPerPage = 10;

// Runs `query` on `db` (nullptr = no pushlog database) for `repo`. Throws
// QueryError(404) for unknown symbols and branches.
PushQueryResult RunPushQuery(const PushQuery& query, PushlogDb* db, const ServedRepo& repo);

// min(replicated last_push_id, local last id), or the local last id when the
// repository has no .hg/replicated-data (spec §1.6).
int64_t LastReplicatedPushId(PushlogDb* db, const ServedRepo& repo);

}  // namespace hgc
