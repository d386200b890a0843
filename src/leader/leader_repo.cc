#include "leader/leader_repo.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "common/subprocess.h"
#include "hg/hg_runner.h"
#include "hg/repo_state.h"
#include "pushlog/pushlog_db.h"

namespace hgc {
namespace {

// The leader always keeps a pushlog: no database yet means no pushes (0).
std::optional<int64_t> LastPushId(const std::string& root) {
  auto db = PushlogDb::OpenReadOnly(root);
  return db ? db->LastPushId() : 0;
}

}  // namespace

std::vector<std::string> HeadsNewestFirst(const ChangelogIndex& index) {
  std::vector<int> heads = index.HeadRevs();
  std::sort(heads.rbegin(), heads.rend());
  std::vector<std::string> out;
  for (int r : heads) out.push_back(index.NodeHex(r));
  return out;
}

std::vector<std::string> HeadsFrom(const ChangelogIndex& index, int first) {
  std::vector<std::string> out;
  for (int r : index.HeadRevs()) {
    if (r >= first) out.push_back(index.NodeHex(r));
  }
  return out;
}

RepoSnapshot SnapshotRepo(const std::string& root) {
  RepoSnapshot s{ChangelogIndex::Load(root), {}, LastPushId(root), {}};
  s.heads_desc = HeadsNewestFirst(s.index);
  // With obsolescence markers some heads may be hidden, which only hg knows
  // how to compute: ask it for the served heads (rare; costs an hg start).
  std::error_code ec;
  if (std::filesystem::file_size(root + "/.hg/store/obsstore", ec) > 0 && !ec) {
    ProcessResult r = PlainHg()->Run(root, {"--config", "experimental.evolution=all", "log", "-r",
                                            "sort(heads(all()), -rev)", "-T", "{node}\n"});
    if (r.ok()) {
      s.heads_desc.clear();
      std::istringstream in(r.out);
      for (std::string line; std::getline(in, line);) {
        if (line.size() == 40) s.heads_desc.push_back(line);
      }
    }
  }
  if (s.heads_desc.empty()) s.heads_desc.push_back(std::string(40, '0'));
  std::set<std::string> reqs;
  for (const char* f : {"/.hg/requires", "/.hg/store/requires"}) {
    std::istringstream in(ReadFileOrEmpty(root + f));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) reqs.insert(line);
    }
  }
  s.requirements.assign(reqs.begin(), reqs.end());
  return s;
}

void InstallLeaderRepoConfig(const std::string& root, const std::string& leader_hgrc) {
  std::string self = SelfExecutable();
  std::string base = fmt::format("!{} replicate --config {} --repo {}", ShellQuote(self),
                                 ShellQuote(leader_hgrc), ShellQuote(root));
  std::string text = fmt::format(
      "# Written by hgcluster: wires this leader repository into replication.\n"
      "%include {}\n"
      "[alias]\n"
      "replicatesync = {} sync \"$@\"\n"
      "replicatehgrc = {} hgrc \"$@\"\n"
      "replicatedelete = {} delete \"$@\"\n"
      "replicateverify = {} verify \"$@\"\n"
      "verifypushlog = !{} verifypushlog --repo {}\n",
      leader_hgrc, base, base, base, base, ShellQuote(self), ShellQuote(root));
  WriteFileAtomic(root + "/.hg/hgrc-not-shared", text);
}

}  // namespace hgc
