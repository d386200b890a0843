// .hg/replicated-data (CBOR) as the pushlog views and hg's view read it: a
// damaged file throws hgc::Error; a good one re-encodes to what it decodes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "hg/replicated_data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  hgc::ReplicatedData d;
  try {
    d = hgc::DecodeReplicatedData(bytes);
  } catch (const hgc::Error&) {
    return 0;
  }
  hgc::ReplicatedData again =
      hgc::DecodeReplicatedData(hgc::EncodeReplicatedData(d.heads, d.last_push_id));
  if (again.heads != d.heads || again.last_push_id != d.last_push_id) std::abort();
  return 0;
}
