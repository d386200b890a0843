#include "pushlog/hgmo_commands.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "hg/repo_state.h"
#include "hg/repo_visibility.h"
#include "pushlog/commit_message.h"
#include "pushlog/hg_json.h"
#include "pushlog/pushlog_db.h"
#include "pushlog/served_repo.h"
#include "pushlog/web_handles.h"

namespace hgc {
namespace {

constexpr const char* kBugUrl = "https://bugzilla.mozilla.org/show_bug.cgi?id=";
constexpr const char* kDefaultGitRepoUrl = "https://github.com/mozilla-firefox/firefox";

// An answer the reference gives as hgweb's `error` template.
struct WebError {
  int status;
  std::string message;
};

// hg's json filter: a dict's keys sorted as bytes, ", " and ": ".
using JsonObject = std::map<std::string, std::string>;

std::string Str(std::string_view s) { return HgJsonString(s); }

std::string Render(const JsonObject& object) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : object) {
    if (!first) out += ", ";
    first = false;
    AppendHgJsonString(out, key);
    out += ": ";
    out += value;
  }
  return out + "}";
}

std::string List(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  return out + "]";
}

// The reference's web templates: `{\n"key": value,\n...\n}` (hg's map
// file parser drops the indentation of the template's continuation lines).
std::string Template(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    out += i ? ",\n" : "\n";
    out += '"' + fields[i].first + "\": " + fields[i].second;
  }
  return out + "\n}";
}

void Send(RepoResponse& res, int status, std::string body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = std::move(body);
}

void SendError(RepoResponse& res, const WebError& e) {
  Send(res, e.status, Template({{"error", Str(e.message)}}));
}

std::optional<std::string> Param(const RepoRequest& req, const std::string& name) {
  std::optional<std::string> value;
  for (const auto& [k, v] : req.query) {
    if (k == name) value = v;  // hgweb keeps the last
  }
  return value;
}

// hg's ui.configbool: unset or unparsable keeps the default.
bool ConfigBool(const ServedRepo& repo, const std::string& section, const std::string& key,
                bool fallback) {
  std::string v = repo.RepoConfig(section, key);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "1" || v == "yes" || v == "true" || v == "on" || v == "always") return true;
  if (v == "0" || v == "no" || v == "false" || v == "off" || v == "never") return false;
  return fallback;
}

int ConfigInt(const ServedRepo& repo, const std::string& section, const std::string& key,
              int fallback) {
  std::string v = repo.RepoConfig(section, key);
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), ::isdigit)) return fallback;
  return std::stoi(v);
}

std::string PhaseName(int phase) {
  switch (phase) {
    case kPhasePublic:
      return "public";
    case kPhaseDraft:
      return "draft";
    case kPhaseSecret:
      return "secret";
    case kPhaseArchived:
      return "archived";
    case kPhaseInternal:
      return "internal";
    default:
      return std::to_string(phase);
  }
}

// A revision symbol on the unfiltered repository, restricted to what this
// mirror serves; "tip" is the newest served revision.
std::optional<int> Resolve(const ServedRepo& repo, const std::string& symbol) {
  if (symbol == "tip") {
    for (int r = repo.index().tip_rev(); r >= 0; --r) {
      if (repo.IsServed(r)) return r;
    }
    return std::nullopt;
  }
  std::optional<int> rev = repo.LookupSymbol(symbol);
  if (!rev || *rev < 0 || !repo.IsServed(*rev)) return std::nullopt;
  return rev;
}

// What hgweb's "served" view shows: served here, not hidden, not secret.
bool Visible(const ServedRepo& repo, int rev) {
  return repo.IsServed(rev) && !repo.IsHidden(rev) && repo.visibility().phase(rev) != kPhaseSecret;
}

// The same for the filtered repository hgweb's own lookups use.
std::optional<int> ResolveVisible(const ServedRepo& repo, const std::string& symbol) {
  if (symbol == "tip") {
    for (int r = repo.index().tip_rev(); r >= 0; --r) {
      if (Visible(repo, r)) return r;
    }
    return std::nullopt;
  }
  std::optional<int> rev = Resolve(repo, symbol);
  if (rev && !Visible(repo, *rev)) return std::nullopt;
  return rev;
}

std::vector<int> NonNullParents(const ServedRepo& repo, int rev) {
  const auto& e = repo.index().at(rev);
  std::vector<int> parents;
  if (e.p1 >= 0) parents.push_back(e.p1);
  if (e.p2 >= 0) parents.push_back(e.p2);
  return parents;
}

// Everything one request needs of a repository, read once.
struct Context {
  std::shared_ptr<const ServedRepo> repo;
  PushlogDb* db = nullptr;

