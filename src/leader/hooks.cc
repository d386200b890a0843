#include "leader/hooks.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "common/clock.h"
#include "common/digest.h"
#include "common/error.h"
#include "hg/obsmarker_pushkey.h"
#include "hg/obsstore.h"
#include "hg/repo_state.h"
#include "hg/repo_visibility.h"
#include "hg/revlog_index.h"
#include "leader/leader_repo.h"
#include "leader/producer.h"
#include "leader/readonly.h"
#include "leader/served_wait.h"
#include "log/message_size.h"
#include "message/message.h"
#include "message/push_bundle.h"
#include "pushlog/push_user.h"
#include "pushlog/pushlog_db.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

// One file per transaction: hg runs txnclose and changegroup hooks after it
// released the repository's lock, so the next push's pretxnopen may run
// before them; with one file for all it would overwrite this one's state.
std::string TxnStatePath(const std::string& root, const std::string& txnid) {
  std::string name;
  for (char ch : txnid) {
    if (std::isalnum(static_cast<unsigned char>(ch))) name.push_back(ch);
  }
  if (name.empty() || name.size() > 100 || name.size() + 1 < txnid.size()) {
    name = Sha256Hex(txnid).substr(0, 40);  // not hg's "TXN:<hex>": any id has a file
  }
  return root + "/.hg/hgcluster-txn-" + name + ".json";
}

// State files of transactions whose closing hooks never ran (a killed hg)
// go after a day.
void SweepTxnStates(const std::string& root) {
  std::error_code ec;
  auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(root + "/.hg", ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("hgcluster-txn-") || !name.ends_with(".json")) continue;
    auto written = fs::last_write_time(entry.path(), ec);
    if (!ec && now - written > std::chrono::hours(24)) fs::remove(entry.path(), ec);
  }
}

// The `obsolete` pushkeys of the markers this transaction added: those after
// the obsstore's size at pretxnopen (markers another transaction appended
// since are sent again, which changes nothing), or the last HG_NEW_OBSMARKERS
// when the obsstore was rewritten in between.
std::map<std::string, std::string> NewObsMarkerPushkeys(const HookContext& c,
                                                        const std::string& root,
                                                        const nlohmann::json& state) {
  int64_t added = 0;
  try {
    added = std::stoll(c.Env("HG_NEW_OBSMARKERS"));
  } catch (const std::exception&) {
    return {};
  }
  if (added <= 0) return {};
  std::optional<std::vector<ObsMarker>> markers;
  if (state.contains("obsstore_size")) {
    markers = ReadObsStoreFrom(root, state["obsstore_size"].get<uint64_t>());
  }
  if (!markers || markers->size() < static_cast<size_t>(added)) {
    std::vector<ObsMarker> all = ReadObsStore(root);
    size_t n = std::min(all.size(), static_cast<size_t>(added));
    markers.emplace(all.end() - static_cast<std::ptrdiff_t>(n), all.end());
  }
  return ObsMarkerPushkeys(*markers);
}

void AppendObsoletePushkeys(std::vector<nlohmann::json>& messages, const std::string& wire,
                            const std::map<std::string, std::string>& dumps) {
  for (const auto& [key, value] : dumps) {
    messages.push_back(MakePushkey(wire, "obsolete", key, "", value, 0, WallNow()));
  }
}

double Elapsed(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Heartbeats the partition of the repository at `root`, the "is the log
// writable?" probe before anything is written. Returns the hook's status: 1
// with the reference's message when the log refuses or the path is not
// replicated.
int HeartbeatOrRefuse(const HookContext& c, Producer& producer, const std::string& root) {
  try {
    std::string wire = producer.WirePath(root);
    producer.SendHeartbeat(producer.PartitionFor(wire));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kConfig || e.kind() == ErrorKind::kNotMaster) {
      c.out() << e.what() << std::endl;
      return 1;
    }
    c.out() << "replication log not available; all writes disabled" << std::endl;
    c.err() << "(" << e.what() << ")" << std::endl;
    return 1;
  }
  return 0;
}

