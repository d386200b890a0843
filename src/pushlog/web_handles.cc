#include "pushlog/web_handles.h"

#include <sys/stat.h>

#include <map>
#include <memory>

namespace hgc {

ServedRepoCache& SharedServedRepos() {
  static ServedRepoCache* cache = new ServedRepoCache();
  return *cache;
}

PushlogDb* ThreadPushlogDb(const std::string& repo_root) {
  struct Cached {
    ino_t inode = 0;
    std::unique_ptr<PushlogDb> db;
  };
  thread_local std::map<std::string, Cached> connections;
  struct stat st {};
  if (::stat(PushlogDb::PathFor(repo_root).c_str(), &st) != 0) {
    connections.erase(repo_root);
    return nullptr;
  }
  Cached& c = connections[repo_root];
  if (!c.db || c.inode != st.st_ino) {
    c.db = PushlogDb::OpenReadOnly(repo_root);
    c.inode = st.st_ino;
  }
  return c.db.get();
}

}  // namespace hgc