  std::optional<PushRecord> PushOf(int rev) const {
    if (!db) return std::nullopt;
    auto id = db->PushIdOfNode(repo->index().NodeHex(rev));
    if (!id) return std::nullopt;
    return db->Push(*id);
  }
};

// The revset automationrelevant(rev): rev and the members of its push up
// to it; with [hgmo] automationrelevantdraftancestors (Try) instead rev,
// its non-public ancestors and the non-public members of its push up to it.
std::vector<int> AutomationRelevant(const Context& ctx, int rev) {
  const ServedRepo& repo = *ctx.repo;
  bool drafts = ConfigBool(repo, "hgmo", "automationrelevantdraftancestors", false);
  std::set<int> revs{rev};
  if (std::optional<PushRecord> push = ctx.PushOf(rev)) {
    for (const std::string& node : push->nodes) {
      std::optional<int> r = repo.index().RevOf(node);
      if (!r || *r > rev) continue;
      if (drafts && repo.visibility().phase(*r) <= kPhaseDraft) continue;
      revs.insert(*r);
    }
  }
  if (drafts) {
    std::vector<bool> ancestor(static_cast<size_t>(rev) + 1, false);
    ancestor[static_cast<size_t>(rev)] = true;
    for (int r = rev; r >= 0; --r) {
      if (!ancestor[static_cast<size_t>(r)]) continue;
      if (repo.visibility().phase(r) != kPhasePublic) revs.insert(r);
      for (int p : NonNullParents(repo, r)) ancestor[static_cast<size_t>(p)] = true;
    }
  }
  std::vector<int> out;
  for (int r : revs) {
    if (repo.IsServed(r)) out.push_back(r);
  }
  return out;
}

// The changesets a backout or revert in `rev`'s description names.
std::vector<std::string> BacksOutNodes(const ServedRepo& repo, int rev, const Changeset& cs) {
  std::vector<std::string> nodes;
  if (auto backouts = ParseBackouts(cs.description)) {
    for (const std::string& short_node : *backouts) {
      if (auto r = ResolveVisible(repo, short_node)) nodes.push_back(repo.index().NodeHex(*r));
    }
  }
  if (auto reverts = ParseReverts(cs.description)) {
    int limit = ConfigInt(repo, "hgmo", "backoutsearchlimit", 100);
    for (const std::string& git : *reverts) {
      // last(::rev, limit) and extra('git_commit', git): the newest match.
      std::vector<bool> ancestor(static_cast<size_t>(rev) + 1, false);
      ancestor[static_cast<size_t>(rev)] = true;
      int seen = 0;
      for (int r = rev; r >= 0 && seen < limit; --r) {
        if (!ancestor[static_cast<size_t>(r)]) continue;
        for (int p : NonNullParents(repo, r)) ancestor[static_cast<size_t>(p)] = true;
        if (!Visible(repo, r)) continue;
        ++seen;
        auto extras = repo.ChangesetAt(r)->extras;
        auto it = extras.find("git_commit");
        if (it != extras.end() && it->second == git) {
          nodes.push_back(repo.index().NodeHex(r));
          break;
        }
      }
    }
  }
  return nodes;
}

// The changeset that backs `rev` out, among its first descendants
// ([hgmo] backoutsearchlimit, 100), as the reference's get_backoutbynode.
std::optional<std::string> BackedOutBy(const ServedRepo& repo, int rev) {
  int limit = ConfigInt(repo, "hgmo", "backoutsearchlimit", 100);
  std::string short_node = repo.index().NodeHex(rev).substr(0, 12);
  auto cs = repo.ChangesetAt(rev);
  auto git_it = cs->extras.find("git_commit");
  std::string git = git_it == cs->extras.end() ? "" : git_it->second;
  std::vector<bool> descendant(static_cast<size_t>(repo.index().size()), false);
  descendant[static_cast<size_t>(rev)] = true;
  int count = 0;
  for (int r = rev; r <= repo.index().tip_rev(); ++r) {
    if (r != rev) {
      for (int p : NonNullParents(repo, r)) {
        if (descendant[static_cast<size_t>(p)]) descendant[static_cast<size_t>(r)] = true;
      }
    }
    if (!descendant[static_cast<size_t>(r)] || !Visible(repo, r)) continue;
    if (++count >= limit) break;
    const std::string& desc = repo.ChangesetAt(r)->description;
    if (auto backouts = ParseBackouts(desc)) {
      if (std::find(backouts->begin(), backouts->end(), short_node) != backouts->end()) {
        return repo.index().NodeHex(r);
      }
    }
    if (!git.empty()) {
      if (auto reverts = ParseReverts(desc)) {
        if (std::find(reverts->begin(), reverts->end(), git) != reverts->end()) {
          return repo.index().NodeHex(r);
        }
      }
    }
  }
  return std::nullopt;
}

