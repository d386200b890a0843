#include "pushlog/pushlog_db.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"

namespace hgc {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS changesets (pushid INTEGER, rev INTEGER, node text);"
    "CREATE TABLE IF NOT EXISTS pushlog (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT, "
    "date INTEGER);"
    "CREATE UNIQUE INDEX IF NOT EXISTS changeset_node ON changesets (node);"
    "CREATE UNIQUE INDEX IF NOT EXISTS changeset_rev ON changesets (rev);"
    "CREATE INDEX IF NOT EXISTS changeset_pushid ON changesets (pushid);"
    "CREATE INDEX IF NOT EXISTS pushlog_date ON pushlog (date);"
    "CREATE INDEX IF NOT EXISTS pushlog_user ON pushlog (user);";

// SQLite errors of the pushlog are I/O errors of the repository, not of the
// replication log (which is what SqliteDb reports by default).
template <typename F>
auto AsIo(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kLogUnavailable) throw Error(ErrorKind::kIo, e.what());
    throw;
  }
}

}  // namespace

std::string PushlogDb::PathFor(const std::string& repo_root) {
  return repo_root + "/.hg/pushlog2.db";
}

PushlogDb::PushlogDb(const std::string& path, bool create, int timeout_ms) : db_(path, create) {
  sqlite3_busy_timeout(db_.raw(), timeout_ms);
}

std::unique_ptr<PushlogDb> PushlogDb::OpenReadOnly(const std::string& repo_root, int timeout_ms) {
  std::string path = PathFor(repo_root);
  if (!std::filesystem::exists(path)) return nullptr;
  return AsIo([&]() -> std::unique_ptr<PushlogDb> {
    std::unique_ptr<PushlogDb> db(new PushlogDb(path, /*create=*/false, timeout_ms));
    // A writer creates the file, then the schema: in between there is no
    // pushlog yet.
    SqliteStatement q(db->db_.raw(),
                      "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='pushlog'",
                      path);
    q.Step();
    if (q.ColumnInt(0) == 0) return nullptr;
    return db;
  });
}

std::unique_ptr<PushlogDb> PushlogDb::OpenForWrite(const std::string& repo_root, int timeout_ms) {
  std::string path = PathFor(repo_root);
  bool existed = std::filesystem::exists(path);
  auto db = AsIo(
      [&] { return std::unique_ptr<PushlogDb>(new PushlogDb(path, /*create=*/true, timeout_ms)); });
  db->EnsureSchema();
  if (!existed) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) ::chmod(path.c_str(), st.st_mode | S_IWGRP);
  }
  return db;
}

void PushlogDb::EnsureSchema() {
  AsIo([&] {
    SqliteStatement q(db_.raw(),
                      "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='pushlog'",
                      db_.path());
    q.Step();
    if (q.ColumnInt(0) == 0) db_.Exec(std::string("BEGIN;") + kSchema + "COMMIT;");
    return 0;
  });
}

PushlogDb::Lease PushlogDb::Cached(const std::string& sql) {
  auto& slot = statements_[sql];
  if (!slot) {
    slot = AsIo([&] { return std::make_unique<SqliteStatement>(db_.raw(), sql, db_.path()); });
  }
  return Lease(*slot);
}

int64_t PushlogDb::LastPushId() {
  return AsIo([&] {
    Lease lease = Cached("SELECT MAX(id) FROM pushlog");
    SqliteStatement& q = *lease;
    if (!q.Step() || q.ColumnIsNull(0)) return int64_t{0};
    return q.ColumnInt(0);
  });
}

std::vector<PushRecord> PushlogDb::Query(const std::string& where,
                                         const std::vector<int64_t>& args) {
  return AsIo([&] {
    std::string sql =
        "SELECT pushlog.id, pushlog.user, pushlog.date, changesets.node FROM pushlog "
        "LEFT JOIN changesets ON pushlog.id = changesets.pushid WHERE " +
        where + " ORDER BY pushlog.id ASC, changesets.rev ASC";
    SqliteStatement q(db_.raw(), sql, db_.path());
    for (size_t i = 0; i < args.size(); ++i) q.Bind(static_cast<int>(i + 1), args[i]);
    std::vector<PushRecord> out;
    while (q.Step()) {
      int64_t id = q.ColumnInt(0);
      if (out.empty() || out.back().id != id) {
        out.push_back(PushRecord{id, q.ColumnText(1), q.ColumnInt(2), {}});
      }
      if (!q.ColumnIsNull(3)) out.back().nodes.push_back(q.ColumnText(3));
    }
    return out;
  });
}

