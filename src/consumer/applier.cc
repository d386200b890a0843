#include "consumer/applier.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "common/clock.h"
#include "common/crash_point.h"
#include "common/error.h"
#include "common/logline.h"
#include "common/text.h"
#include "hg/repo_digest.h"
#include "hg/repo_state.h"
#include "hg/revlog_index.h"
#include "hg/tags_cache.h"
#include "message/push_bundle.h"
#include "pushlog/pushlog_db.h"
#include "routing/confined_path.h"
#include "routing/rewrites.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

int TipRev(const std::string& local) {
  try {
    return ChangelogIndex::Load(local).tip_rev();
  } catch (const Error&) {
    return -1;
  }
}

}  // namespace

Applier::Applier(const ConsumerConfig& config, HgRunner& hg, std::string logger)
    : config_(config),
      hg_(hg),
      logger_(std::move(logger)),
      verify_(VerifyStateFile(config.state_dir, config.group)) {}

void Applier::Log(const std::string& line) const { LogLine(logger_, line); }

std::string Applier::LocalPath(const std::string& wire_path) const {
  return ConfineWirePath(config_.path_rewrites, wire_path, config_.allow_symlinks).local;
}

// The web front resolves tag names from hg's cache of the global tags
// (hg/tags_cache.h), which is current only until the next change: have hg
// compute the tags, which rewrites it. `{tags}` of one changeset does that
// without listing them (`hg tags` resolves and prints each: ~0.6 s more
// with 8,000 release tags). Best effort: a stale cache makes the web front
// answer "unknown revision" for a global tag, nothing worse.
void Applier::RefreshTagsCache(const std::string& local) {
  if (!HasTagsFileLog(local)) return;
  ProcessResult r = hg_.Run(local, {"log", "-r", "tip", "-T", "{tags}"});
  if (!r.ok()) {
    Log(fmt::format("could not refresh the tags cache of {} ({}): {}", local, r.exit_code,
                    TrimRight(r.err)));
  }
}

ProcessResult Applier::RunLogged(const std::string& repo, const std::vector<std::string>& args) {
  std::string shown = hg_.hg_path();
  for (const auto& a : args) shown += " " + ShellQuote(a);
  ProcessResult r = hg_.Run(repo, args);
  std::vector<std::string> lines{"  $ " + shown};
  for (const std::string* stream : {&r.out, &r.err}) {
    std::istringstream text(*stream);
    std::string line;
    while (std::getline(text, line)) lines.push_back("  > " + line);
  }
  lines.push_back(fmt::format("  [{}]", r.exit_code));
  LogLines(logger_, lines);
  return r;
}

void Applier::RunChecked(const std::string& repo, const std::vector<std::string>& args) {
  ProcessResult r = RunLogged(repo, args);
  if (!r.ok()) {
    throw Error(ErrorKind::kHgFailed,
                fmt::format("({}, b'{}', b'{}')", r.exit_code, TrimRight(r.out), TrimRight(r.err)));
  }
}

void Applier::EnsureRepo(const std::string& local) {
  if (fs::exists(local + "/.hg")) return;
  std::error_code ec;
  fs::create_directories(fs::path(local).parent_path(), ec);
  ProcessResult r = hg_.Run("", {"init", "--", local});
  if (!r.ok() && !fs::exists(local + "/.hg")) {
    throw Error(ErrorKind::kHgFailed,
                fmt::format("hg init {} failed ({}): {}", local, r.exit_code, TrimRight(r.err)));
  }
  Log("created Mercurial repository: " + local);
}

namespace {

// The head hg names in "abort: filtered revision '<node>' (not in 'served'
// subset)": a changeset the leader hides now (obsoleted by a later push).
std::optional<std::string> FilteredHead(const std::string& err) {
  static const std::regex re("filtered revision '([0-9a-f]{40})'");
  std::smatch match;
  if (std::regex_search(err, match, re)) return match[1].str();
  return std::nullopt;
}

}  // namespace