// One changeset as the reference's changelistentry with its hgmo and
// pushlog additions, minus the fields json-automationrelevance deletes.
std::string ChangesetEntry(const Context& ctx, int rev, bool backouts) {
  const ServedRepo& repo = *ctx.repo;
  auto cs = repo.ChangesetAt(rev);
  JsonObject e;
  e["author"] = Str(cs->user);
  std::vector<std::string> items;
  for (const std::string& node : BacksOutNodes(repo, rev, *cs)) {
    items.push_back(Render({{"node", Str(node)}}));
  }
  e["backsoutnodes"] = List(items);
  items.clear();
  for (int64_t bug : ParseBugs(cs->description)) {
    std::string no = std::to_string(bug);
    items.push_back(Render({{"no", Str(no)}, {"url", Str(kBugUrl + no)}}));
  }
  e["bugs"] = List(items);
  e["date"] = "[" + std::to_string(cs->time) + ".0, " + std::to_string(cs->tz) + "]";
  e["desc"] = Str(cs->description);
  JsonObject extra;
  for (const auto& [k, v] : cs->extras) extra[k] = Str(v);
  e["extra"] = Render(extra);
  std::vector<std::string> files = cs->files;
  std::sort(files.begin(), files.end());
  items.clear();
  for (const std::string& f : files) items.push_back(Str(f));
  e["files"] = List(items);
  e["node"] = Str(repo.index().NodeHex(rev));
  items.clear();
  for (int p : NonNullParents(repo, rev)) items.push_back(Str(repo.index().NodeHex(p)));
  e["parents"] = List(items);
  e["phase"] = Str(PhaseName(repo.visibility().phase(rev)));
  if (std::optional<PushRecord> push = ctx.PushOf(rev)) {
    e["pushid"] = std::to_string(push->id);
    e["pushuser"] = Str(push->user);
    e["pushdate"] = "[" + std::to_string(push->date) + ", 0]";
    if (!push->nodes.empty()) e["pushhead"] = Str(push->nodes.back());
  }
  e["rev"] = std::to_string(rev);
  items.clear();
  for (const std::string& name : ParseReviewers(cs->description)) {
    items.push_back(Render({{"name", Str(name)}, {"revset", Str("reviewer(" + name + ")")}}));
  }
  e["reviewers"] = List(items);
  if (std::string th = repo.RepoConfig("mozilla", "treeherder_repo"); !th.empty()) {
    e["treeherderrepourl"] = Str("https://treeherder.mozilla.org/jobs?repo=" + th);
    e["treeherderrepo"] = Str(th);
  }
  if (auto it = cs->extras.find("convert_revision"); it != cs->extras.end()) {
    if (std::string source = repo.RepoConfig("hgmo", "convertsource"); !source.empty()) {
      e["convertsourcepath"] = Str(source);
      e["convertsourcenode"] = Str(it->second);
    }
  }
  if (auto it = cs->extras.find("moz-landing-system");
      it != cs->extras.end() && !it->second.empty()) {
    e["landingsystem"] = Str(it->second);
  }
  if (auto it = cs->extras.find("git_commit"); it != cs->extras.end() && !it->second.empty()) {
    e["git_commit"] = Str(it->second);
    std::string configured = repo.RepoConfig("mozilla", "git_repo_url");
    std::string git_url = configured.empty() ? kDefaultGitRepoUrl : configured;
    e["git_repo_url"] = Str(git_url);
  }
  if (backouts) {
    if (auto by = BackedOutBy(repo, rev)) e["backedoutby"] = Str(*by);
  }
  return Render(e);
}

Context Open(const RepoRequest& req) {
  Context ctx;
  ctx.repo = SharedServedRepos().Get(req.repo_root);
  ctx.db = ThreadPushlogDb(req.repo_root);
  return ctx;
}

// The node argument: /json-automationrelevance/REV or ?node=REV.
std::optional<std::string> NodeArg(const RepoRequest& req) {
  if (!req.path_arg.empty()) return req.path_arg;
  return Param(req, "node");
}

// automationrelevant(symbol) or the error hgweb would answer.
std::vector<int> RelevantRevs(const Context& ctx, const std::string& symbol) {
  std::optional<int> rev = Resolve(*ctx.repo, symbol);
  if (!rev) throw WebError{404, "unknown revision '" + symbol + "'"};
  return AutomationRelevant(ctx, *rev);
}

