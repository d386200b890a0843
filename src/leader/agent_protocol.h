// The wire protocol between hg hooks and the leader host's producer agent
// (`hgcluster producer-agent`, producer_agent.h), over a Unix stream socket.
//
// Every message is one *frame*: a 4-byte big-endian payload length N
// (1 <= N <= kMaxFrameBytes), then N bytes. A connection carries any number
// of request/reply pairs, strictly alternating; the agent answers each
// request only after its records are durable in the log.
//
// Request payload (all integers big-endian):
//   u8  version          kProtocolVersion (1)
//   u8  op               'A': append the values to topic/partition, in order
//   u16 T, T bytes       topic: 1..249 bytes of [A-Za-z0-9._-] (Kafka's rule)
//   i32 partition        >= 0 (the agent also checks it exists)
//   u32 count            1..kMaxValues
//   count x (u32 L, L bytes)   the framed messages ("1\n{json}"), opaque here
//   nothing after the last value
// Reply payload:
//   u8  version          kProtocolVersion
//   u8  status           0 ok, 1 log unavailable, 2 bad request, 3 too large
//   i64 offset           offset of the first value (ok), else -1
//   rest                 an operator-facing message (empty when ok)
//
// A frame that breaks any of these rules gets a bad-request reply naming
// the rule and the connection is closed; nothing of it is appended.
//
// Hook request payload (op 'H': run one leader hook inside the agent, sent
// by the in-process hook extension hgext/hgclusterhooks.py instead of
// starting `hgcluster hook NAME --config PATH` as a process):
//   u8  version          kProtocolVersion
//   u8  op               'H'
//   u16 N, N bytes       hook name: 1..64 bytes of [a-z-]
//   u16 N, N bytes       config path the hook line names (absolute)
//   u16 N, N bytes       working directory hg gave the hook (absolute)
//   u32 count            environment entries, 0..kMaxEnvEntries
//   count x (u16 K, K bytes name; u32 V, V bytes value)
//   optionally: u32 N, N bytes   an attachment: for the changegroup hook,
//                        the push as an hg bundle (message/push_bundle.h)
//   nothing after that
// Hook reply payload (one or two per request):
//   u8  version
//   u8  status           3 started: sent just before the hook runs, and
//                        followed by the final reply; final replies: 0 ran,
//                        1 not served here (the caller starts the hook as
//                        a process instead), 2 bad request
//   i32 exit status      the hook's (0 unless status is 0)
//   u32 N, N bytes       what the hook wrote to its standard output
//   rest                 what it wrote to its standard error
// An agent older than op 'H' answers with a bad-request AgentReply, whose
// first two bytes read the same: the caller starts the process. A caller
// that gets no "started" within its deadline gives up and closes the
// connection; an agent that cannot write "started" runs nothing.
// Thread-safety: free functions on values; the fd functions use one fd.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hgc {

inline constexpr uint8_t kProtocolVersion = 1;
inline constexpr uint32_t kMaxFrameBytes = 64u << 20;  // 64 MiB
inline constexpr uint32_t kMaxValues = 100000;
inline constexpr uint32_t kMaxEnvEntries = 4096;

struct AppendRequest {
  std::string topic;
  int partition = 0;
  std::vector<std::string> values;
};

enum class AgentStatus : uint8_t { kOk = 0, kLogUnavailable = 1, kBadRequest = 2, kTooLarge = 3 };

struct AgentReply {
  AgentStatus status = AgentStatus::kOk;
  int64_t offset = -1;
  std::string message;
};

struct HookRequest {
  std::string hook;
  std::string config_path;
  std::string cwd;
  std::vector<std::pair<std::string, std::string>> env;
  std::string attachment{};  // empty: none
};

enum class HookStatus : uint8_t { kRan = 0, kNotServed = 1, kBadRequest = 2, kStarted = 3 };

struct HookReply {
  HookStatus status = HookStatus::kRan;
  int exit_code = 0;
  std::string out;
  std::string err;
};

// The op byte of a request payload (0 when it is too short to have one).
uint8_t RequestOp(std::string_view payload);

// Payload encoders and decoders. Decoders throw Error(kMalformed) saying
// which field is wrong.
std::string EncodeAppendRequest(const AppendRequest& request);
AppendRequest DecodeAppendRequest(std::string_view payload);
std::string EncodeAgentReply(const AgentReply& reply);
AgentReply DecodeAgentReply(std::string_view payload);
std::string EncodeHookRequest(const HookRequest& request);
HookRequest DecodeHookRequest(std::string_view payload);
std::string EncodeHookReply(const HookReply& reply);
HookReply DecodeHookReply(std::string_view payload);

// The 4-byte length prefix + payload. Throws Error(kMalformed) when the
// payload is empty or larger than kMaxFrameBytes.
std::string Frame(std::string_view payload);

using AgentClock = std::chrono::steady_clock;

// Writes all of `data` to `fd` before `deadline`. Throws Error(kIo) on a
// socket error or when the deadline passes.
void WriteAllBefore(int fd, std::string_view data, AgentClock::time_point deadline);

// Reads one frame's payload from `fd`, however the bytes arrive. Returns
// nullopt when the peer closed the connection before a frame started.
// Throws Error(kMalformed) for a bad length prefix (0 or > max_bytes), and
// Error(kIo) when the peer closes mid-frame, on a socket error, or when the
// deadline passes.
std::optional<std::string> ReadFrameBefore(int fd, AgentClock::time_point deadline,
                                           uint32_t max_bytes = kMaxFrameBytes);

}  // namespace hgc