void Applier::Pull(const std::string& local, const Message& m) {
  auto url = WirePathToPullUrl(config_.pull_url_rewrites, m.path);
  std::vector<std::string> heads = m.heads;
  auto pull_args = [&] {
    std::vector<std::string> args{"pull"};
    for (const auto& h : heads) args.push_back("-r" + h);
    args.push_back("--config=firefoxtree.replication=true");
    if (auto hook = CrashDuringPullHook()) args.push_back("--config=" + *hook);
    args.push_back("--");
    args.push_back(url.value_or("default"));
    return args;
  };
  std::vector<std::string> args = pull_args();
  ProcessResult r = RunLogged(local, args);
  // A mirror that is behind may ask for a head the leader has hidden since
  // (amended, pruned): the later event that hid it brings its successor and
  // the marker. Pull what is still visible; a mirror must not hold what the
  // leader no longer serves.
  while (!r.ok() && m.type == MessageType::kChangegroup) {
    auto hidden = FilteredHead(r.err);
    auto it = hidden ? std::find(heads.begin(), heads.end(), *hidden) : heads.end();
    if (it == heads.end()) break;
    heads.erase(it);
    Log(fmt::format(
        "head {} is hidden on the leader now (obsoleted by a later push); not pulling it",
        *hidden));
    if (heads.empty()) return;
    args = pull_args();
    r = RunLogged(local, args);
  }
  bool recover = r.err.find("run 'hg recover'") != std::string::npos;
  if (!r.ok() && recover) {
    Log("attempting to autorecover from abandoned transaction");
    ProcessResult rec = RunLogged(local, {"recover"});
    if (!rec.ok()) {
      Log("`hg recover` failed to automatically resolve the problem");
    } else {
      r = RunLogged(local, args);
    }
  }
  // A sync of an empty leader pulls -r NULL; hg exits 1 for "no changes".
  bool tolerate_one = m.type == MessageType::kRepoSync && r.exit_code == 1;
  if (!r.ok() && !tolerate_one) {
    throw Error(ErrorKind::kHgFailed,
                fmt::format("({}, b'{}', b'{}')", r.exit_code, TrimRight(r.out), TrimRight(r.err)));
  }
}

bool Applier::ApplyBundle(const std::string& local, const Message& m) {
  if (!config_.apply_bundles) return false;
  if (!m.bundle) {
    if (!m.bundle_problem.empty()) Log(m.bundle_problem);
    return false;
  }
  std::string stored;  // the store's copy, checked like an inline bundle
  if (!m.bundle->data) {
    if (config_.bundle_store.empty()) {
      Log("the event's bundle is in the bundle store, which this mirror does not read "
          "([consumer] bundle_store); pulling instead");
      return false;
    }
    std::string path = config_.bundle_store + "/" + PushBundleName(m.bundle->ref.sha256);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      Log(fmt::format("the event's bundle {} is not in the bundle store; pulling instead", path));
      return false;
    }
    stored.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    try {
      CheckPushBundle(stored, m.bundle->ref);
    } catch (const Error& e) {
      Log(fmt::format("{} (in {})", e.what(), path));
      return false;
    }
  }
  const std::string& bytes = m.bundle->data ? *m.bundle->data : stored;
  // Inside the repository's .hg: same filesystem, gone with the repository.
  std::string file = local + "/.hg/hgcluster-incoming.hg";
  try {
    WriteFileAtomic(file, bytes);
  } catch (const std::exception& e) {
    Log(fmt::format("cannot write the event's bundle ({}); pulling instead", e.what()));
    return false;
  }
  std::vector<std::string> args{"unbundle"};
  // The crash point of the changesets' transaction, as for a pull.
  if (auto hook = CrashDuringPullHook()) args.push_back("--config=" + *hook);
  args.insert(args.end(), {"--", file});
  ProcessResult r = RunLogged(local, args);
  std::error_code ec;
  fs::remove(file, ec);
  if (!r.ok()) {
    Log(fmt::format("the event's bundle did not apply ({}); pulling instead", TrimRight(r.err)));
    return false;
  }
  ChangelogIndex index = ChangelogIndex::Load(local);
  for (const auto& head : m.heads) {
    if (!index.RevOf(head)) {
      Log(fmt::format("the event's bundle did not bring head {}; pulling instead", head));
      return false;
    }
  }
  return true;
}

void Applier::WriteHgrc(const std::string& local, const std::optional<std::string>& content) {
  std::string path = local + "/.hg/hgrc";
  if (content) {
    Log("writing hgrc: " + path);
    WriteFileAtomic(path, *content);
  } else if (fs::exists(path)) {
    Log("deleting hgrc from " + local);
    fs::remove(path);
  }
}