int Pretxnopen(const HookContext& c, Producer& producer) {
  std::string root = c.cwd;
  if (int status = HeartbeatOrRefuse(c, producer, root)) return status;
  SweepTxnStates(root);
  nlohmann::json state;
  state["txnid"] = c.Env("HG_TXNID");
  state["bookmarks"] = ReadBookmarks(root);
  state["obsstore_size"] = ObsStoreSize(root);
  nlohmann::json roots = nlohmann::json::object();
  for (const auto& [phase, nodes] : ReadPhaseRoots(root)) roots[std::to_string(phase)] = nodes;
  state["phaseroots"] = roots;
  try {
    WriteFileAtomic(TxnStatePath(root, c.Env("HG_TXNID")), state.dump(), FileSync::kVolatile);
  } catch (const Error& e) {
    c.out() << "cannot record transaction state: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}

std::string PushlogTxnPath(const std::string& root) { return root + "/.hg/hgcluster-pushlog-txn"; }

// SQLite's own words ("database is locked"), as the reference prints them.
std::string ShortSqliteMessage(const std::string& what) {
  auto pos = what.rfind(": ");
  return pos == std::string::npos ? what : what.substr(pos + 2);
}

// The changegroup hook writes the push's events once the transaction has
// committed; if they could not fit in one record of the log the push would
// land on the leader and never reach the mirrors. So they are built here,
// from the pending changelog, and a push whose events cannot fit is refused
// while it can still be rolled back (Error(kTooLarge)). Most pushes are far
// below the limit even counting every revision as a head: those build
// nothing.
void CheckPushEventsFit(const HookContext& c, Producer& producer, const std::string& root,
                        const ChangelogIndex& index, int first, const std::string& user,
                        const std::vector<std::string>& nodes) {
  MessageLimit limit =
      MessageLimitFor(producer.config().log_url, producer.config().max_message_bytes);
  int64_t bound =
      43 * (static_cast<int64_t>(index.size()) + 2 * static_cast<int64_t>(nodes.size())) +
      static_cast<int64_t>(user.size()) + 64 * 1024;
  if (bound + 2048 <= limit.max_bytes) return;
  std::string wire = producer.WirePath(root);
  nlohmann::json changegroup =
      MakeChangegroup(wire, c.Env("HG_SOURCE"), static_cast<int64_t>(nodes.size()),
                      HeadsFrom(index, first), WallNow());
  AttachPushes(changegroup, {PushRecord{0, user, static_cast<int64_t>(::time(nullptr)), nodes}});
  producer.CheckFits({changegroup, MakeHeads(wire, HeadsNewestFirst(index), 0, WallNow())},
                     "the changegroup and heads events of this push");
}

// §1.2: one pushlog row for the changesets this transaction adds, written
// under hg's lock just before the transaction closes (so push ids follow
// revision order). If the transaction then aborts, Txnabort removes it; if
// the process dies before hg commits, the next push removes the stale rows.
int RecordPush(const HookContext& c, Producer& producer, const IniFile* settings_ini) {
  std::string first_node = c.Env("HG_NODE");
  if (first_node.empty()) return 0;
  std::string source = c.Env("HG_SOURCE");
  if (source != "push" && source != "serve") {
    c.out() << "(not updating pushlog since changesets come from " << source << ")" << std::endl;
    return 0;
  }
  auto user = ResolvePushUser(
      PushUserSettings::FromIni(settings_ini), [&c](const char* name) { return c.Env(name); },
      c.os_account);
  if (!user) {
    c.out() << "authenticated user not found; refusing to write into pushlog" << std::endl;
    return 1;
  }
  if (user->landing_bot) c.out() << "autoland or landing worker push detected" << std::endl;
  std::string root = c.cwd;
  try {
    ChangelogIndex index = ChangelogIndex::LoadPending(root, c.Env("HG_PENDING"));
    auto first = index.RevOf(first_node);
    std::optional<int> last = index.tip_rev();
    if (!c.Env("HG_NODE_LAST").empty()) last = index.RevOf(c.Env("HG_NODE_LAST"));
    if (!first || !last || *last < *first) {
      throw Error(ErrorKind::kNotFound, "the pushed changesets are not in the changelog");
    }
    int timeout = settings_ini
                      ? static_cast<int>(settings_ini->GetDouble("pushlog", "timeoutrw", 30000))
                      : 30000;
    auto db = PushlogDb::OpenForWrite(root, timeout);
    for (const auto& node : db->RemoveStaleChangesets(index, *first)) {
      c.out() << "changeset will be deleted from pushlog: " << node << std::endl;
    }
    std::vector<int> revs;
    std::vector<std::string> nodes;
    for (int r = *first; r <= *last; ++r) {
      revs.push_back(r);
      nodes.push_back(index.NodeHex(r));
    }
    CheckPushEventsFit(c, producer, root, index, *first, user->user, nodes);
    int64_t id = db->RecordPush(user->user, static_cast<int64_t>(::time(nullptr)), revs, nodes);
    WriteFileAtomic(PushlogTxnPath(root), fmt::format("{} {}\n", c.Env("HG_TXNID"), id),
                    FileSync::kVolatile);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kTooLarge) {
      c.out() << "push refused: " << e.what() << std::endl;
      return 1;
    }
    c.out() << "error recording into pushlog (" << ShortSqliteMessage(e.what())
            << "); please retry your push" << std::endl;
    return 1;
  }
  c.out() << "recorded push in pushlog" << std::endl;
  return 0;
}

int Pretxnclose(const HookContext& c, Producer& producer, const IniFile* settings_ini) {
  try {
    producer.SendHeartbeat(producer.PartitionFor(producer.WirePath(c.cwd)));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotMaster) {
      c.out() << e.what() << "; cannot close transaction" << std::endl;
      return 1;
    }
    c.out() << "replication log not available; cannot close transaction" << std::endl;
    c.err() << "(" << e.what() << ")" << std::endl;
    return 1;
  }
  return RecordPush(c, producer, settings_ini);
}

