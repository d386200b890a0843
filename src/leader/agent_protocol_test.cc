#include "leader/agent_protocol.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/error.h"

namespace hgc {
namespace {

using namespace std::chrono_literals;

std::string Malformed(std::string_view payload) {
  try {
    DecodeAppendRequest(payload);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kMalformed);
    return e.what();
  }
  ADD_FAILURE() << "decoded a malformed request";
  return "";
}

AppendRequest Sample() { return {"pushdata", 3, {"1\n{\"name\": \"heartbeat-1\"}", "", "x"}}; }

TEST(AgentProtocol, RequestAndReplyRoundTrip) {
  AppendRequest in = Sample();
  AppendRequest out = DecodeAppendRequest(EncodeAppendRequest(in));
  EXPECT_EQ(out.topic, "pushdata");
  EXPECT_EQ(out.partition, 3);
  EXPECT_EQ(out.values, in.values);
  AgentReply r = DecodeAgentReply(EncodeAgentReply({AgentStatus::kOk, 1234567890123, ""}));
  EXPECT_EQ(r.status, AgentStatus::kOk);
  EXPECT_EQ(r.offset, 1234567890123);
  r = DecodeAgentReply(EncodeAgentReply({AgentStatus::kLogUnavailable, -1, "broker down"}));
  EXPECT_EQ(r.status, AgentStatus::kLogUnavailable);
  EXPECT_EQ(r.offset, -1);
  EXPECT_EQ(r.message, "broker down");
}

TEST(AgentProtocol, MalformedRequestsSayWhatIsWrong) {
  std::string good = EncodeAppendRequest(Sample());
  EXPECT_NE(Malformed("").find("truncated at version"), std::string::npos);
  std::string v2 = good;
  v2[0] = 2;
  EXPECT_NE(Malformed(v2).find("protocol version 2"), std::string::npos);
  std::string op = good;
  op[1] = 'X';
  EXPECT_NE(Malformed(op).find("unknown op"), std::string::npos);
  // Every truncation of a good request is refused, none crashes.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(Malformed(good.substr(0, n)).empty()) << n;
  }
  EXPECT_NE(Malformed(good + "z").find("1 bytes after the last value"), std::string::npos);
  EXPECT_NE(Malformed(EncodeAppendRequest({"push data", 0, {"x"}})).find("0x20"),
            std::string::npos);
  EXPECT_NE(Malformed(EncodeAppendRequest({"", 0, {"x"}})).find("topic of 0 bytes"),
            std::string::npos);
  EXPECT_NE(Malformed(EncodeAppendRequest({"pushdata", -1, {"x"}})).find("negative partition"),
            std::string::npos);
  EXPECT_NE(Malformed(EncodeAppendRequest({"pushdata", 0, {}})).find("value count 0"),
            std::string::npos);
  // A count that cannot fit is refused before anything is reserved.
  std::string huge = EncodeAppendRequest({"pushdata", 0, {"x"}});
  huge[4 + 8 + 4] = '\x00';
  huge[4 + 8 + 5] = '\x01';  // count 0x00010001... > bytes left
  EXPECT_FALSE(Malformed(huge).empty());
  // A value length running past the end.
  std::string longer = good;
  longer[4 + 8 + 4 + 4] = '\x7f';
  EXPECT_NE(Malformed(longer).find("value length says"), std::string::npos);
}

std::string MalformedHook(std::string_view payload) {
  try {
    DecodeHookRequest(payload);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kMalformed);
    return e.what();
  }
  ADD_FAILURE() << "decoded a malformed hook request";
  return "";
}

HookRequest SampleHook() {
  return {"pretxnclose",
          "/srv/leader/hgrc",
          "/srv/repos/mozilla-central",
          {{"HG_NODE", "0123abcd"}, {"HG_PENDING", "/srv/repos/mozilla-central"}, {"EMPTY", ""}}};
}

TEST(AgentProtocol, HookRequestsAndRepliesRoundTrip) {
  HookRequest in = SampleHook();
  std::string payload = EncodeHookRequest(in);
  EXPECT_EQ(RequestOp(payload), 'H');
  EXPECT_EQ(RequestOp(EncodeAppendRequest(Sample())), 'A');
  EXPECT_EQ(RequestOp("\x01"), 0);
  HookRequest out = DecodeHookRequest(payload);
  EXPECT_EQ(out.hook, in.hook);
  EXPECT_EQ(out.config_path, in.config_path);
  EXPECT_EQ(out.cwd, in.cwd);
  EXPECT_EQ(out.env, in.env);
  HookReply r = DecodeHookReply(EncodeHookReply({HookStatus::kRan, 1, "refused\n", "(why)\n"}));
  EXPECT_EQ(r.status, HookStatus::kRan);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "refused\n");
  EXPECT_EQ(r.err, "(why)\n");
  r = DecodeHookReply(EncodeHookReply({HookStatus::kStarted, 0, "", ""}));
  EXPECT_EQ(r.status, HookStatus::kStarted);
  // An agent older than hooks answers with an append reply: its first two
  // bytes (version, bad request) read as a hook reply that is not "ran".
  std::string old = EncodeAgentReply({AgentStatus::kBadRequest, -1, "unknown op 0x48"});
  EXPECT_EQ(old[0], static_cast<char>(kProtocolVersion));
  EXPECT_EQ(static_cast<HookStatus>(old[1]), HookStatus::kBadRequest);
}