void Applier::WriteCloneBundlesManifest(const std::string& local,
                                        const std::optional<std::string>& content) {
  std::string path = local + "/.hg/clonebundles.manifest";
  if (content) {
    Log("writing clonebundles manifest: " + path);
    WriteFileAtomic(path, *content);
  } else if (fs::exists(path)) {
    Log("deleting local clonebundles.manifest from " + local);
    fs::remove(path);
  }
}

void Applier::Delete(const Message& m) {
  std::string local = LocalPath(m.path);
  if (config_.backup) {
    Log("node is a backup; ignoring delete for " + local);
    return;
  }
  if (!fs::exists(local)) {
    Log("delete message received for path that does not exist: " + local);
    return;
  }
  std::string name = m.path;
  for (char& c : name) {
    if (c == '/' || c == '{' || c == '}') c = '_';
  }
  std::error_code ec;
  fs::create_directories(config_.todelete_path, ec);
  auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  std::string staging = fmt::format("{}/{}.{}", config_.todelete_path, name, stamp);
  fs::rename(local, staging, ec);
  if (ec == std::errc::cross_device_link) {
    // The repositories are on a file system of their own: stage the
    // repository beside itself (one rename, so readers see all or nothing).
    staging = fmt::format("{}/.hgcluster-deleting-{}.{}", fs::path(local).parent_path().string(),
                          fs::path(local).filename().string(), stamp);
    ec.clear();
    fs::rename(local, staging, ec);
  }
  if (ec) {
    throw Error(ErrorKind::kIo,
                fmt::format("could not delete repo at {}: {}", local, ec.message()));
  }
  fs::remove_all(staging, ec);
  Log("repository at " + local + " deleted");
}

void Applier::StripLocal(const std::string& local, const Message& m) {
  auto it = m.body.find("strip");
  if (it == m.body.end() || !it->is_array() || it->empty()) return;
  ChangelogIndex index = ChangelogIndex::Load(local);
  std::vector<std::string> args{"--config=extensions.strip=", "strip", "--no-backup", "--hidden"};
  size_t present = 0;
  for (const auto& n : *it) {
    if (n.is_string() && index.RevOf(n.get<std::string>())) {
      args.push_back("-r" + n.get<std::string>());
      ++present;
    }
  }
  Log(fmt::format("stripping {} of {} changesets stripped on the leader from {}", present,
                  it->size(), local));
  if (present) RunChecked(local, args);
}

// A fresh clone from the leader swapped in with one rename(2) exchange:
// clients see the old repository or the new one, never a missing one.
// Puts `fresh` where `local` is, atomically when `local` exists (a reader
// sees the old repository or the new one, never neither), and removes the old.
void Applier::SwapIn(const std::string& fresh, const std::string& local) {
  std::error_code ec;
  if (fs::exists(local)) {
    if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, local.c_str(), RENAME_EXCHANGE) != 0) {
      throw Error(ErrorKind::kIo,
                  fmt::format("cannot swap {} into place: {}", fresh, std::strerror(errno)));
    }
    fs::remove_all(fresh, ec);
  } else {
    fs::rename(fresh, local);
  }
}

std::string Applier::CloneFresh(const std::string& local, const Message& m, const char* why) {
  auto url = WirePathToPullUrl(config_.pull_url_rewrites, m.path);
  if (!url) {
    throw Error(ErrorKind::kConfig,
                fmt::format("cannot {} {}: no pull URL rewrite matches", why, m.path));
  }
  std::string fresh = local + ".hgcluster-reclone";
  std::error_code ec;
  fs::remove_all(fresh, ec);
  fs::create_directories(fs::path(local).parent_path(), ec);
  Log(fmt::format("{} {} from {}", why, local, *url));
  // With the markers relevant to what is cloned (amends, prunes with their
  // parents): a repository re-cloned without them lost every marker of the
  // events before the repair (found by the fault campaign).
  RunChecked(
      "", {"--config", "experimental.evolution=all", "clone", "-U", "--pull", "--", *url, fresh});
  return fresh;
}

void Applier::Reclone(const std::string& local, const Message& m) {
  std::string fresh = CloneFresh(local, m, "recloning");
  std::error_code ec;
  WriteHgrc(fresh, m.hgrc);
  if (fs::exists(local + "/.hg/replicated-data")) {
    fs::copy_file(local + "/.hg/replicated-data", fresh + "/.hg/replicated-data",
                  fs::copy_options::overwrite_existing, ec);
  }
  if (m.pushes) {
    PushlogDb::OpenForWrite(fresh)->ReplaceWith(*m.pushes, ChangelogIndex::Load(fresh));
  }
  WriteFileAtomic(fresh + "/.hg/hgcluster-recloned", fmt::format("{:.6f}\n", m.created));
  SwapIn(fresh, local);
  Log(fmt::format("recloned {} ({} changesets)", local, TipRev(local) + 1));
}