std::vector<PushRecord> PushlogDb::PushesFrom(int64_t first_id) {
  return Query("pushlog.id >= ?1", {first_id});
}

std::optional<PushRecord> PushlogDb::Push(int64_t id) {
  auto pushes = Query("pushlog.id = ?1", {id});
  if (pushes.empty()) return std::nullopt;
  return pushes.front();
}

std::optional<int64_t> PushlogDb::PushIdOfNode(const std::string& node) {
  return AsIo([&]() -> std::optional<int64_t> {
    Lease lease = Cached("SELECT pushid FROM changesets WHERE node = ?1");
    SqliteStatement& q = *lease;
    q.Bind(1, node);
    if (!q.Step()) return std::nullopt;
    return q.ColumnInt(0);
  });
}

std::vector<PushRecord> PushlogDb::PushesContaining(const std::vector<std::string>& nodes) {
  std::set<int64_t> ids;
  for (const auto& n : nodes) {
    if (auto id = PushIdOfNode(n)) ids.insert(*id);
  }
  std::vector<PushRecord> out;
  for (int64_t id : ids) {
    if (auto p = Push(id)) out.push_back(*p);
  }
  return out;
}

int64_t PushlogDb::RecordPush(const std::string& user, int64_t date, const std::vector<int>& revs,
                              const std::vector<std::string>& nodes) {
  return AsIo([&] {
    return db_.Transaction([&] {
      SqliteStatement push(db_.raw(), "INSERT INTO pushlog (user, date) VALUES (?1, ?2)",
                           db_.path());
      push.Bind(1, user).Bind(2, date).Step();
      int64_t id = sqlite3_last_insert_rowid(db_.raw());
      SqliteStatement cs(
          db_.raw(), "INSERT INTO changesets (pushid, rev, node) VALUES (?1, ?2, ?3)", db_.path());
      for (size_t i = 0; i < nodes.size(); ++i) {
        cs.Reset();
        cs.Bind(1, id).Bind(2, int64_t{revs[i]}).Bind(3, nodes[i]).Step();
      }
      return id;
    });
  });
}

void PushlogDb::RemovePush(int64_t id) {
  AsIo([&] {
    db_.Transaction([&] {
      SqliteStatement cs(db_.raw(), "DELETE FROM changesets WHERE pushid = ?1", db_.path());
      cs.Bind(1, id).Step();
      SqliteStatement p(db_.raw(), "DELETE FROM pushlog WHERE id = ?1", db_.path());
      p.Bind(1, id).Step();
      SqliteStatement seq(db_.raw(),
                          "UPDATE sqlite_sequence SET seq = ?1 - 1 WHERE name = 'pushlog' AND "
                          "seq = ?1 AND NOT EXISTS (SELECT 1 FROM pushlog WHERE id >= ?1)",
                          db_.path());
      seq.Bind(1, id).Step();
    });
    return 0;
  });
}

