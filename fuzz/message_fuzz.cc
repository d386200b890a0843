// The replication log's message decoder: anything a log writer can put in a
// record. Decoding either throws hgc::Error or yields a message that can be
// shown, dumped as YAML and re-encoded to a message that decodes the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/error.h"
#include "message/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  hgc::Message m;
  try {
    m = hgc::DecodeMessage(value);
  } catch (const hgc::Error&) {
    return 0;
  }
  (void)hgc::DisplayMessage(m);
  (void)hgc::DumpYaml({m.body});
  hgc::Message again = hgc::DecodeMessage(hgc::EncodeMessage(m.body));
  if (again.name != m.name || again.path != m.path || again.heads != m.heads) std::abort();
  return 0;
}
