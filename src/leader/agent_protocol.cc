#include "leader/agent_protocol.h"

#include <errno.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "common/error.h"

namespace hgc {
namespace {

void PutU8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
void PutU16(std::string& out, uint16_t v) {
  PutU8(out, static_cast<uint8_t>(v >> 8));
  PutU8(out, static_cast<uint8_t>(v));
}
void PutU32(std::string& out, uint32_t v) {
  PutU16(out, static_cast<uint16_t>(v >> 16));
  PutU16(out, static_cast<uint16_t>(v));
}
void PutU64(std::string& out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v));
}

[[noreturn]] void BadFrame(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "malformed producer agent frame: " + what);
}

// Reads fields from a payload, refusing to run past its end.
class FrameReader {
 public:
  explicit FrameReader(std::string_view data) : data_(data) {}
  uint64_t Int(size_t bytes, const char* field) {
    if (data_.size() - pos_ < bytes) {
      BadFrame(fmt::format("truncated at {} (byte {} of {})", field, pos_, data_.size()));
    }
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += bytes;
    return v;
  }
  std::string_view Bytes(size_t n, const char* field) {
    if (data_.size() - pos_ < n) {
      BadFrame(fmt::format("{} says {} bytes but only {} remain", field, n, data_.size() - pos_));
    }
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  std::string_view Rest() {
    std::string_view v = data_.substr(pos_);
    pos_ = data_.size();
    return v;
  }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

void CheckVersion(uint64_t version) {
  if (version != kProtocolVersion) {
    BadFrame(
        fmt::format("protocol version {} (this build speaks {}); run the same hgcluster binary "
                    "for hooks and agent",
                    version, kProtocolVersion));
  }
}

void CheckTopic(std::string_view topic) {
  if (topic.empty() || topic.size() > 249) {
    BadFrame(fmt::format("topic of {} bytes (expected 1..249)", topic.size()));
  }
  for (char c : topic) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok)
      BadFrame(fmt::format("topic contains byte 0x{:02x} (allowed: A-Z a-z 0-9 . _ -)",
                           static_cast<unsigned char>(c)));
  }
}

int PollFor(int fd, short events, AgentClock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - AgentClock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd, events, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0)
      throw Error(ErrorKind::kIo, std::string("poll on producer agent socket: ") + strerror(errno));
    if (r > 0) return r;
  }
}

}  // namespace

std::string EncodeAppendRequest(const AppendRequest& r) {
  std::string out;
  PutU8(out, kProtocolVersion);
  PutU8(out, 'A');
  PutU16(out, static_cast<uint16_t>(r.topic.size()));
  out += r.topic;
  PutU32(out, static_cast<uint32_t>(r.partition));
  PutU32(out, static_cast<uint32_t>(r.values.size()));
  for (const auto& v : r.values) {
    PutU32(out, static_cast<uint32_t>(v.size()));
    out += v;
  }
  return out;
}

AppendRequest DecodeAppendRequest(std::string_view payload) {
  FrameReader in(payload);
  CheckVersion(in.Int(1, "version"));
  uint64_t op = in.Int(1, "op");
  if (op != 'A') BadFrame(fmt::format("unknown op 0x{:02x} (expected 'A', append)", op));
  AppendRequest r;
  size_t topic_len = in.Int(2, "topic length");
  r.topic = std::string(in.Bytes(topic_len, "topic length"));
  CheckTopic(r.topic);
  auto partition = static_cast<int32_t>(static_cast<uint32_t>(in.Int(4, "partition")));
  if (partition < 0) BadFrame(fmt::format("negative partition {}", partition));
  r.partition = partition;
  uint64_t count = in.Int(4, "value count");
  if (count == 0 || count > kMaxValues) {
    BadFrame(fmt::format("value count {} (expected 1..{})", count, kMaxValues));
  }
  // Each value needs at least its 4-byte length: refuse before reserving.
  if (count * 4 > in.remaining()) {
    BadFrame(
        fmt::format("value count {} does not fit in the {} bytes left", count, in.remaining()));
  }
  r.values.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    size_t len = in.Int(4, "value length");
    r.values.emplace_back(in.Bytes(len, "value length"));
  }
  if (in.remaining() != 0) BadFrame(fmt::format("{} bytes after the last value", in.remaining()));
  return r;
}