std::vector<std::string> PushlogDb::RemoveStaleChangesets(const ChangelogIndex& index,
                                                          int first_new_rev) {
  return AsIo([&] {
    std::vector<std::string> stale;
    {
      // Rows of a push that never committed name revisions at or past the
      // first new one (they were reused by this push); the rev index makes
      // this cheap however long the pushlog is.
      SqliteStatement q(db_.raw(), "SELECT rev, node FROM changesets WHERE rev >= ?1 ORDER BY rev",
                        db_.path());
      q.Bind(1, int64_t{first_new_rev});
      while (q.Step()) {
        int64_t rev = q.ColumnInt(0);
        std::string node = q.ColumnText(1);
        auto actual = index.RevOf(node);
        if (rev >= first_new_rev || !actual || *actual >= first_new_rev) stale.push_back(node);
      }
    }
    if (stale.empty()) return stale;
    db_.Transaction([&] {
      SqliteStatement del(db_.raw(), "DELETE FROM changesets WHERE node = ?1", db_.path());
      for (const auto& n : stale) {
        del.Reset();
        del.Bind(1, n).Step();
      }
      // A push row whose every changeset was stale never happened.
      db_.Exec(
          "DELETE FROM pushlog WHERE id > (SELECT COALESCE(MAX(pushid), 0) FROM changesets) "
          "AND NOT EXISTS (SELECT 1 FROM changesets WHERE pushid = pushlog.id)");
    });
    return stale;
  });
}

std::vector<std::string> PushlogDb::ApplyReplicated(const std::vector<PushRecord>& pushes,
                                                    const ChangelogIndex& index) {
  return Apply(pushes, index, /*replace_all=*/false);
}

std::vector<std::string> PushlogDb::Apply(const std::vector<PushRecord>& pushes,
                                          const ChangelogIndex& index, bool replace_all) {
  return AsIo([&] {
    std::vector<std::string> unknown;
    db_.Transaction([&] {
      if (replace_all) db_.Exec("DELETE FROM changesets");
      SqliteStatement push(db_.raw(),
                           "INSERT OR REPLACE INTO pushlog (id, user, date) VALUES (?1, ?2, ?3)",
                           db_.path());
      SqliteStatement cs(
          db_.raw(), "INSERT OR REPLACE INTO changesets (pushid, rev, node) VALUES (?1, ?2, ?3)",
          db_.path());
      for (const auto& p : pushes) {
        push.Reset();
        push.Bind(1, p.id).Bind(2, p.user).Bind(3, p.date).Step();
        for (const auto& node : p.nodes) {
          auto rev = index.RevOf(node);
          if (!rev) {
            unknown.push_back(node);
            continue;
          }
          cs.Reset();
          cs.Bind(1, p.id).Bind(2, int64_t{*rev}).Bind(3, node).Step();
        }
      }
    });
    return unknown;
  });
}

std::vector<std::string> PushlogDb::RepairAfterStrip(const ChangelogIndex& index,
                                                     std::vector<std::string>* updated) {
  return AsIo([&] {
    std::vector<std::string> deleted;
    std::vector<std::pair<std::string, int>> moved;
    {
      SqliteStatement q(db_.raw(), "SELECT rev, node FROM changesets ORDER BY pushid, rev",
                        db_.path());
      while (q.Step()) {
        std::string node = q.ColumnText(1);
        auto rev = index.RevOf(node);
        if (!rev) {
          deleted.push_back(node);
        } else if (*rev != q.ColumnInt(0)) {
          moved.emplace_back(node, *rev);
        }
      }
    }
    db_.Transaction([&] {
      SqliteStatement del(db_.raw(), "DELETE FROM changesets WHERE node = ?1", db_.path());
      for (const auto& n : deleted) {
        del.Reset();
        del.Bind(1, n).Step();
      }
      // Two passes so no intermediate state breaks the unique rev index.
      SqliteStatement park(db_.raw(), "UPDATE changesets SET rev = -1 - rev WHERE node = ?1",
                           db_.path());
      for (const auto& [n, rev] : moved) {
        park.Reset();
        park.Bind(1, n).Step();
      }
      SqliteStatement set(db_.raw(), "UPDATE changesets SET rev = ?2 WHERE node = ?1", db_.path());
      for (const auto& [n, rev] : moved) {
        set.Reset();
        set.Bind(1, n).Bind(2, int64_t{rev}).Step();
      }
    });
    if (updated) {
      for (const auto& [n, rev] : moved) updated->push_back(n);
    }
    return deleted;
  });
}

std::vector<std::string> PushlogDb::ReplaceWith(const std::vector<PushRecord>& pushes,
                                                const ChangelogIndex& index) {
  return Apply(pushes, index, /*replace_all=*/true);
}

}  // namespace hgc
