// The heads consumer's action (spec/replication.md §3.7): on hg-heads-1,
// write the repository's .hg/replicated-data so the mirror exposes exactly
// the heads every mirror has; every other message is a no-op. Reads the
// same consumer ini as the main consumer (topic replicatedpushdatapending).
// Thread-safety: Apply() may run concurrently for different repositories.
#pragma once

#include <cstdint>
#include <string>

#include "consumer/consumer_config.h"
#include "message/message.h"

namespace hgc {

class HeadsApplier {
 public:
  explicit HeadsApplier(const ConsumerConfig& config,
                        std::string logger = "vcsreplicator.consumer");
  void Apply(const Message& message, int partition, int64_t offset);

 private:
  const ConsumerConfig& config_;
  std::string logger_;
};

}  // namespace hgc
