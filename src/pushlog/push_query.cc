#include "pushlog/push_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "message/utf8.h"
#include "pushlog/date_param.h"

namespace hgc {

std::string ShownParam(const std::string& value) {
  std::u32string points = DecodeUtf8(value);
  std::string out;
  size_t n = 0;
  for (char32_t cp : points) {
    if (n++ == 200) {
      out += "...";
      break;
    }
    AppendUtf8(cp, out);
  }
  return out;
}

namespace {

// hgweb's qsparams.get: the last value of a repeated parameter.
std::optional<std::string> Get(const QueryParams& params, const std::string& key) {
  std::optional<std::string> value;
  for (const auto& [k, v] : params) {
    if (k == key) value = v;
  }
  return value;
}

std::vector<std::string> GetAll(const QueryParams& params, const std::string& key) {
  std::vector<std::string> values;
  for (const auto& [k, v] : params) {
    if (k == key) values.push_back(v);
  }
  return values;
}

// Python's int() of a str: surrounding whitespace, an optional sign, digits.
std::optional<int64_t> PyInt(const std::string& text) {
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string s = text.substr(b, e - b);
  size_t digits = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (s.size() <= digits || s.size() > 18) return std::nullopt;
  for (size_t i = digits; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  return std::stoll(s);
}

double ParseDateOrThrow(const std::string& param, const std::string& value, double now) {
  DateParse d = ParseDateParam(value, now);
  if (!d.when) throw QueryError(400, param + ": " + ShownParam(d.error));
  return *d.when;
}

int64_t ParseIdOrThrow(const std::string& param, const std::string& value) {
  auto id = PyInt(value);
  if (!id) {
    throw QueryError(400, fmt::format("{} must be an integer push id (got '{}')", param,
                                      ShownParam(value)));
  }
  return *id;
}

// One bound parameter of the assembled query (std::variant trips GCC 12's
// -Wmaybe-uninitialized).
struct SqlArg {
  SqlArg(int64_t v) : kind(kInt), i(v) {}
  SqlArg(double v) : kind(kDouble), d(v) {}
  SqlArg(std::string v) : kind(kText), s(std::move(v)) {}
  enum { kInt, kDouble, kText } kind;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

void BindAll(SqliteStatement& st, const std::vector<SqlArg>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    int n = static_cast<int>(i + 1);
    switch (args[i].kind) {
      case SqlArg::kInt:
        st.Bind(n, args[i].i);
        break;
      case SqlArg::kDouble:
        st.Bind(n, args[i].d);
        break;
      case SqlArg::kText:
        st.Bind(n, std::string_view(args[i].s));
        break;
    }
  }
}

int ResolveOrThrow(const ServedRepo& repo, const std::string& symbol) {
  auto rev = repo.LookupSymbol(symbol);
  if (!rev) throw QueryError(404, fmt::format("unknown revision '{}'", ShownParam(symbol)));
  return *rev;
}

std::optional<int64_t> PushIdOfRev(PushlogDb* db, const ServedRepo& repo, int rev) {
  if (!db || rev < 0) return std::nullopt;
  return db->PushIdOfNode(repo.index().NodeHex(rev));
}

}  // namespace

PushQuery ParsePushQuery(const QueryParams& params, const std::string& path_arg, double now) {
  PushQuery q;
  if (auto page = PyInt(path_arg))
    q.page = static_cast<int>(std::clamp<int64_t>(*page, 1, 1 << 30));
  q.tipsonly = Get(params, "tipsonly") == "1";
  q.full = Get(params, "full").has_value();
  if (auto v = Get(params, "version")) {
    auto version = PyInt(*v);
    if (!version) throw QueryError(500, "version parameter must be an integer");
    if (*version < 1 || *version > 2) throw QueryError(500, "version parameter must be 1 or 2");
    q.version = static_cast<int>(*version);
  }
  if (auto v = Get(params, "startdate")) {
    q.start = PushQuery::Bound::kDate;
    q.start_raw = *v;
    q.start_date = ParseDateOrThrow("startdate", *v, now);
  } else if (auto v = Get(params, "fromchange")) {
    q.start = PushQuery::Bound::kChangeset;
    q.start_raw = q.start_change = *v;
  } else if (auto v = Get(params, "startID")) {
    q.start = PushQuery::Bound::kPushId;
    q.start_raw = *v;
    q.start_id = ParseIdOrThrow("startID", *v);
  }
  if (auto v = Get(params, "enddate")) {
    q.end = PushQuery::Bound::kDate;
    q.end_raw = *v;
    q.end_date = ParseDateOrThrow("enddate", *v, now);
  } else if (auto v = Get(params, "tochange")) {
    q.end = PushQuery::Bound::kChangeset;
    q.end_raw = q.end_change = *v;
  } else if (auto v = Get(params, "endID")) {
    q.end = PushQuery::Bound::kPushId;
    q.end_raw = *v;
    q.end_id = ParseIdOrThrow("endID", *v);
  }
  q.users = GetAll(params, "user");
  q.changesets = GetAll(params, "changeset");
  q.branch = Get(params, "branch");
  return q;
}

int64_t LastReplicatedPushId(PushlogDb* db, const ServedRepo& repo) {
  int64_t local = db ? db->LastPushId() : 0;
  if (repo.has_replicated_data() && repo.replicated_last_push_id()) {
    return std::min(local, *repo.replicated_last_push_id());
  }
  return local;
}

PushQueryResult RunPushQuery(const PushQuery& q, PushlogDb* db, const ServedRepo& repo) {
  if (q.branch && !repo.HasBranch(*q.branch)) {
    throw QueryError(404, fmt::format("unknown revision '{}'", ShownParam(*q.branch)));
  }
  PushQueryResult result;
  result.last_push_id = LastReplicatedPushId(db, repo);
  if (!db) return result;

  std::string where = "p.id <= ?";
  std::vector<SqlArg> args{result.last_push_id};
  if (q.count_mode()) {
    where = "p.id IN (SELECT id FROM pushlog WHERE id <= ? ORDER BY id DESC LIMIT ? OFFSET ?)";
    args.push_back(int64_t{kPushesPerPage});
    args.push_back(int64_t{(q.page - 1) * kPushesPerPage});
    if (q.count_total) {
      SqliteStatement count(db->db().raw(), "SELECT COUNT(*) FROM pushlog", db->db().path());
      count.Step();
      result.total_pushes = count.ColumnInt(0);
    }
  } else {
    switch (q.start) {
      case PushQuery::Bound::kDate:
        where += " AND p.date > ?";
        args.push_back(q.start_date);
        break;
      case PushQuery::Bound::kPushId:
        where += " AND p.id > ?";
        args.push_back(q.start_id);
        break;
      case PushQuery::Bound::kChangeset: {
        int rev = ResolveOrThrow(repo, q.start_change);
        where += " AND p.id > ?";
        args.push_back(PushIdOfRev(db, repo, rev).value_or(0));
        break;
      }
      case PushQuery::Bound::kNone:
        break;
    }
    switch (q.end) {
      case PushQuery::Bound::kDate:
        where += " AND p.date < ?";
        args.push_back(q.end_date);
        break;
      case PushQuery::Bound::kPushId:
        where += " AND p.id <= ?";
        args.push_back(q.end_id);
        break;
      case PushQuery::Bound::kChangeset: {
        int rev = ResolveOrThrow(repo, q.end_change);
        auto id = PushIdOfRev(db, repo, rev);
        if (!id) {
          throw QueryError(404, fmt::format("changeset '{}' is not in the pushlog",
                                            ShownParam(q.end_change)));
        }
        where += " AND p.id <= ?";
        args.push_back(*id);
        break;
      }
      case PushQuery::Bound::kNone:
        break;
    }
    if (!q.users.empty()) {
      where += " AND p.user IN (";
      for (size_t i = 0; i < q.users.size(); ++i) {
        where += i ? ", ?" : "?";
        args.push_back(q.users[i]);
      }
      where += ")";
    }
    if (!q.changesets.empty()) {
      std::set<int64_t> ids;
      for (const auto& c : q.changesets) {
        if (auto id = PushIdOfRev(db, repo, ResolveOrThrow(repo, c))) ids.insert(*id);
      }
      where += " AND p.id IN (";
      bool first = true;
      for (int64_t id : ids) {
        where += first ? "?" : ", ?";
        first = false;
        args.push_back(id);
      }
      if (ids.empty()) where += "NULL";
      where += ")";
    }
  }

  PushlogDb::Lease lease = db->Cached(
      "SELECT p.id, p.user, p.date, c.node FROM pushlog p JOIN changesets c ON c.pushid = p.id "
      "WHERE " +
      where + " ORDER BY p.id DESC, c.rev DESC");
  SqliteStatement& st = *lease;
  BindAll(st, args);
  const ChangelogIndex& index = repo.index();
  while (st.Step()) {
    int64_t id = st.ColumnInt(0);
    if (result.pushes.empty() || result.pushes.back().push_id != id) {
      result.pushes.push_back(PushEntry{id, st.ColumnText(1), st.ColumnInt(2), {}});
    }
    PushEntry& push = result.pushes.back();
    if (q.tipsonly && !push.revs.empty()) continue;
    // A node the repository does not have (even hidden) is skipped.
    if (auto rev = index.RevOf(st.ColumnText(3))) push.revs.push_back(*rev);
  }
  if (q.branch) {
    for (auto& push : result.pushes) {
      std::erase_if(push.revs,
                    [&](int rev) { return repo.ChangesetAt(rev)->branch() != *q.branch; });
    }
  }
  std::erase_if(result.pushes, [](const PushEntry& p) { return p.revs.empty(); });
  return result;
}

}  // namespace hgc
