// A thin RAII wrapper over one SQLite connection with prepared statements.
// Every SQLite error becomes Error(kLogUnavailable) naming the database file,
// because for the log an unusable database means "the log is not writable".
// Thread-safety: one connection per thread; do not share.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace hgc {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, const std::string& sql, const std::string& origin);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, double value);
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& BindBlob(int index, std::string_view blob);
  // Returns true while a row is available.
  bool Step();
  void Reset();
  int64_t ColumnInt(int column) const;
  bool ColumnIsNull(int column) const;
  std::string ColumnText(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string origin_;
};

class SqliteDb {
 public:
  // Opens (creating if `create`) the database file.
  SqliteDb(const std::string& path, bool create);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void Exec(const std::string& sql);
  // Runs `f` between BEGIN IMMEDIATE and COMMIT; an exception from `f` (or
  // from the COMMIT) rolls back and propagates. Returns what `f` returns.
  template <typename F>
  auto Transaction(F&& f) -> decltype(f()) {
    Exec("BEGIN IMMEDIATE");
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        Exec("COMMIT");
      } else {
        auto result = f();
        Exec("COMMIT");
        return result;
      }
    } catch (...) {
      Rollback();
      throw;
    }
  }
  void Rollback() noexcept;
  sqlite3* raw() { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void Fail(const std::string& what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace hgc
