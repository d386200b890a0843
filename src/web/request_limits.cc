#include "web/request_limits.h"

#include <fmt/format.h>
#include <strings.h>

#include <charconv>

#include "common/text.h"
#include "web/repo_path.h"

namespace hgc {
namespace {

bool Is(const std::string& name, const char* want) { return strcasecmp(name.c_str(), want) == 0; }

}  // namespace

std::optional<Refusal> CheckRequestHead(const RequestHead& head, const RequestLimits& limits) {
  const auto& headers = *head.headers;
  if (headers.size() > limits.max_headers) {
    return Refusal{431, fmt::format("request has {} header fields; at most {} are accepted",
                                    headers.size(), limits.max_headers)};
  }
  size_t bytes = 0;
  for (const auto& [name, value] : headers) bytes += name.size() + value.size() + 4;
  if (bytes > limits.max_header_bytes) {
    return Refusal{431, fmt::format("request header fields are {} bytes; at most {} are accepted",
                                    bytes, limits.max_header_bytes)};
  }
  std::optional<size_t> length;
  bool chunked = false;
  for (const auto& [name, value] : headers) {
    if (Is(name, "Content-Length")) {
      std::string v = Trim(value);
      size_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
        return RefusalFor(HeadProblem::kMalformedLength, limits);
      }
      if (length && *length != n) return RefusalFor(HeadProblem::kConflictingLength, limits);
      length = n;
    } else if (Is(name, "Transfer-Encoding")) {
      if (Lower(Trim(value)) != "chunked" || chunked) {
        return RefusalFor(HeadProblem::kBadTransferEncoding, limits);
      }
      chunked = true;
    }
  }
  if (length && chunked) return RefusalFor(HeadProblem::kLengthWithChunked, limits);
  if (length && *length > limits.max_body_bytes) {
    return Refusal{413, fmt::format("request body of {} bytes is over this server's limit of {} "
                                    "bytes",
                                    *length, limits.max_body_bytes)};
  }
  if (head.method != "GET" && head.method != "HEAD") {
    for (const auto& [key, value] : ParseQueryString(head.query)) {
      if (key == "cmd" && (value == "unbundle" || value == "pushkey")) {
        return Refusal{403, "this is a read-only mirror: push to the leader over SSH"};
      }
    }
  }
  return std::nullopt;
}

Refusal RefusalFor(HeadProblem problem, const RequestLimits& limits, int timeout_seconds) {
  switch (problem) {
    case HeadProblem::kMalformedLength:
      return {400, "malformed Content-Length header: expected a decimal byte count"};
    case HeadProblem::kConflictingLength:
      return {400, "conflicting Content-Length headers"};
    case HeadProblem::kLengthWithChunked:
      return {400, "Content-Length together with Transfer-Encoding is ambiguous; send one"};
    case HeadProblem::kBadTransferEncoding:
      return {400, "unsupported Transfer-Encoding: only a single 'chunked' is accepted"};
    case HeadProblem::kHeaderTooLarge:
      return {431, fmt::format("request header fields are over {} bytes; at most {} are accepted",
                               limits.max_header_bytes, limits.max_header_bytes)};
    case HeadProblem::kTargetTooLong:
      return {414, fmt::format("request target is over {} bytes", kMaxTargetBytes)};
    case HeadProblem::kBodyTooLarge:
      return {413, fmt::format("request body is over this server's limit of {} bytes",
                               limits.max_body_bytes)};
    case HeadProblem::kHeadTimeout:
      return {408, fmt::format("request head not received within {} seconds", timeout_seconds)};
    case HeadProblem::kBodyTimeout:
      return {408, fmt::format("request body not received within {} seconds", timeout_seconds)};
  }
  return {400, "malformed request"};
}

}  // namespace hgc