TEST(AgentProtocol, MalformedHookRequestsSayWhatIsWrong) {
  std::string good = EncodeHookRequest(SampleHook());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(MalformedHook(good.substr(0, n)).empty()) << n;
  }
  EXPECT_NE(MalformedHook(good + "z").find("truncated at attachment length"), std::string::npos);
  EXPECT_NE(MalformedHook(good + std::string("\0\0\0\1ab", 6)).find("1 bytes after the attachment"),
            std::string::npos);
  HookRequest with = SampleHook();
  with.attachment = std::string("HG20\0\0", 6);
  EXPECT_EQ(DecodeHookRequest(EncodeHookRequest(with)).attachment, with.attachment);
  EXPECT_EQ(DecodeHookRequest(good).attachment, "");
  HookRequest h = SampleHook();
  h.hook = "pretxnclose; rm -rf /";
  EXPECT_NE(MalformedHook(EncodeHookRequest(h)).find("hook name must be"), std::string::npos);
  h = SampleHook();
  h.cwd = "repos/relative";
  EXPECT_NE(MalformedHook(EncodeHookRequest(h)).find("'repos/relative' is not an absolute path"),
            std::string::npos);
  h = SampleHook();
  h.config_path = std::string("/etc/hgrc\0x", 11);
  EXPECT_NE(MalformedHook(EncodeHookRequest(h)).find("config path contains a NUL byte"),
            std::string::npos);
  h = SampleHook();
  h.env.push_back({"A=B", "c"});
  EXPECT_NE(MalformedHook(EncodeHookRequest(h)).find("environment entry 3"), std::string::npos);
  h = SampleHook();
  h.env.assign(kMaxEnvEntries + 1, {"K", "v"});
  EXPECT_NE(MalformedHook(EncodeHookRequest(h)).find("4097 environment entries"),
            std::string::npos);
  // An append decoder given a hook request (and the reverse) says so.
  EXPECT_NE(Malformed(good).find("unknown op 0x48"), std::string::npos);
  EXPECT_NE(MalformedHook(EncodeAppendRequest(Sample())).find("expected 'H'"), std::string::npos);
}

TEST(AgentProtocol, FramesRefuseEmptyAndOversizedPayloads) {
  EXPECT_THROW(Frame(""), Error);
  std::string f = Frame("abc");
  EXPECT_EQ(f, std::string("\0\0\0\x03"
                           "abc",
                           7));
  try {
    Frame(std::string(kMaxFrameBytes + 1, 'x'));
    ADD_FAILURE() << "oversized frame accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("too big"), std::string::npos) << e.what();
  }
}

struct SocketPair {
  int a = -1, b = -1;
  SocketPair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    a = fds[0];
    b = fds[1];
  }
  ~SocketPair() {
    if (a >= 0) close(a);
    if (b >= 0) close(b);
  }
  void CloseA() {
    close(a);
    a = -1;
  }
};

TEST(AgentProtocol, ReadsFramesArrivingByteByByte) {
  SocketPair s;
  std::string payload = EncodeAppendRequest(Sample());
  std::string frame = Frame(payload) + Frame("second");
  std::thread writer([&] {
    for (char c : frame) {
      ASSERT_EQ(write(s.a, &c, 1), 1);
      std::this_thread::yield();
    }
  });
  auto first = ReadFrameBefore(s.b, AgentClock::now() + 10s);
  auto second = ReadFrameBefore(s.b, AgentClock::now() + 10s);
  writer.join();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, payload);
  EXPECT_EQ(*second, "second");
  s.CloseA();
  EXPECT_FALSE(ReadFrameBefore(s.b, AgentClock::now() + 10s)) << "clean close between frames";
}

TEST(AgentProtocol, ClosedMidFrameOrSilentPeerIsAnErrorNotAFrame) {
  {
    SocketPair s;
    std::string frame = Frame("0123456789");
    ASSERT_EQ(write(s.a, frame.data(), 8), 8);
    s.CloseA();
    try {
      ReadFrameBefore(s.b, AgentClock::now() + 10s);
      ADD_FAILURE() << "a partial frame was returned";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kIo);
      EXPECT_NE(std::string(e.what()).find("closed mid-frame (4 of 10 bytes)"), std::string::npos)
          << e.what();
    }
  }
  {
    SocketPair s;
    ASSERT_EQ(write(s.a, "\0\0", 2), 2);
    auto start = AgentClock::now();
    EXPECT_THROW(ReadFrameBefore(s.b, start + 200ms), Error);
    EXPECT_GE(AgentClock::now() - start, 200ms);
  }
}

TEST(AgentProtocol, OversizedOrZeroLengthPrefixIsMalformed) {
  for (std::string prefix : {std::string("\0\0\0\0", 4), std::string("\x04\0\0\x01", 4)}) {
    SocketPair s;
    ASSERT_EQ(write(s.a, prefix.data(), 4), 4);
    try {
      ReadFrameBefore(s.b, AgentClock::now() + 10s);
      ADD_FAILURE() << "accepted length prefix";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kMalformed);
      EXPECT_NE(std::string(e.what()).find("frame length"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace hgc