std::string EncodeAgentReply(const AgentReply& r) {
  std::string out;
  PutU8(out, kProtocolVersion);
  PutU8(out, static_cast<uint8_t>(r.status));
  PutU64(out, static_cast<uint64_t>(r.offset));
  out += r.message;
  return out;
}

AgentReply DecodeAgentReply(std::string_view payload) {
  FrameReader in(payload);
  CheckVersion(in.Int(1, "version"));
  uint64_t status = in.Int(1, "status");
  if (status > 3) BadFrame(fmt::format("unknown reply status {}", status));
  AgentReply r;
  r.status = static_cast<AgentStatus>(status);
  r.offset = static_cast<int64_t>(in.Int(8, "offset"));
  r.message = std::string(in.Rest());
  return r;
}

uint8_t RequestOp(std::string_view payload) {
  return payload.size() >= 2 ? static_cast<uint8_t>(payload[1]) : 0;
}

std::string EncodeHookRequest(const HookRequest& r) {
  std::string out;
  PutU8(out, kProtocolVersion);
  PutU8(out, 'H');
  for (const std::string* s : {&r.hook, &r.config_path, &r.cwd}) {
    PutU16(out, static_cast<uint16_t>(s->size()));
    out += *s;
  }
  PutU32(out, static_cast<uint32_t>(r.env.size()));
  for (const auto& [k, v] : r.env) {
    PutU16(out, static_cast<uint16_t>(k.size()));
    out += k;
    PutU32(out, static_cast<uint32_t>(v.size()));
    out += v;
  }
  if (!r.attachment.empty()) {
    PutU32(out, static_cast<uint32_t>(r.attachment.size()));
    out += r.attachment;
  }
  return out;
}

HookRequest DecodeHookRequest(std::string_view payload) {
  FrameReader in(payload);
  CheckVersion(in.Int(1, "version"));
  uint64_t op = in.Int(1, "op");
  if (op != 'H') BadFrame(fmt::format("unknown op 0x{:02x} (expected 'H', hook)", op));
  HookRequest r;
  r.hook = std::string(in.Bytes(in.Int(2, "hook name length"), "hook name length"));
  if (r.hook.empty() || r.hook.size() > 64 ||
      r.hook.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
    BadFrame("hook name must be 1..64 bytes of a-z and '-'");
  }
  r.config_path = std::string(in.Bytes(in.Int(2, "config path length"), "config path length"));
  r.cwd = std::string(in.Bytes(in.Int(2, "working directory length"), "working directory length"));
  for (const std::string* p : {&r.config_path, &r.cwd}) {
    const char* field = p == &r.cwd ? "working directory" : "config path";
    if (p->find('\0') != std::string::npos) BadFrame(fmt::format("{} contains a NUL byte", field));
    if (p->empty() || (*p)[0] != '/') {
      BadFrame(fmt::format("{} '{}' is not an absolute path", field, *p));
    }
  }
  uint64_t count = in.Int(4, "environment count");
  if (count > kMaxEnvEntries) {
    BadFrame(fmt::format("{} environment entries (at most {})", count, kMaxEnvEntries));
  }
  if (count * 6 > in.remaining()) {
    BadFrame(fmt::format("environment count {} does not fit in the {} bytes left", count,
                         in.remaining()));
  }
  r.env.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string key(in.Bytes(in.Int(2, "environment name length"), "environment name length"));
    if (key.empty() || key.find('=') != std::string::npos || key.find('\0') != std::string::npos) {
      BadFrame(fmt::format("environment entry {} has an empty name or one with '=' or NUL", i));
    }
    std::string value(in.Bytes(in.Int(4, "environment value length"), "environment value length"));
    r.env.emplace_back(std::move(key), std::move(value));
  }
  if (in.remaining() != 0) {
    r.attachment = std::string(in.Bytes(in.Int(4, "attachment length"), "attachment length"));
  }
  if (in.remaining() != 0) BadFrame(fmt::format("{} bytes after the attachment", in.remaining()));
  return r;
}

