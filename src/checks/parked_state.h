// Reads the repositories a mirror consumer has parked (given up retrying for
// now) from its state file, <state_dir>/consumer-<group>.json, written by
// src/consumer/scheduler.cc (format in docs/formats.md). The lag checks turn
// each entry into a CRITICAL line: a parked repository is not replicating
// even when the partition's message count and age look harmless.
// Thread-safety: pure functions of the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hgc {

struct ParkedEntry {
  std::string repo;  // wire path, or the scheduler's key for an undecodable record
  int partition = 0;
  int64_t offset = 0;
  int64_t attempts = 0;
  std::string error;
};

std::string ConsumerStateFile(const std::string& state_dir, const std::string& group);

struct ParkedState {
  std::vector<ParkedEntry> entries;  // sorted by (partition, offset, repo)
  std::string error;                 // why the file could not be read; empty if it could
};

// A missing file means nothing is parked (the consumer never ran here). Never
// throws: a check must still report lag when the state file is damaged.
ParkedState ReadParkedState(const std::string& state_file);

}  // namespace hgc
