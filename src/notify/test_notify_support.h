// Test-only helpers for the notifier tests: a scratch layout (embedded log,
// repositories under `repos/`), pushlog databases written the way the
// pushlog extension writes them, and events appended to
// `replicatedpushdata` as the aggregator would. Header-only.
// Thread-safety: test code, one thread.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "log/log.h"
#include "message/message.h"
#include "test_support.h"

namespace hgc::test {

struct PushRow {
  int64_t id;
  std::string user;
  int64_t date;
  std::vector<std::string> nodes;
};

// Creates <repo>/.hg/pushlog2.db with the schema of spec/hosting.md §1.1.
inline void WritePushlog(const std::string& repo, const std::vector<PushRow>& pushes) {
  std::filesystem::create_directories(repo + "/.hg");
  sqlite3* db = nullptr;
  sqlite3_open((repo + "/.hg/pushlog2.db").c_str(), &db);
  std::string sql =
      "CREATE TABLE IF NOT EXISTS pushlog (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT, "
      "date INTEGER);"
      "CREATE TABLE IF NOT EXISTS changesets (pushid INTEGER, rev INTEGER, node text);"
      "CREATE UNIQUE INDEX IF NOT EXISTS changeset_node ON changesets (node);"
      "CREATE UNIQUE INDEX IF NOT EXISTS changeset_rev ON changesets (rev);";
  int rev = 0;
  for (const auto& p : pushes) {
    sql += "INSERT INTO pushlog (id, user, date) VALUES (" + std::to_string(p.id) + ", '" + p.user +
           "', " + std::to_string(p.date) + ");";
    for (const auto& n : p.nodes) {
      sql += "INSERT INTO changesets (pushid, rev, node) VALUES (" + std::to_string(p.id) + ", " +
             std::to_string(rev++) + ", '" + n + "');";
    }
  }
  sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
}

inline std::string Node(char c) { return std::string(40, c); }

// A body as the aggregator writes it into replicatedpushdata.
inline nlohmann::json Aggregated(nlohmann::json body, double original_created,
                                 int original_partition = 0) {
  body["_original_created"] = original_created;
  body["_original_partition"] = original_partition;
  return body;
}

class NotifyScratch {
 public:
  NotifyScratch() {
    std::filesystem::create_directories(dir_ / "repos");
    log_ = OpenLog(log_url());
    log_->EnsureTopic("replicatedpushdata", 1);
  }
  std::string path() const { return dir_.path(); }
  std::string log_url() const { return "sqlite://" + dir_.path() + "/log.db"; }
  std::string repos() const { return dir_.path() + "/repos/"; }
  std::string Repo(const std::string& name) const {
    std::filesystem::create_directories(repos() + name + "/.hg");
    return repos() + name;
  }
  Log& log() { return *log_; }
  int64_t Append(const nlohmann::json& body) {
    return log_->Append("replicatedpushdata", 0, EncodeMessage(body));
  }
  int64_t AppendRaw(const std::string& value) {
    return log_->Append("replicatedpushdata", 0, value);
  }
  // Committed offset of `group` on partition 0, -1 when never committed.
  int64_t Committed(const std::string& group) {
    auto c = log_->Committed(group, "replicatedpushdata", {0});
    return c.count(0) ? c[0] : -1;
  }
  // The consumer part of a notifier ini file.
  std::string ConsumerIni(const std::string& section, const std::string& group) const {
    return "[" + section + "]\nlog = " + log_url() + "\nclient_id = " + group +
           "\ntopic = replicatedpushdata\ngroup = " + group +
           "\npoll_timeout = 0.05\n\n[path_rewrites]\n{moz}/ = " + repos() +
           "\n\n[public_url_rewrites]\n{moz}/ = https://hg.mozilla.org/\n\n"
           "[ignore_paths]\n{moz}/private/ = true\n\n";
  }
  std::string WriteFile(const std::string& name, const std::string& text) const {
    std::string p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }

 private:
  ScratchDir dir_;
  std::unique_ptr<Log> log_;
};

}  // namespace hgc::test