// The transaction that recorded a push was rolled back: so is its row.
int Txnabort(const HookContext& c) {
  std::string root = c.cwd;
  std::error_code ec;
  fs::remove(TxnStatePath(root, c.Env("HG_TXNID")), ec);
  std::istringstream in(ReadFileOrEmpty(PushlogTxnPath(root)));
  std::string txnid;
  int64_t id = 0;
  if (!(in >> txnid >> id) || txnid != c.Env("HG_TXNID")) return 0;
  c.out() << "rolling back pushlog" << std::endl;
  try {
    if (auto db = PushlogDb::OpenForWrite(root)) db->RemovePush(id);
    std::filesystem::remove(PushlogTxnPath(root));
  } catch (const std::exception& e) {
    // The next push removes rows of changesets that never landed.
    c.out() << "could not roll back pushlog: " << e.what() << std::endl;
  }
  return 0;
}

// Pushlog rows of the changesets HG_NODE..HG_NODE_LAST, for the event.
std::vector<PushRecord> PushesOfChangegroup(const HookContext& c, const std::string& root) {
  auto db = PushlogDb::OpenReadOnly(root);
  if (!db) return {};
  std::vector<std::string> nodes{c.Env("HG_NODE")};
  if (!c.Env("HG_NODE_LAST").empty()) nodes.push_back(c.Env("HG_NODE_LAST"));
  return db->PushesContaining(nodes);
}