// A fresh clone from the leader with everything this mirror replicated into
// the old repository carried over: the hgrc and clone bundles manifest the
// leader sent, the pushlog (its rows re-pointed at the new revisions), the
// fully replicated heads and the applied-offset marker. The clone has every
// changeset the leader has now, so it holds at least what the events up to
// the parked one would have brought; the parked event is then applied to it
// as usual.
void Applier::Repair(const Message& m) {
  std::string local = LocalPath(m.path);
  std::string fresh = CloneFresh(local, m, "repairing");
  std::error_code ec;
  for (const char* f : {"hgrc", "clonebundles.manifest", "clonebundles.manifest.old",
                        "replicated-data", "hgcluster-applied", "hgcluster-recloned"}) {
    std::string from = local + "/.hg/" + f;
    if (fs::exists(from, ec)) {
      fs::copy_file(from, fresh + "/.hg/" + f, fs::copy_options::overwrite_existing);
    }
  }
  if (auto old = PushlogDb::OpenReadOnly(local)) {
    auto pushes = old->PushesFrom(0);
    old.reset();
    auto unknown = PushlogDb::OpenForWrite(fresh)->ReplaceWith(pushes, ChangelogIndex::Load(fresh));
    if (!unknown.empty()) {
      Log(fmt::format("{} pushlog changesets of {} are not on the leader any more; dropped",
                      unknown.size(), local));
    }
  }
  SwapIn(fresh, local);
  Log(fmt::format("repaired {}: a fresh clone from the leader ({} changesets)", local,
                  TipRev(local) + 1));
}

void Applier::ApplyPushes(const std::string& local, const Message& m) {
  if (!m.pushes) return;
  // Same ids, users and dates as the leader; revisions are this repository's.
  // A sync carries the whole pushlog: it replaces the changeset rows (after
  // a strip on the leader, revisions moved).
  auto db = PushlogDb::OpenForWrite(local);
  auto unknown = m.type == MessageType::kRepoSync
                     ? db->ReplaceWith(*m.pushes, ChangelogIndex::Load(local))
                     : db->ApplyReplicated(*m.pushes, ChangelogIndex::Load(local));
  if (!unknown.empty()) {
    std::string nodes;
    for (const auto& n : unknown) nodes += (nodes.empty() ? "" : ", ") + n;
    Log("received pushlog entry for unknown changeset " + nodes + "; ignoring");
  }
  Log(fmt::format("added {} pushes", m.pushes->size()));
}

// hg refuses a pushkey whose `old` is not the current value (unless the
// current value already is `new`). A mirror that is behind gets there when a
// pull for an earlier event brought the leader's newer bookmarks or phases:
// the precondition of this event no longer holds although nothing is wrong.
// Converge instead of failing: after this event the mirror holds what the
// leader held after it. A bookmark is compared-and-set from its current value
// to the event's; a phase that is already as public as the event's or more is
// left alone (phases only move towards public here), a less public one is
// advanced. Anything else (unknown namespace, a changeset the mirror lacks)
// stays an error.
bool Applier::ConvergePushkey(const std::string& local, const Message& m) {
  if (m.ns == "bookmarks") {
    ProcessResult list = RunLogged(local, {"debugpushkey", "--", local, "bookmarks"});
    if (!list.ok()) return false;
    std::string current;
    std::istringstream lines(list.out);
    for (std::string line; std::getline(lines, line);) {
      auto tab = line.find('\t');
      if (tab != std::string::npos && line.substr(0, tab) == m.key)
        current = TrimRight(line.substr(tab + 1));
    }
    if (current == m.new_value) return true;
    Log(fmt::format(
        "bookmark {} is at {} on this mirror, not {}; setting it to {} as on the leader", m.key,
        current.empty() ? "(none)" : current, m.old_value.empty() ? "(none)" : m.old_value,
        m.new_value.empty() ? "(deleted)" : m.new_value));
    return RunLogged(local, {"debugpushkey", "--", local, "bookmarks", m.key, current, m.new_value})
        .ok();
  }
  if (m.ns == "phases") {
    int wanted = 0;
    try {
      wanted = std::abs(std::stoi(m.new_value));
    } catch (const std::exception&) {
      return false;
    }
    ProcessResult phase = RunLogged(local, {"log", "--hidden", "-r", m.key, "-T", "{phaseidx}"});
    if (!phase.ok()) return false;
    int current = 0;
    try {
      current = std::stoi(TrimRight(phase.out));
    } catch (const std::exception&) {
      return false;
    }
    if (current <= wanted) {
      Log(fmt::format("changeset {} is already in phase {} on this mirror (event: {} -> {})", m.key,
                      current, m.old_value, m.new_value));
      return true;
    }
    return RunLogged(local, {"debugpushkey", "--", local, "phases", m.key, std::to_string(current),
                             m.new_value})
        .ok();
  }
  return false;
}

