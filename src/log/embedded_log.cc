#include "log/embedded_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "common/clock.h"
#include "common/error.h"
#include "log/sqlite_db.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS topics (
  name TEXT PRIMARY KEY,
  partitions INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  appended REAL NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (topic, partition, offset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
  grp TEXT NOT NULL,
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  updated REAL NOT NULL,
  PRIMARY KEY (grp, topic, partition)
) WITHOUT ROWID;
)sql";

void Configure(SqliteDb& db) {
  db.Exec("PRAGMA journal_mode=WAL");
  db.Exec("PRAGMA synchronous=FULL");
  // Keep the WAL file in place when the last connection closes so inotify
  // watchers always have the same file to watch.
  int persist = 1;
  sqlite3_file_control(db.raw(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
}

// The file appenders touch after each commit. Watching the WAL itself is not
// enough: a reader woken by the first frame written can query before the
// commit is visible (visibility is published through the mmapped -shm file,
// which raises no inotify event) and would then sleep through the append.
std::string NotifyPath(const std::string& db_path) { return db_path + "-notify"; }

// Wakes a reader when any process appends. The directory is watched (not the
// file) so a notify file created after the watch still counts.
class AppendWatcher {
 public:
  explicit AppendWatcher(const std::string& db_path)
      : notify_name_(fs::path(NotifyPath(db_path)).filename().string()) {
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0) return;
    std::string dir = fs::path(db_path).parent_path().string();
    if (dir.empty()) dir = ".";
    if (inotify_add_watch(fd_, dir.c_str(), IN_MODIFY | IN_CREATE | IN_ATTRIB) < 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~AppendWatcher() {
    if (fd_ >= 0) close(fd_);
  }
  // Waits until the WAL changes or `timeout` passes. Without inotify (fd_ < 0)
  // it degrades to a short sleep so callers still make progress.
  void Wait(std::chrono::milliseconds timeout) {
    if (fd_ < 0) {
      usleep(static_cast<useconds_t>(std::min<int64_t>(timeout.count(), 5) * 1000));
      return;
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count()) + 1) <= 0) return;
      if (DrainSawNotify()) return;
    }
  }

 private:
  // Reads every queued event; true if one concerned the notify file.
  bool DrainSawNotify() {
    alignas(inotify_event) char buf[4096];
    bool seen = false;
    ssize_t n;
    while ((n = read(fd_, buf, sizeof buf)) > 0) {
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        if (ev->len > 0 && notify_name_ == ev->name) seen = true;
        p += sizeof(inotify_event) + ev->len;
      }
    }
    return seen;
  }

  std::string notify_name_;
  int fd_ = -1;
};

class EmbeddedCursor : public LogCursor {
 public:
  EmbeddedCursor(const std::string& path, const std::vector<TopicPartitionOffset>& start)
      : db_(path, false), watcher_(path), positions_(start) {
    Configure(db_);
    select_ = std::make_unique<SqliteStatement>(
        db_.raw(),
        "SELECT offset, value FROM records WHERE topic = ?1 AND partition = ?2 AND offset >= ?3 "
        "ORDER BY offset LIMIT ?4",
        path);
  }

  std::vector<LogRecord> Poll(size_t max_records, std::chrono::milliseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      std::vector<LogRecord> out = ReadAvailable(max_records);
      if (!out.empty()) return out;
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return out;
      watcher_.Wait(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                    std::chrono::milliseconds(1));
    }
  }

  void Seek(const std::string& topic, int partition, int64_t offset) override {
    for (auto& p : positions_) {
      if (p.topic == topic && p.partition == partition) {
        p.offset = offset;
        return;
      }
    }
    positions_.push_back({topic, partition, offset});
  }

 private:
  std::vector<LogRecord> ReadAvailable(size_t max_records) {
    std::vector<LogRecord> out;
    for (auto& pos : positions_) {
      if (out.size() >= max_records) break;
      select_->Reset();
      select_->Bind(1, pos.topic).Bind(2, int64_t{pos.partition}).Bind(3, pos.offset);
      select_->Bind(4, static_cast<int64_t>(max_records - out.size()));
      while (select_->Step()) {
        LogRecord r{pos.topic, pos.partition, select_->ColumnInt(0), select_->ColumnText(1)};
        pos.offset = r.offset + 1;
        out.push_back(std::move(r));
      }
    }
    select_->Reset();
    return out;
  }

  SqliteDb db_;
  AppendWatcher watcher_;
  std::vector<TopicPartitionOffset> positions_;
  std::unique_ptr<SqliteStatement> select_;
};

class EmbeddedLog : public Log {
 public:
  explicit EmbeddedLog(const std::string& path) : path_(path), db_(Open(path)) {}
  ~EmbeddedLog() override {
    if (notify_fd_ >= 0) close(notify_fd_);
  }

  std::string Backend() const override { return "embedded"; }

  void EnsureTopic(const std::string& topic, int partitions) override {
    std::lock_guard lock(mu_);
    SqliteStatement(db_->raw(), "INSERT OR IGNORE INTO topics(name, partitions) VALUES (?1, ?2)",
                    path_)
        .Bind(1, topic)
        .Bind(2, int64_t{partitions})
        .Step();
  }

  int PartitionCount(const std::string& topic) override {
    std::lock_guard lock(mu_);
    return PartitionCountLocked(topic);
  }