// Heads of the set of revisions below `below` that were draft before and are
// public now.
std::vector<std::string> NewlyPublicHeads(const ChangelogIndex& index,
                                          const std::set<std::string>& old_draft_roots,
                                          const std::set<std::string>& new_draft_roots, int below) {
  int n = std::min(index.size(), below);
  std::vector<int> before = RevisionPhases(index, {{kPhaseDraft, old_draft_roots}});
  std::vector<int> after = RevisionPhases(index, {{kPhaseDraft, new_draft_roots}});
  std::vector<char> moved(static_cast<size_t>(n), 0), has_moved_child(static_cast<size_t>(n), 0);
  for (int r = 0; r < n; ++r) {
    auto i = static_cast<size_t>(r);
    moved[i] = before[i] != kPhasePublic && after[i] == kPhasePublic;
  }
  for (int r = 0; r < n; ++r) {
    if (!moved[static_cast<size_t>(r)]) continue;
    const auto& e = index.at(r);
    if (e.p1 >= 0) has_moved_child[static_cast<size_t>(e.p1)] = 1;
    if (e.p2 >= 0) has_moved_child[static_cast<size_t>(e.p2)] = 1;
  }
  std::vector<std::string> heads;
  for (int r = 0; r < n; ++r) {
    if (moved[static_cast<size_t>(r)] && !has_moved_child[static_cast<size_t>(r)]) {
      heads.push_back(index.NodeHex(r));
    }
  }
  return heads;
}

// Read-your-writes (served_wait.h): set up before the push's events are
// appended when this push waits; a configuration problem is reported and the
// push goes on without waiting.
struct ReadYourWrites {
  std::unique_ptr<Log> own_log;  // when the hook has no log of its own (a process)
  std::optional<ServedWait> wait;
  size_t mirrors = 0;
};

void PrepareReadYourWrites(const HookContext& c, Producer& producer, const IniFile& leader,
                           const std::string& root, ReadYourWrites& ryw) {
  try {
    std::optional<IniFile> repo;
    if (fs::exists(root + "/.hg/hgrc")) repo = IniFile::Load(root + "/.hg/hgrc");
    auto config =
        ServedWaitFor(leader, repo ? &*repo : nullptr, c.Env("HG_USERVAR_READYOURWRITES"));
    if (!config) return;
    ryw.mirrors = config->groups.size();
    Log* log = c.log;
    if (!log) {
      ryw.own_log = OpenLog(producer.config().log_url, "leader-readyourwrites");
      log = ryw.own_log.get();
    }
    ryw.wait.emplace(*log, std::move(*config));
  } catch (const std::exception& e) {
    c.out() << "not waiting for the mirrors (read-your-writes): " << e.what() << std::endl;
    ryw.wait.reset();
  }
}

void WaitUntilServed(const HookContext& c, Producer& producer, ReadYourWrites& ryw, int partition,
                     int64_t heads_offset) {
  if (!ryw.wait) return;
  try {
    auto result = ryw.wait->Wait(producer.config().topic, partition, heads_offset);
    for (const auto& line : DescribeServed(result, ryw.mirrors, ryw.wait->timeout())) {
      c.out() << line << std::endl;
    }
  } catch (const std::exception& e) {
    c.out() << "could not tell whether the mirrors serve this push (read-your-writes): " << e.what()
            << std::endl;
  }
}