bool Applier::AlreadyApplied(const std::string& local, int partition, int64_t offset) const {
  std::istringstream in(ReadFileOrEmpty(local + "/.hg/hgcluster-applied"));
  std::string topic;
  int p = -1;
  int64_t o = -1;
  in >> topic >> p >> o;
  return topic == config_.topic && p == partition && o >= offset;
}

void Applier::MarkApplied(const std::string& local, int partition, int64_t offset) const {
  if (!fs::exists(local + "/.hg")) return;
  WriteFileAtomic(local + "/.hg/hgcluster-applied",
                  fmt::format("{} {} {}\n", config_.topic, partition, offset));
}

void Applier::Apply(const Message& m, int partition, int64_t offset) {
  if (m.type == MessageType::kHeartbeat || m.type == MessageType::kHeads) return;
  std::string local = LocalPath(m.path);
  if (m.type != MessageType::kRepoDelete && AlreadyApplied(local, partition, offset)) {
    Log(fmt::format("{} already applied to {} (offset {}); skipping", m.name, local, offset));
    return;
  }
  if (m.type == MessageType::kRepoVerify) {
    Verify(m, partition, offset);
  } else {
    ApplyOnce(m);
  }
  if (m.type != MessageType::kRepoDelete) MarkApplied(local, partition, offset);
  CrashPoint("after-apply");
}

void Applier::ApplyOnce(const Message& m) {
  std::string local = LocalPath(m.path);
  switch (m.type) {
    case MessageType::kHeartbeat:
    case MessageType::kHeads:
    case MessageType::kRepoVerify:  // Apply() runs Verify()
      return;
    case MessageType::kRepoInit:
      if (fs::exists(local + "/.hg")) {
        Log("repository already exists: " + local);
        return;
      }
      EnsureRepo(local);
      return;
    case MessageType::kHgrcUpdate:
      if (!fs::exists(local + "/.hg")) {
        throw Error(ErrorKind::kNotFound,
                    fmt::format("cannot write hgrc: repository {} does not exist", local));
      }
      WriteHgrc(local, m.hgrc);
      return;
    case MessageType::kChangegroup: {
      if (m.heads.empty()) return;
      EnsureRepo(local);
      auto url = WirePathToPullUrl(config_.pull_url_rewrites, m.path);
      std::string heads;
      for (const auto& h : m.heads) heads += (heads.empty() ? "" : ", ") + h;
      int before = TipRev(local);
      CrashPoint("before-pull");
      if (config_.apply_bundles && m.bundle) {
        Log(
            fmt::format("applying {} heads ({}) and {} nodes from the event's bundle ({} bytes{}) "
                        "into {}",
                        m.heads.size(), heads, m.nodecount, m.bundle->ref.size,
                        m.bundle->data ? "" : ", bundle store", local));
      }
      if (!ApplyBundle(local, m)) {
        Log(fmt::format("pulling {} heads ({}) and {} nodes from {} into {}", m.heads.size(), heads,
                        m.nodecount, url.value_or("None"), local));
        Pull(local, m);
      }
      CrashPoint("after-pull");
      int after = TipRev(local);
      if (after - before != m.nodecount) {
        Log(fmt::format("mismatch between expected and actual changeset count: expected {}, got {}",
                        m.nodecount, after - before));
      }
      Log(fmt::format("pulled {} changesets into {}", after - before, local));
      ApplyPushes(local, m);
      RefreshTagsCache(local);
      return;
    }
    case MessageType::kPushkey: {
      Log(fmt::format("executing pushkey on {} for {}[{}]", local, m.ns, m.key));
      std::vector<std::string> args;
      // Markers are taken whatever this repository's own settings (the
      // leader had them on); whether they hide anything is for its hgrc.
      if (m.ns == "obsolete") args = {"--config", "experimental.evolution.createmarkers=true"};
      args.insert(args.end(), {"debugpushkey", "--", local, m.ns, m.key, m.old_value, m.new_value});
      ProcessResult r = RunLogged(local, args);
      if (r.exit_code != 0 && r.exit_code != m.ret && !ConvergePushkey(local, m)) {
        throw Error(ErrorKind::kHgFailed, fmt::format("({}, b'{}', b'{}')", r.exit_code,
                                                      TrimRight(r.out), TrimRight(r.err)));
      }
      // Only markers hide changesets, and a phase move to public unhides an
      // obsolete one; bookmarks never change which tags are visible.
      if (m.ns == "obsolete" ||
          (m.ns == "phases" && std::filesystem::exists(local + "/.hg/store/obsstore"))) {
        RefreshTagsCache(local);
      }
      return;
    }
    case MessageType::kRepoSync: {
      if (m.bootstrap) return;
      if (m.body.value("reclone", false)) {
        Reclone(local, m);
        RefreshTagsCache(local);
        return;
      }
      EnsureRepo(local);
      StripLocal(local, m);
      WriteHgrc(local, m.hgrc);
      Log(fmt::format("pulling {} heads into {}", m.heads.size(), local));
      int before = TipRev(local);
      Pull(local, m);
      Log(fmt::format("pulled {} changesets into {}", TipRev(local) - before, local));
      ApplyPushes(local, m);
      RefreshTagsCache(local);
      // After the pull, so the advertised bundles never name changesets the
      // mirror lacks for longer than necessary.
      if (m.has_clonebundles_manifest) WriteCloneBundlesManifest(local, m.clonebundles_manifest);
      return;
    }
    case MessageType::kRepoDelete:
      Delete(m);
      return;
  }
}