std::string EncodeHookReply(const HookReply& r) {
  std::string out;
  PutU8(out, kProtocolVersion);
  PutU8(out, static_cast<uint8_t>(r.status));
  PutU32(out, static_cast<uint32_t>(r.exit_code));
  PutU32(out, static_cast<uint32_t>(r.out.size()));
  out += r.out;
  out += r.err;
  return out;
}

HookReply DecodeHookReply(std::string_view payload) {
  FrameReader in(payload);
  CheckVersion(in.Int(1, "version"));
  uint64_t status = in.Int(1, "status");
  if (status > 3) BadFrame(fmt::format("unknown hook reply status {}", status));
  HookReply r;
  r.status = static_cast<HookStatus>(status);
  r.exit_code = static_cast<int32_t>(static_cast<uint32_t>(in.Int(4, "exit status")));
  r.out = std::string(in.Bytes(in.Int(4, "output length"), "output length"));
  r.err = std::string(in.Rest());
  return r;
}

std::string Frame(std::string_view payload) {
  if (payload.empty() || payload.size() > kMaxFrameBytes) {
    throw Error(ErrorKind::kMalformed,
                fmt::format("producer agent frame of {} bytes (at most {} MiB): the event is too "
                            "big to hand to the agent",
                            payload.size(), kMaxFrameBytes >> 20));
  }
  std::string out;
  PutU32(out, static_cast<uint32_t>(payload.size()));
  out += payload;
  return out;
}

void WriteAllBefore(int fd, std::string_view data, AgentClock::time_point deadline) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (PollFor(fd, POLLOUT, deadline) == 0) {
        throw Error(ErrorKind::kIo, "timed out writing to the producer agent socket");
      }
      continue;
    }
    throw Error(ErrorKind::kIo,
                std::string("writing to the producer agent socket: ") + strerror(errno));
  }
}

std::optional<std::string> ReadFrameBefore(int fd, AgentClock::time_point deadline,
                                           uint32_t max_bytes) {
  auto read_exact = [&](char* buf, size_t want, bool at_start) -> bool {
    size_t got = 0;
    while (got < want) {
      ssize_t n = recv(fd, buf + got, want - got, MSG_DONTWAIT);
      if (n > 0) {
        got += static_cast<size_t>(n);
        continue;
      }
      if (n == 0) {
        if (at_start && got == 0) return false;
        throw Error(ErrorKind::kIo, fmt::format("producer agent connection closed mid-frame ({} "
                                                "of {} bytes)",
                                                got, want));
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (PollFor(fd, POLLIN, deadline) == 0) {
          throw Error(ErrorKind::kIo, "timed out reading from the producer agent socket");
        }
        continue;
      }
      throw Error(ErrorKind::kIo,
                  std::string("reading from the producer agent socket: ") + strerror(errno));
    }
    return true;
  };
  unsigned char len_bytes[4];
  if (!read_exact(reinterpret_cast<char*>(len_bytes), 4, true)) return std::nullopt;
  uint32_t len = (uint32_t{len_bytes[0]} << 24) | (uint32_t{len_bytes[1]} << 16) |
                 (uint32_t{len_bytes[2]} << 8) | uint32_t{len_bytes[3]};
  if (len == 0 || len > max_bytes) {
    BadFrame(fmt::format("frame length {} (expected 1..{})", len, max_bytes));
  }
  std::string payload(len, '\0');
  read_exact(payload.data(), len, false);
  return payload;
}

}  // namespace hgc