int Txnclose(const HookContext& c, Producer& producer, const IniFile& leader) {
  // A transaction with a changegroup is announced by the changegroup hook; the
  // mirrors' pull then carries its bookmarks and phases — except bookmarks
  // deleted or moved to a changeset the mirrors already had, and changesets
  // the mirrors already had that became public, which a pull never changes:
  // those still go out as pushkeys. They name only changesets earlier events
  // carried, so their order relative to the changegroup event is free.
  bool with_changegroup = !c.Env("HG_NODE").empty();
  std::string root = c.cwd;
  std::string state_path = TxnStatePath(root, c.Env("HG_TXNID"));
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(ReadFileOrEmpty(state_path));
  } catch (const std::exception&) {
    state = nlohmann::json::object();
  }
  if (!state.is_object() || state.value("txnid", "") != c.Env("HG_TXNID")) {
    // No state (pretxnopen did not run here): only the markers can be told.
    state = nlohmann::json::object();
  }
  // With a changegroup its hook runs next and sends the markers between the
  // changegroup and the heads (the reference's order); it removes the file.
  struct RemoveState {
    std::string path;
    ~RemoveState() {
      std::error_code ec;
      if (!path.empty()) fs::remove(path, ec);
    }
  } remove_state{state_path};
  std::map<std::string, std::string> obsolete;
  try {
    obsolete = NewObsMarkerPushkeys(c, root, state);
  } catch (const std::exception& e) {
    c.out() << "could not read the obsolescence markers of this transaction: " << e.what()
            << "\n(run `hg replicatesync` on this repository)" << std::endl;
  }
  if (with_changegroup && !obsolete.empty()) {
    state["obsolete"] = obsolete;
    try {
      WriteFileAtomic(state_path, state.dump(), FileSync::kVolatile);
      remove_state.path.clear();
    } catch (const Error& e) {
      c.out() << "cannot hand the obsolescence markers to the changegroup hook: " << e.what()
              << std::endl;
      with_changegroup = false;  // then they go now, before the changegroup
    }
  }
  auto start = std::chrono::steady_clock::now();
  std::string wire;
  int partition = 0;
  try {
    wire = producer.WirePath(root);
    partition = producer.PartitionFor(wire);
  } catch (const Error& e) {
    c.out() << e.what() << std::endl;
    return 1;
  }
  std::vector<nlohmann::json> messages;
  std::set<std::string> namespaces;
  std::map<std::string, std::string> old_books;
  if (state.contains("bookmarks")) {
    old_books = state["bookmarks"].get<std::map<std::string, std::string>>();
  }
  auto new_books = ReadBookmarks(root);
  std::set<std::string> names;
  for (const auto& [k, v] : old_books) names.insert(k);
  for (const auto& [k, v] : new_books) names.insert(k);
  std::optional<ChangelogIndex> index;
  std::optional<int> first_new;
  if (with_changegroup) {
    index = ChangelogIndex::Load(root);
    first_new = index->RevOf(c.Env("HG_NODE"));
  }
  for (const auto& name : names) {
    if (!state.contains("bookmarks")) break;
    std::string o = old_books.count(name) ? old_books[name] : "";
    std::string n = new_books.count(name) ? new_books[name] : "";
    if (o == n) continue;
    if (with_changegroup && !n.empty()) {
      auto rev = index->RevOf(n);
      if (!rev || !first_new || *rev >= *first_new) continue;  // the pull brings it
    }
    messages.push_back(MakePushkey(wire, "bookmarks", name, o, n, 0, WallNow()));
    namespaces.insert("bookmarks");
  }
  // Phases: the pulled changesets and their ancestors get theirs with the
  // mirrors' pull; changesets the mirrors already had that became public in
  // this transaction (a push to a repository that turned publishing
  // publishes drafts on other branches too) need a pushkey, like bookmarks.
  std::set<std::string> old_draft, new_draft;
  if (state.contains("phaseroots") && state["phaseroots"].contains("1")) {
    old_draft = state["phaseroots"]["1"].get<std::set<std::string>>();
  }
  auto roots_now = ReadPhaseRoots(root);
  if (roots_now.count(1)) new_draft = roots_now[1];
  // Only a draft root that is gone can mean something became public; new
  // drafts (every push to a non-publishing repository such as try) only
  // add roots, and skip the walk over the whole changelog.
  bool root_gone = std::any_of(old_draft.begin(), old_draft.end(),
                               [&](const std::string& node) { return !new_draft.count(node); });
  if (root_gone) {
    if (!index) index = ChangelogIndex::Load(root);
    int below = first_new ? *first_new : index->size();
    for (const auto& node : NewlyPublicHeads(*index, old_draft, new_draft, below)) {
      messages.push_back(MakePushkey(wire, "phases", node, "1", "0", 0, WallNow()));
      namespaces.insert("phases");
    }
  }
  // Markers without a changegroup: then the heads, which they may have
  // hidden (the reference sends none, and mirrors kept serving a pruned head).
  if (!with_changegroup && !obsolete.empty()) {
    AppendObsoletePushkeys(messages, wire, obsolete);
    namespaces.insert("obsolete");
    try {
      RepoSnapshot snap = SnapshotRepo(root);
      messages.push_back(MakeHeads(wire, snap.heads_desc, snap.last_push_id, WallNow()));
    } catch (const std::exception& e) {
      c.out() << "could not read the heads after the obsolescence markers: " << e.what()
              << std::endl;
    }
  }
  // A bookmark- or phase-only push that asked to wait does it here (with a
  // changegroup, the changegroup hook waits for the heads event that
  // follows these pushkeys).
  ReadYourWrites ryw;
  if (!with_changegroup && !messages.empty()) PrepareReadYourWrites(c, producer, leader, root, ryw);
  int64_t logged = -1;
  try {
    if (!messages.empty()) logged = producer.SendBatch(messages, partition);
  } catch (const Error& e) {
    c.out() << "replication log not available; could not record pushkey updates: " << e.what()
            << "\n(run `hg replicatesync` on this repository once the log is back)" << std::endl;
    return 1;
  }
  for (const auto& ns : namespaces) {
    c.out() << fmt::format("recorded updates to {} in replication log in {:.3f}s", ns,
                           Elapsed(start))
            << std::endl;
  }
  if (logged >= 0) {
    WaitUntilServed(c, producer, ryw, partition,
                    logged + static_cast<int64_t>(messages.size()) - 1);
  }
  return 0;
}

