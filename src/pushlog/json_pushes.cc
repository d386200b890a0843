#include <algorithm>
#include <map>

#include "pushlog/hg_json.h"
#include "pushlog/pushlog_views.h"

namespace hgc {
namespace {

const std::string kNullHex(40, '0');

void AppendGitCommit(std::string& out, const ServedRepo& repo, int rev) {
  if (rev < 0) {
    out += "null";
    return;
  }
  auto cs = repo.ChangesetAt(rev);
  auto it = cs->extras.find("git_commit");
  if (it == cs->extras.end()) {
    out += "null";
  } else {
    AppendHgJsonString(out, it->second);
  }
}

template <typename Items, typename F>
void AppendList(std::string& out, const Items& items, F&& each) {
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ", ";
    first = false;
    each(item);
  }
  out += ']';
}

// p1 always (the null revision for a root, as the pushlog lists it), p2 if any.
std::vector<int> ListedParents(const ServedRepo& repo, int rev) {
  const auto& e = repo.index().at(rev);
  std::vector<int> parents{e.p1};
  if (e.p2 >= 0) parents.push_back(e.p2);
  return parents;
}

// The `full` changeset object, keys sorted as the json filter sorts them.
void AppendFullChangeset(std::string& out, const ServedRepo& repo, int rev) {
  auto cs = repo.ChangesetAt(rev);
  std::string node = repo.index().NodeHex(rev);
  auto hex = [&](int r) { return r < 0 ? kNullHex : repo.index().NodeHex(r); };
  std::vector<int> parents = ListedParents(repo, rev);
  out += "{\"author\": ";
  AppendHgJsonString(out, cs->user);
  out += ", \"branch\": ";
  AppendHgJsonString(out, cs->branch());
  out += ", \"desc\": ";
  AppendHgJsonString(out, cs->description);
  out += ", \"files\": ";
  AppendList(out, cs->files, [&](const std::string& f) { AppendHgJsonString(out, f); });
  out += ", \"git_node\": ";
  AppendGitCommit(out, repo, rev);
  out += ", \"git_parents\": ";
  AppendList(out, parents, [&](int p) { AppendGitCommit(out, repo, p); });
  out += ", \"node\": ";
  AppendHgJsonString(out, node);
  out += ", \"parents\": ";
  AppendList(out, parents, [&](int p) { AppendHgJsonString(out, hex(p)); });
  if (repo.has_obsstore()) {
    auto precursors = repo.visibility().Predecessors(node);
    if (!precursors.empty()) {
      out += ", \"precursors\": ";
      AppendList(out, precursors, [&](const std::string& p) { AppendHgJsonString(out, p); });
    }
  }
  out += ", \"tags\": ";
  AppendList(out, repo.TagsAt(rev), [&](const std::string& t) { AppendHgJsonString(out, t); });
  out += '}';
}

void AppendChangesetList(std::string& out, const std::vector<int>& revs, bool full,
                         const ServedRepo& repo) {
  AppendList(out, revs, [&](int rev) {
    if (full) {
      AppendFullChangeset(out, repo, rev);
    } else {
      AppendHgJsonString(out, repo.index().NodeHex(rev));
    }
  });
}

void AppendPush(std::string& out, const PushEntry& push, bool full, const ServedRepo& repo) {
  std::vector<int> visible, hidden;
  // Entries come highest rev first; every view lists them ascending.
  for (auto it = push.revs.rbegin(); it != push.revs.rend(); ++it) {
    (repo.IsHidden(*it) ? hidden : visible).push_back(*it);
  }
  out += "{\"changesets\": ";
  AppendChangesetList(out, visible, full, repo);
  out += ", \"date\": " + std::to_string(push.date);
  if (!visible.empty()) {
    out += ", \"git_changesets\": ";
    AppendList(out, visible, [&](int rev) { AppendGitCommit(out, repo, rev); });
  }
  if (!hidden.empty()) {
    out += ", \"obsoletechangesets\": ";
    AppendChangesetList(out, hidden, full, repo);
  }
  out += ", \"user\": ";
  AppendHgJsonString(out, push.user);
  out += '}';
}

}  // namespace

std::string RenderJsonPushes(const PushQuery& query, const PushQueryResult& result,
                             const ServedRepo& repo) {
  // Keys are push ids sorted as strings ("10" < "9"), as the json filter does.
  std::map<std::string, const PushEntry*> by_key;
  for (const auto& p : result.pushes) by_key.emplace(std::to_string(p.push_id), &p);
  std::string pushes = "{";
  bool first = true;
  for (const auto& [key, push] : by_key) {
    if (!first) pushes += ", ";
    first = false;
    pushes += '"' + key + "\": ";
    AppendPush(pushes, *push, query.full, repo);
  }
  pushes += '}';
  if (query.version == 1) return pushes;
  return "{\n\"lastpushid\": " + std::to_string(result.last_push_id) + ",\n\"pushes\": " + pushes +
         "\n}";
}

std::string RenderJsonError(const std::string& message) {
  return "{\n\"error\": " + HgJsonString(message) + "\n}";
}

}  // namespace hgc
