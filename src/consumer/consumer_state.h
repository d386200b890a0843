// The consumer state file, <state_dir>/consumer-<group>.json (the heads
// consumer's: heads-<group>.json): the repositories a consumer has parked
// and when it last wrote the file. This file is its one owner — the
// scheduler writes it, the lag checks, `hgcluster status` and `up`'s
// readiness wait read it through here. Format: docs/formats.md.
// Thread-safety: pure functions of their arguments and the file.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace hgc {

// A repository whose record keeps failing: retried slowly, reported.
struct ParkedRepo {
  std::string repo;  // wire path, or the scheduler's key for an undecodable record
  int partition = 0;
  int64_t offset = 0;
  int64_t attempts = 0;
  std::string error;
  double since = 0;  // Unix time it was parked
  bool operator==(const ParkedRepo&) const = default;
};

// Records of a partition that the log deleted (its retention) before this
// consumer read them: [from, to). Which repositories they touched is
// unknown, so the consumer stopped applying that partition rather than skip
// them silently; an operator recovers (DescribeLostRange says how).
struct LostRange {
  int partition = 0;
  int64_t from = 0;  // first offset lost
  int64_t to = 0;    // first offset the log still held
  double since = 0;  // Unix time the loss was found
  bool operator==(const LostRange&) const = default;
};

struct ConsumerState {
  std::vector<ParkedRepo> parked;  // sorted by (partition, offset, repo) when read
  std::vector<LostRange> lost;     // sorted by partition when read
  double updated = 0;              // Unix time of the last write
  bool operator==(const ConsumerState&) const = default;
};

std::string ConsumerStateFile(const std::string& state_dir, const std::string& group,
                              bool heads_consumer = false);

// One parked entry as the file (and `hgcluster status --json`) shows it.
nlohmann::json ParkedRepoToJson(const ParkedRepo& parked);

nlohmann::json LostRangeToJson(const LostRange& lost);

// One line for logs, checks and `status`: what was lost and how to recover.
// `config` names the consumer's ini file in the recovery commands.
std::string DescribeLostRange(const LostRange& lost, const std::string& topic,
                              const std::string& config);

std::string FormatConsumerState(const ConsumerState& state);
// Throws Error(kMalformed) naming what is wrong.
ConsumerState ParseConsumerState(const std::string& text);

// Atomic (temporary file + rename): a reader never sees half a file.
void WriteConsumerState(const std::string& path, const ConsumerState& state);

struct ConsumerStateRead {
  bool exists = false;  // a missing file: the consumer has not started here
  ConsumerState state;
  std::string error;  // why the file could not be read; empty if it could
};
// Never throws: a check must still report lag when the file is damaged.
ConsumerStateRead ReadConsumerState(const std::string& path);

}  // namespace hgc
