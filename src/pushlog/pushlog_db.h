// A repository's pushlog database, `.hg/pushlog2.db`, with the reference's
// schema and opening rules (spec/hosting.md §1.1): read-only opens never
// create the file; write opens create it, (re)apply the schema when the
// `pushlog` table is missing and add group-write. No WAL (NFS). Every SQLite
// failure is Error(kIo) carrying SQLite's own message ("database is locked").
// Thread-safety: one PushlogDb per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hg/revlog_index.h"
#include "log/sqlite_db.h"
#include "message/push_record.h"

namespace hgc {

class PushlogDb {
 public:
  // nullptr when the repository has no pushlog database (or a writer has
  // created the file but not yet its schema).
  static std::unique_ptr<PushlogDb> OpenReadOnly(const std::string& repo_root,
                                                 int timeout_ms = 10000);
  static std::unique_ptr<PushlogDb> OpenForWrite(const std::string& repo_root,
                                                 int timeout_ms = 30000);
  static std::string PathFor(const std::string& repo_root);

  // 0 when there are no pushes.
  int64_t LastPushId();
  // Pushes with id >= first_id (ascending), nodes in ascending rev order.
  std::vector<PushRecord> PushesFrom(int64_t first_id);
  std::optional<PushRecord> Push(int64_t id);
  // Pushes containing any of `nodes`, ascending, without duplicates.
  std::vector<PushRecord> PushesContaining(const std::vector<std::string>& nodes);
  std::optional<int64_t> PushIdOfNode(const std::string& node);

  // Records a new push (id assigned by AUTOINCREMENT) in one SQLite
  // transaction; `revs` and `nodes` are parallel. Returns the push id.
  int64_t RecordPush(const std::string& user, int64_t date, const std::vector<int>& revs,
                     const std::vector<std::string>& nodes);
  // Undoes RecordPush of an aborted hg transaction: the rows go and, when it
  // was the newest push, its id is handed out again (as the reference's SQL
  // rollback would).
  void RemovePush(int64_t id);
  // Deletes changeset rows left by a push whose hg transaction never
  // committed (killed between the pushlog commit and hg's): rows naming a
  // revision at or beyond `first_new_rev`, which the committed repository
  // does not have. Returns the deleted nodes.
  std::vector<std::string> RemoveStaleChangesets(const ChangelogIndex& index, int first_new_rev);

  // Writes replicated pushes with their original ids, users and dates and
  // locally computed revisions, in one transaction. Idempotent: applying the
  // same pushes again changes nothing. Nodes the local repository does not
  // have are skipped and returned.
  std::vector<std::string> ApplyReplicated(const std::vector<PushRecord>& pushes,
                                           const ChangelogIndex& index);

  // After history was rewritten (strip): rows of nodes the repository no
  // longer has are deleted, rows whose node has a new revision get it
  // (spec §1.3). Push rows stay, possibly empty. Returns the deleted nodes;
  // `updated` receives the renumbered ones.
  std::vector<std::string> RepairAfterStrip(const ChangelogIndex& index,
                                            std::vector<std::string>* updated);
  // A whole pushlog replacing this one's changeset rows (a sync after a
  // strip or a reclone): same ids, users and dates, local revisions.
  // Returns nodes the repository does not have.
  std::vector<std::string> ReplaceWith(const std::vector<PushRecord>& pushes,
                                       const ChangelogIndex& index);

  SqliteDb& db() { return db_; }
  // A prepared statement kept for the life of this connection (the web
  // front's threads reuse their connections), ready to bind. The lease
  // resets it when it goes out of scope: an unfinished statement would hold
  // the database's read lock and block the consumer's writes.
  class Lease {
   public:
    explicit Lease(SqliteStatement& st) : st_(st) {}
    ~Lease() { st_.Reset(); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqliteStatement* operator->() { return &st_; }
    SqliteStatement& operator*() { return st_; }

   private:
    SqliteStatement& st_;
  };
  Lease Cached(const std::string& sql);

 private:
  explicit PushlogDb(const std::string& path, bool create, int timeout_ms);
  void EnsureSchema();
  std::vector<std::string> Apply(const std::vector<PushRecord>& pushes, const ChangelogIndex& index,
                                 bool replace_all);
  std::vector<PushRecord> Query(const std::string& where, const std::vector<int64_t>& args);

  SqliteDb db_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> statements_;
};

}  // namespace hgc