// Deletes the store's bundles older than `days`, at most once an hour (a
// marker file's age says when it last ran). Best effort.
void SweepBundleStore(const std::string& store, int days) {
  std::error_code ec;
  std::string marker = store + "/.last-sweep";
  auto now = fs::file_time_type::clock::now();
  auto last = fs::last_write_time(marker, ec);
  if (!ec && now - last < std::chrono::hours(1)) return;
  WriteFileAtomic(marker, "");
  for (const auto& entry : fs::directory_iterator(store, ec)) {
    if (entry.path().extension() != ".hg") continue;
    auto written = fs::last_write_time(entry.path(), ec);
    if (!ec && now - written > std::chrono::hours(24) * days) fs::remove(entry.path(), ec);
  }
}

// The push's bundle goes into the event when the event still fits in one
// record of the log with it (and the bundle is under pushbundleinlinemax);
// otherwise into the bundle store, named by the event; without a store,
// mirrors pull the push as before.
void AttachBundle(const HookContext& c, Producer& producer, nlohmann::json& changegroup) {
  if (c.bundle.empty()) return;
  const ProducerConfig& config = producer.config();
  MessageLimit limit = MessageLimitFor(config.log_url, config.max_message_bytes);
  int64_t bytes = static_cast<int64_t>(c.bundle.size());
  int64_t size =
      static_cast<int64_t>(EncodeMessage(changegroup).size()) + EncodedPushBundleSize(bytes);
  if (size + 4096 <= limit.max_bytes &&
      (config.bundle_inline_max <= 0 || bytes <= config.bundle_inline_max)) {
    changegroup["bundle"] = EncodePushBundle(c.bundle);
    return;
  }
  if (config.bundle_store.empty()) return;
  try {
    fs::create_directories(config.bundle_store);
    std::string file = config.bundle_store + "/" + PushBundleName(Sha256Hex(c.bundle));
    if (!fs::exists(file)) WriteFileAtomic(file, c.bundle);
    changegroup["bundle"] = EncodePushBundleRef(c.bundle);
    SweepBundleStore(config.bundle_store, config.bundle_store_days);
  } catch (const std::exception& e) {
    c.out() << "(the push's bundle could not be stored (" << e.what()
            << "); mirrors pull the push from the leader)" << std::endl;
  }
}