nlohmann::json Applier::LocalDigest(const std::string& local) const {
  std::optional<int64_t> last_push_id;
  if (auto db = PushlogDb::OpenReadOnly(local)) last_push_id = db->LastPushId();
  return ComputeRepoDigest(local, last_push_id);
}

// Every event before this one in the partition has been applied to the
// repository, so it should hold what the leader held when it computed the
// digest. Pushes that landed on the leader between the digest and the send
// are applied before it here: a mirror with more pushes than the digest is
// not comparable ("moved"). Fewer pushes, or any other difference, is a
// divergence: the repository is re-cloned from the leader (Repair, keeping
// hgrc, pushlog and replicated heads). The verdict, with what differed, goes
// to verify-<group>.json.
void Applier::Verify(const Message& m, int partition, int64_t offset) {
  std::string local = LocalPath(m.path);
  VerifyResult result;
  result.repo = m.path;
  result.partition = partition;
  result.offset = offset;
  auto compare = [&]() -> std::vector<std::string> {
    if (!fs::exists(local + "/.hg")) return {"repository: missing on this mirror"};
    try {
      return CompareRepoDigests(m.digest, LocalDigest(local));
    } catch (const Error& e) {
      return {fmt::format("repository: cannot be read: {}", e.what())};
    }
  };
  auto ahead = [&] {
    const auto& leader = m.digest.value("last_push_id", nlohmann::json(nullptr));
    if (!leader.is_number_integer() || !fs::exists(local + "/.hg")) return false;
    auto db = PushlogDb::OpenReadOnly(local);
    return db && db->LastPushId() > leader.get<int64_t>();
  };
  if (ahead()) {
    result.result = "moved";
    Log(fmt::format("verify {}: pushes landed after the leader's digest; not comparable", local));
  } else if (result.differences = compare(); result.differences.empty()) {
    result.result = "ok";
    Log(fmt::format("verify {}: same as the leader", local));
  } else {
    for (const auto& d : result.differences) {
      Log(fmt::format("verify {}: differs from the leader: {}", local, d));
    }
    result.result = "diverged";
    if (config_.repair_diverged) {
      try {
        Repair(m);
        result.result = "repaired";
      } catch (const Error& e) {
        // The verdict stands; the event is not retried (nothing to apply).
        Log(fmt::format("verify {}: could not repair: {}", local, e.what()));
        result.differences.push_back(fmt::format("repair failed: {}", e.what()));
      }
    }
  }
  result.at = std::floor(WallNow() * 1000) / 1000;  // to the millisecond
  verify_.Record(result);
}

}  // namespace hgc
