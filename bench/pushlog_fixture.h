// A pushlog for a benchmark's repository: `pushes` pushes of `per_push`
// consecutive changesets each (revision 0 first), from three users a minute
// apart, written straight into the repository's pushlog database.
// Header-only, like bench_support.h.
// Thread-safety: plain function.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <vector>

#include "hg/revlog_index.h"
#include "pushlog/pushlog_db.h"

namespace hgc::bench {

inline void WritePushlog(const std::string& repo, int pushes, int per_push) {
  hgc::ChangelogIndex index = hgc::ChangelogIndex::Load(repo);
  auto db = hgc::PushlogDb::OpenForWrite(repo);
  db->db().Exec("BEGIN");
  const char* users[] = {"alice@example.com", "bob@example.com", "carol@example.com"};
  for (int p = 0; p < pushes; ++p) {
    std::vector<int> revs;
    std::vector<std::string> nodes;
    for (int k = 0; k < per_push; ++k) {
      revs.push_back(p * per_push + k);
      nodes.push_back(index.NodeHex(p * per_push + k));
    }
    hgc::SqliteStatement push(db->db().raw(), "INSERT INTO pushlog (user, date) VALUES (?1, ?2)",
                              db->db().path());
    push.Bind(1, std::string_view(users[p % 3])).Bind(2, int64_t{1700000000 + p * 60}).Step();
    int64_t id = sqlite3_last_insert_rowid(db->db().raw());
    hgc::SqliteStatement cs(db->db().raw(),
                            "INSERT INTO changesets (pushid, rev, node) VALUES (?1, ?2, ?3)",
                            db->db().path());
    for (size_t k = 0; k < nodes.size(); ++k) {
      cs.Reset();
      cs.Bind(1, id).Bind(2, int64_t{revs[k]}).Bind(3, std::string_view(nodes[k])).Step();
    }
  }
  db->db().Exec("COMMIT");
}

}  // namespace hgc::bench