  int64_t Append(const std::string& topic, int partition, std::string_view value) override {
    return AppendBatch(topic, partition, {std::string(value)});
  }

  int64_t AppendBatch(const std::string& topic, int partition,
                      const std::vector<std::string>& values) override {
    std::lock_guard lock(mu_);
    int count = PartitionCountLocked(topic);
    if (partition < 0 || partition >= count) {
      throw Error(ErrorKind::kConfig,
                  fmt::format("partition {} does not exist in topic {} ({} partitions)", partition,
                              topic, count));
    }
    int64_t first = db_->Transaction([&] {
      SqliteStatement next(db_->raw(),
                           "SELECT COALESCE(MAX(offset) + 1, 0) FROM records "
                           "WHERE topic = ?1 AND partition = ?2",
                           path_);
      next.Bind(1, topic).Bind(2, int64_t{partition});
      next.Step();
      int64_t start = next.ColumnInt(0);
      SqliteStatement insert(db_->raw(),
                             "INSERT INTO records(topic, partition, offset, appended, value) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)",
                             path_);
      double now = WallNow();
      int64_t offset = start;
      for (const auto& v : values) {
        insert.Reset();
        insert.Bind(1, topic).Bind(2, int64_t{partition}).Bind(3, offset++).Bind(4, now);
        insert.BindBlob(5, v);
        insert.Step();
      }
      return start;
    });
    Notify();
    return first;
  }

  Watermarks GetWatermarks(const std::string& topic, int partition) override {
    std::lock_guard lock(mu_);
    SqliteStatement q(db_->raw(),
                      "SELECT MIN(offset), MAX(offset) FROM records "
                      "WHERE topic = ?1 AND partition = ?2",
                      path_);
    q.Bind(1, topic).Bind(2, int64_t{partition});
    q.Step();
    if (q.ColumnIsNull(0)) return {0, 0};
    return {q.ColumnInt(0), q.ColumnInt(1) + 1};
  }

  std::map<int, int64_t> Committed(const std::string& group, const std::string& topic,
                                   const std::vector<int>& partitions) override {
    std::lock_guard lock(mu_);
    SqliteStatement q(db_->raw(),
                      "SELECT offset FROM group_offsets WHERE grp = ?1 AND topic = ?2 "
                      "AND partition = ?3",
                      path_);
    std::map<int, int64_t> out;
    for (int p : partitions) {
      q.Reset();
      q.Bind(1, group).Bind(2, topic).Bind(3, int64_t{p});
      if (q.Step()) out[p] = q.ColumnInt(0);
    }
    return out;
  }

  void Commit(const std::string& group, const std::string& topic,
              const std::map<int, int64_t>& offsets) override {
    std::lock_guard lock(mu_);
    db_->Transaction([&] {
      SqliteStatement up(db_->raw(),
                         "INSERT INTO group_offsets(grp, topic, partition, offset, updated) "
                         "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(grp, topic, partition) "
                         "DO UPDATE SET offset = excluded.offset, updated = excluded.updated",
                         path_);
      double now = WallNow();
      for (const auto& [p, off] : offsets) {
        up.Reset();
        up.Bind(1, group).Bind(2, topic).Bind(3, int64_t{p}).Bind(4, off).Bind(5, now);
        up.Step();
      }
    });
    Notify();
  }

  std::unique_ptr<LogCursor> OpenCursor(const std::vector<TopicPartitionOffset>& start) override {
    return std::make_unique<EmbeddedCursor>(path_, start);
  }

  void WaitForChange(std::chrono::milliseconds timeout) override {
    {
      std::lock_guard lock(mu_);
      if (!watcher_) watcher_ = std::make_unique<AppendWatcher>(path_);
    }
    watcher_->Wait(timeout);
  }

 private:
  static std::unique_ptr<SqliteDb> Open(const std::string& path) {
    std::error_code ec;
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    auto db = std::make_unique<SqliteDb>(path, true);
    Configure(*db);
    db->Exec(kSchema);
    return db;
  }

  // Wakes blocked readers in every process (see NotifyPath). Best effort:
  // a reader that misses it still finds the records at its next poll.
  void Notify() {
    if (notify_fd_ < 0) {
      notify_fd_ = open(NotifyPath(path_).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    }
    if (notify_fd_ >= 0 && pwrite(notify_fd_, "x", 1, 0) < 0) {
      close(notify_fd_);
      notify_fd_ = -1;
    }
  }

  int PartitionCountLocked(const std::string& topic) {
    SqliteStatement q(db_->raw(), "SELECT partitions FROM topics WHERE name = ?1", path_);
    q.Bind(1, topic);
    if (!q.Step()) {
      throw Error(ErrorKind::kNotFound,
                  fmt::format("topic {} does not exist in the embedded log {}; "
                              "create it with `hgcluster up` or EnsureTopic",
                              topic, path_));
    }
    return static_cast<int>(q.ColumnInt(0));
  }

  std::mutex mu_;
  std::string path_;
  std::unique_ptr<SqliteDb> db_;
  int notify_fd_ = -1;
  std::unique_ptr<AppendWatcher> watcher_;
};

}  // namespace

std::unique_ptr<Log> OpenEmbeddedLog(const std::string& db_path) {
  return std::make_unique<EmbeddedLog>(db_path);
}

}  // namespace hgc
