// The wire-protocol arguments of a request to a mirror: a query string,
// X-HgArg-N headers and an httppostargs body, all chosen by the client.
// The input is split into those three parts at the first two NUL bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "web/wire_args.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t a = text.find('\0');
  size_t b = a == std::string::npos ? std::string::npos : text.find('\0', a + 1);
  std::string query = text.substr(0, a);
  std::string header = a == std::string::npos ? "" : text.substr(a + 1, b - a - 1);
  std::string body = b == std::string::npos ? "" : text.substr(b + 1);
  std::vector<std::pair<std::string, std::string>> headers = {{"X-HgArg-1", header}};
  (void)hgc::WireRequestProblem({query, &headers, body});
  headers = {{"X-HgArgs-Post", std::to_string(body.size() / 2)}};
  (void)hgc::WireRequestProblem({query, &headers, body});
  return 0;
}