int Changegroup(const HookContext& c, Producer& producer, const IniFile& leader) {
  auto start = std::chrono::steady_clock::now();
  std::string root = c.cwd;
  ReadYourWrites ryw;
  PrepareReadYourWrites(c, producer, leader, root, ryw);
  try {
    std::string wire = producer.WirePath(root);
    int partition = producer.PartitionFor(wire);
    RepoSnapshot snap = SnapshotRepo(root);
    auto first = snap.index.RevOf(c.Env("HG_NODE"));
    if (!first) {
      throw Error(ErrorKind::kNotFound,
                  fmt::format("changegroup hook: node {} not found in {}", c.Env("HG_NODE"), root));
    }
    std::vector<std::string> new_heads = HeadsFrom(snap.index, *first);
    int last = snap.index.tip_rev();
    if (auto l = snap.index.RevOf(c.Env("HG_NODE_LAST"))) last = *l;
    int64_t nodecount = last - *first + 1;
    std::string source = c.Env("HG_SOURCE");
    nlohmann::json changegroup = MakeChangegroup(wire, source, nodecount, new_heads, WallNow());
    AttachPushes(changegroup, PushesOfChangegroup(c, root));
    AttachBundle(c, producer, changegroup);
    // The transaction's markers, which txnclose left in its state file.
    std::map<std::string, std::string> obsolete;
    std::string state_path = TxnStatePath(root, c.Env("HG_TXNID"));
    try {
      auto state = nlohmann::json::parse(ReadFileOrEmpty(state_path));
      if (state.is_object() && state.value("txnid", "") == c.Env("HG_TXNID") &&
          state.contains("obsolete")) {
        obsolete = state["obsolete"].get<std::map<std::string, std::string>>();
      }
    } catch (const std::exception&) {
      // No file (no markers) or not ours.
    }
    std::error_code ec;
    fs::remove(state_path, ec);
    // The changegroup and the heads it produced go to the log together, so
    // no consumer ever sees one without the other.
    std::vector<nlohmann::json> batch{changegroup};
    AppendObsoletePushkeys(batch, wire, obsolete);
    batch.push_back(MakeHeads(wire, snap.heads_desc, snap.last_push_id, WallNow()));
    int64_t logged = producer.SendBatch(batch, partition);
    c.out() << fmt::format("recorded changegroup in replication log in {:.3f}s", Elapsed(start))
            << std::endl;
    if (!obsolete.empty()) {
      c.out() << fmt::format("recorded updates to obsolete in replication log in {:.3f}s",
                             Elapsed(start))
              << std::endl;
    }
    WaitUntilServed(c, producer, ryw, partition, logged + static_cast<int64_t>(batch.size()) - 1);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kTooLarge) {
      c.out() << "the changegroup was committed but not recorded in the replication log: "
              << e.what() << std::endl;
      return 1;
    }
    c.out() << "replication log not available; the changegroup was committed but not recorded: "
            << e.what() << "\n(run `hg replicatesync` on this repository once the log is back)"
            << std::endl;
    return 1;
  }
  return 0;
}

// HG_PATS is the repr of a Python list: "['path']" (possibly b'...').
std::string FirstPattern(const std::string& pats) {
  auto q = pats.find_first_of("'\"");
  if (q == std::string::npos) return "";
  char quote = pats[q];
  auto end = pats.find(quote, q + 1);
  if (end == std::string::npos) return "";
  return pats.substr(q + 1, end - q - 1);
}

std::string InitTarget(const HookContext& c) {
  std::string target = FirstPattern(c.Env("HG_PATS"));
  if (target.empty()) target = ".";
  fs::path p(target);
  if (p.is_relative()) p = fs::path(c.cwd) / p;
  return fs::weakly_canonical(p).string();
}

int PreInit(const HookContext& c, Producer& producer) {
  return HeartbeatOrRefuse(c, producer, InitTarget(c));
}