void AutomationRelevance(const RepoRequest& req, RepoResponse& res) {
  try {
    std::optional<std::string> node = NodeArg(req);
    if (!node) throw WebError{200, "missing parameter 'node'"};
    Context ctx = Open(req);
    std::vector<int> revs = RelevantRevs(ctx, *node);
    std::optional<std::string> backouts = Param(req, "backouts");
    bool with_backouts = backouts && !backouts->empty();
    std::vector<std::string> entries;
    for (int rev : revs) entries.push_back(ChangesetEntry(ctx, rev, with_backouts));
    std::string visible = revs.empty()                      ? "null"
                          : Visible(*ctx.repo, revs.back()) ? "true"
                                                            : "false";
    Send(res, 200, Template({{"changesets", List(entries)}, {"visible", visible}}));
  } catch (const WebError& e) {
    SendError(res, e);
  }
}

void PushChangedFiles(const RepoRequest& req, RepoResponse& res) {
  try {
    std::optional<std::string> node = NodeArg(req);
    if (!node) throw WebError{200, "missing parameter 'node'"};
    Context ctx = Open(req);
    std::set<std::string> files;
    for (int rev : RelevantRevs(ctx, *node)) {
      for (const std::string& f : ctx.repo->ChangesetAt(rev)->files) files.insert(f);
    }
    std::vector<std::string> items;
    for (const std::string& f : files) items.push_back(Str(f));
    Send(res, 200, Template({{"files", List(items)}}));
  } catch (const WebError& e) {
    SendError(res, e);
  }
}

void IsAncestor(const RepoRequest& req, RepoResponse& res) {
  try {
    std::optional<std::string> head = Param(req, "head");
    if (!head) throw WebError{404, "missing parameter 'head'"};
    std::optional<std::string> node = Param(req, "node");
    if (!node) throw WebError{404, "missing parameter 'node'"};
    Context ctx = Open(req);
    const ServedRepo& repo = *ctx.repo;
    std::optional<int> head_rev = ResolveVisible(repo, *head);
    if (!head_rev) throw WebError{404, "unknown head revision " + *head};
    std::optional<int> test_rev = ResolveVisible(repo, *node);
    if (!test_rev) throw WebError{404, "unknown node revision " + *node};
    bool is_ancestor = false;
    if (*test_rev <= *head_rev) {
      std::vector<bool> ancestor(static_cast<size_t>(*head_rev) + 1, false);
      ancestor[static_cast<size_t>(*head_rev)] = true;
      for (int r = *head_rev; r >= *test_rev; --r) {
        if (!ancestor[static_cast<size_t>(r)]) continue;
        for (int p : NonNullParents(repo, r)) ancestor[static_cast<size_t>(p)] = true;
      }
      is_ancestor = ancestor[static_cast<size_t>(*test_rev)];
    }
    Send(res, 200,
         Template({{"headnode", Str(repo.index().NodeHex(*head_rev))},
                   {"testnode", Str(repo.index().NodeHex(*test_rev))},
                   {"isancestor", is_ancestor ? "true" : "false"}}));
  } catch (const WebError& e) {
    SendError(res, e);
  }
}

// The group that owns the repository: .hg/moz-owner, else the group of its
// directory, else "<unknown>" (mozhg.util.repo_owner).
std::string GroupOwner(const std::string& root) {
  std::string owner = ReadFileOrEmpty(root + "/.hg/moz-owner");
  while (!owner.empty() && std::isspace(static_cast<unsigned char>(owner.back()))) owner.pop_back();
  while (!owner.empty() && std::isspace(static_cast<unsigned char>(owner.front())))
    owner.erase(0, 1);
  if (!owner.empty()) return owner;
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) return "<unknown>";
  std::vector<char> buf(16384);
  struct group g {};
  struct group* found = nullptr;
  if (::getgrgid_r(st.st_gid, &g, buf.data(), buf.size(), &found) != 0 || !found) {
    return "<unknown>";
  }
  return found->gr_name;
}

void RepoInfo(const RepoRequest& req, RepoResponse& res) {
  Send(res, 200, Template({{"group_owner", Str(GroupOwner(req.repo_root))}}));
}

}  // namespace

void RegisterHgmoCommands(RepoCommands& commands) {
  commands.Register("json-automationrelevance", AutomationRelevance);
  commands.Register("json-pushchangedfiles", PushChangedFiles);
  commands.Register("json-isancestor", IsAncestor);
  commands.Register("json-repoinfo", RepoInfo);
}

}  // namespace hgc
