// What a mirror found when it compared its repositories with the leader's
// digests (hg-repo-verify-1 events, `hgcluster verify`):
// <state_dir>/verify-<group>.json, one entry per repository, the newest
// verdict. This file is its one owner; the lag check and `hgcluster status`
// read it through here. Format: docs/formats.md.
// Thread-safety: VerifyRecorder serialises its writers; the free functions
// are pure functions of their arguments and the file.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hgc {

struct VerifyResult {
  std::string repo;  // wire path
  int partition = 0;
  int64_t offset = 0;
  double at = 0;  // Unix time of the comparison
  // "ok" (same as the leader), "moved" (pushes landed on the leader between
  // its digest and the event, and this mirror applied them first: not
  // comparable, no verdict), "diverged" (different, not repaired) or
  // "repaired" (different, re-cloned from the leader).
  std::string result;
  std::vector<std::string> differences;  // what differed ("field: leader has .., mirror has ..")
  bool operator==(const VerifyResult&) const = default;
};

using VerifyState = std::map<std::string, VerifyResult>;  // by repo

// {"partition", "offset", "at", "result", "differences"}: one entry of the
// file, also what `hgcluster status --json` shows per repository.
nlohmann::json VerifyResultToJson(const VerifyResult& result);

std::string VerifyStateFile(const std::string& state_dir, const std::string& group);
std::string FormatVerifyState(const VerifyState& state);
// Throws Error(kMalformed) naming what is wrong.
VerifyState ParseVerifyState(const std::string& text);

struct VerifyStateRead {
  VerifyState state;
  std::string error;  // why the file could not be read; empty if it could (or is missing)
};
// Never throws; a missing file is an empty state.
VerifyStateRead ReadVerifyState(const std::string& path);

// Records verdicts into the file, read-modify-write under a mutex, written
// atomically. One consumer process per group writes the file.
class VerifyRecorder {
 public:
  explicit VerifyRecorder(std::string path) : path_(std::move(path)) {}
  void Record(const VerifyResult& result);

 private:
  std::string path_;
  std::mutex mu_;
};

}  // namespace hgc