int PostInit(const HookContext& c, Producer& producer) {
  if (c.Env("HG_RESULT") != "0" && !c.Env("HG_RESULT").empty()) return 0;
  std::string root = InitTarget(c);
  if (!fs::exists(root + "/.hg")) {
    c.out() << "could not find created repo at " << root << std::endl;
    return 1;
  }
  try {
    InstallLeaderRepoConfig(root, producer.config().path);
    std::string wire = producer.WirePath(root);
    std::string requires_text =
        ReadFileOrEmpty(root + "/.hg/requires") + ReadFileOrEmpty(root + "/.hg/store/requires");
    bool generaldelta = requires_text.find("generaldelta") != std::string::npos;
    producer.Send(MakeRepoInit(wire, generaldelta, WallNow()), producer.PartitionFor(wire));
  } catch (const Error& e) {
    c.out() << "could not record repository creation: " << e.what()
            << "\n(run `hg replicatesync` in the new repository once the log is back)" << std::endl;
    return 1;
  }
  c.out() << "(recorded repository creation in replication log)" << std::endl;
  return 0;
}

}  // namespace

int RunLeaderHook(const std::string& hook, const std::string& config_path, const HookContext& c) {
  if (hook == "precommit") {
    c.out() << "cannot commit to replicating repositories; push instead" << std::endl;
    return 1;
  }
  if (hook == "txnabort") return Txnabort(c);
  if (hook == "readonly-changegroup" || hook == "readonly-pushkey") {
    // Before anything else: a frozen repository takes nothing, whatever
    // the state of the log.
    try {
      std::optional<IniFile> ini;
      if (std::filesystem::exists(config_path)) ini = IniFile::Load(config_path);
      std::string global = ini ? ini->GetOr("readonly", "globalreasonfile", "") : "";
      std::string what =
          hook == "readonly-changegroup" ? "add changesets" : "update " + c.Env("HG_NAMESPACE");
      auto refusal = ReadOnlyRefusal(c.cwd, global, what);
      if (!refusal) return 0;
      for (const auto& line : *refusal) c.out() << line << std::endl;
      return 1;
    } catch (const std::exception& e) {
      c.out() << "cannot tell whether the repository is read only: " << e.what() << std::endl;
      return 1;
    }
  }
  std::unique_ptr<Producer> producer;
  std::optional<IniFile> ini;
  try {
    producer = std::make_unique<Producer>(ProducerConfig::Load(config_path), c.log);
    ini = IniFile::Load(config_path);
  } catch (const Error& e) {
    c.out() << "replication is misconfigured: " << e.what() << std::endl;
    return 1;
  }
  try {
    if (hook == "pretxnopen") return Pretxnopen(c, *producer);
    if (hook == "pretxnclose") return Pretxnclose(c, *producer, &*ini);
    if (hook == "txnclose") return Txnclose(c, *producer, *ini);
    if (hook == "changegroup") return Changegroup(c, *producer, *ini);
    if (hook == "pre-init") return PreInit(c, *producer);
    if (hook == "post-init") return PostInit(c, *producer);
  } catch (const std::exception& e) {
    // A hook must answer, not crash: hg reports the status to the pusher.
    c.out() << "replication hook " << hook << " failed: " << e.what()
            << "\n(run `hg replicatesync` on this repository once it is fixed)" << std::endl;
    return 1;
  }
  c.err() << "unknown hook " << hook << std::endl;
  return 2;
}

std::string AccountName(unsigned uid) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &found) != 0 || !found ||
      !found->pw_name) {
    return "";
  }
  return found->pw_name;
}

int RunLeaderHook(const std::string& hook, const std::string& config_path) {
  std::error_code ec;
  HookContext c;
  c.cwd = fs::current_path(ec).string();
  c.env = [](const std::string& name) {
    const char* v = std::getenv(name.c_str());
    return std::string(v ? v : "");
  };
  c.out_stream = &std::cout;
  c.err_stream = &std::cerr;
  c.os_account = AccountName(::geteuid());
  return RunLeaderHook(hook, config_path, c);
}

}  // namespace hgc
