// Pushlog lookups for notifications. Thread-safety: see pushlog_reader.h.
#include "notify/pushlog_reader.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <optional>

#include "common/error.h"
#include "common/logline.h"

namespace hgc {
namespace {

struct Push {
  std::string user;
  int64_t time = 0;
};

class ReadOnlyDb {
 public:
  explicit ReadOnlyDb(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw Error(ErrorKind::kIo, fmt::format("cannot open {}: {}", path, msg));
    }
    sqlite3_busy_timeout(db_, 10000);  // pushlog.timeoutro default
    // A database created but never written (0 bytes) has no tables: zero
    // pushes, like a missing file.
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                           "name IN ('pushlog', 'changesets')",
                           -1, &stmt, nullptr) != SQLITE_OK) {
      Fail("inspect");
    }
    int rc = sqlite3_step(stmt);
    has_tables_ = rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 2;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) Fail("inspect");
  }
  ~ReadOnlyDb() { sqlite3_close(db_); }
  ReadOnlyDb(const ReadOnlyDb&) = delete;
  ReadOnlyDb& operator=(const ReadOnlyDb&) = delete;

  // The push containing `node`, if any.
  std::optional<std::pair<int64_t, Push>> PushOf(const std::string& node) {
    if (!has_tables_) return std::nullopt;
    static constexpr const char* kSql =
        "SELECT pushlog.id, pushlog.user, pushlog.date FROM changesets "
        "JOIN pushlog ON pushlog.id = changesets.pushid WHERE changesets.node = ?";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, kSql, -1, &stmt, nullptr) != SQLITE_OK) Fail("prepare");
    sqlite3_bind_text(stmt, 1, node.data(), static_cast<int>(node.size()), SQLITE_TRANSIENT);
    std::optional<std::pair<int64_t, Push>> out;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const unsigned char* user = sqlite3_column_text(stmt, 1);
      out.emplace(
          sqlite3_column_int64(stmt, 0),
          Push{user ? reinterpret_cast<const char*>(user) : "", sqlite3_column_int64(stmt, 2)});
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) Fail("query");
    return out;
  }

 private:
  [[noreturn]] void Fail(const char* what) {
    throw Error(ErrorKind::kIo,
                fmt::format("{}: cannot {} the pushlog: {}", path_, what, sqlite3_errmsg(db_)));
  }
  sqlite3* db_ = nullptr;
  std::string path_;
  bool has_tables_ = false;
};

}  // namespace

OrderedJson PushEntry(const std::string& repo_url, int64_t push_id, const std::string& user,
                      int64_t time) {
  std::string q = fmt::format("startID={}&endID={}", push_id - 1, push_id);
  OrderedJson entry = OrderedJson::object();
  entry["pushid"] = push_id;
  entry["user"] = user;
  entry["time"] = time;
  entry["push_json_url"] = fmt::format("{}/json-pushes?version=2&{}", repo_url, q);
  entry["push_full_json_url"] = fmt::format("{}/json-pushes?version=2&full=1&{}", repo_url, q);
  return entry;
}

OrderedJson PushlogPushesForHeads(const std::string& repo_path, const std::string& repo_url,
                                  const std::vector<std::string>& heads,
                                  const std::string& logger) {
  LogLine(logger, "querying pushlog data for " + repo_path);
  std::map<int64_t, Push> pushes;
  std::string db_path = repo_path + "/.hg/pushlog2.db";
  if (std::filesystem::exists(db_path)) {
    ReadOnlyDb db(db_path);
    for (const auto& head : heads) {
      auto push = db.PushOf(head);
      if (!push) {
        LogLine(logger, "pushlog data missing!");
        continue;
      }
      pushes.emplace(push->first, push->second);
    }
  } else {
    for (size_t i = 0; i < heads.size(); ++i) LogLine(logger, "pushlog data missing!");
  }
  OrderedJson out = OrderedJson::array();
  for (const auto& [id, push] : pushes)
    out.push_back(PushEntry(repo_url, id, push.user, push.time));
  return out;
}

OrderedJson PushOfNode(const std::string& repo_path, const std::string& repo_url,
                       const std::string& node) {
  std::string db_path = repo_path + "/.hg/pushlog2.db";
  if (!std::filesystem::exists(db_path)) return nullptr;
  ReadOnlyDb db(db_path);
  auto push = db.PushOf(node);
  if (!push) return nullptr;
  return PushEntry(repo_url, push->first, push->second.user, push->second.time);
}

}  // namespace hgc
