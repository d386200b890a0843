// The producer agent on a real embedded log, over a real Unix socket.
#include "leader/producer_agent.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "common/error.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

using namespace std::chrono_literals;

struct RunningAgent {
  test::ScratchDir dir;
  std::string socket = dir / "producer.sock";
  std::string log_url = "sqlite://" + (dir / "log.db");
  std::atomic<bool> stop{false};
  std::unique_ptr<ProducerAgent> agent;
  std::thread thread;
  std::string config = dir / "leader-hgrc";
  explicit RunningAgent(std::chrono::milliseconds idle = 60000ms) {
    auto log = OpenLog(log_url, "test");
    log->EnsureTopic("pushdata", 8);
    WriteFileAtomic(config, "[readonly]\nglobalreasonfile = " + (dir / "readonlyreason") + "\n");
    ProducerAgentOptions options{socket, "pushdata", idle, 64};
    options.config_path = config;
    options.host = "hgssh1";
    options.configured_host = "hgssh1";
    agent = std::make_unique<ProducerAgent>(options, std::move(log));
    thread = std::thread([this] { agent->Serve(stop); });
  }
  ~RunningAgent() {
    stop = true;
    thread.join();
  }
  std::vector<std::string> Read(int partition) {
    auto log = OpenLog(log_url, "reader");
    auto recs = log->OpenCursor({{"pushdata", partition, 0}})->Poll(1000, 100ms);
    std::vector<std::string> out;
    for (auto& r : recs) out.push_back(r.value);
    return out;
  }
};

int Connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, path.size());
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

TEST(ProducerAgent, AppendsInOrderAndAnswersWithTheOffset) {
  RunningAgent a;
  struct stat st {};
  ASSERT_EQ(stat(a.socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "only the owner's hooks may connect";
  AgentClient client(a.socket, 10s);
  EXPECT_EQ(client.Append("pushdata", 5, {"a"}), 0);
  EXPECT_EQ(client.Append("pushdata", 5, {"b", "c", "d"}), 1);
  EXPECT_EQ(client.Append("pushdata", 5, {"e"}), 4);
  EXPECT_EQ(client.Append("pushdata", 2, {"other"}), 0);
  EXPECT_EQ(a.Read(5), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(a.Read(2), (std::vector<std::string>{"other"}));
}

TEST(ProducerAgent, ManyConcurrentHooksLoseNothingAndDoubleNothing) {
  RunningAgent a;
  std::vector<std::thread> hooks;
  for (int t = 0; t < 8; ++t) {
    hooks.emplace_back([&, t] {
      AgentClient client(a.socket, 30s);  // one connection, many requests
      for (int i = 0; i < 25; ++i) client.Append("pushdata", 1, {fmt::format("{}-{}", t, i)});
    });
  }
  for (auto& h : hooks) h.join();
  auto values = a.Read(1);
  ASSERT_EQ(values.size(), 200u);
  std::set<std::string> unique(values.begin(), values.end());
  EXPECT_EQ(unique.size(), 200u);
  // Each hook's own appends keep their order.
  for (int t = 0; t < 8; ++t) {
    int last = -1;
    for (const auto& v : values) {
      if (v.rfind(std::to_string(t) + "-", 0) == 0) {
        int i = std::stoi(v.substr(v.find('-') + 1));
        EXPECT_EQ(i, last + 1) << v;
        last = i;
      }
    }
  }
}

TEST(ProducerAgent, RefusesWrongTopicAndMissingPartitionWithoutAppending) {
  RunningAgent a;
  AgentClient client(a.socket, 10s);
  try {
    client.Append("replicatedpushdata", 0, {"x"});
    ADD_FAILURE() << "wrong topic accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kMalformed);
    EXPECT_NE(std::string(e.what()).find("topic 'replicatedpushdata' is not written through this "
                                         "agent (it writes 'pushdata')"),
              std::string::npos)
        << e.what();
  }
  try {
    client.Append("pushdata", 8, {"x"});
    ADD_FAILURE() << "partition 8 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("partition 8 of topic 'pushdata' does not exist (it has "
                                         "8)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(client.Append("pushdata", 0, {"ok"}), 0) << "the client reconnects after a refusal";
  EXPECT_EQ(a.Read(0), std::vector<std::string>{"ok"});
}

TEST(ProducerAgent, MalformedFramesGetAClearReplyAndAppendNothing) {
  RunningAgent a;
  auto deadline = [] { return AgentClock::now() + 10s; };
  {
    int fd = Connect(a.socket);
    std::string bad = Frame("\x01Z garbage");
    WriteAllBefore(fd, bad, deadline());
    auto reply = DecodeAgentReply(*ReadFrameBefore(fd, deadline()));
    EXPECT_EQ(reply.status, AgentStatus::kBadRequest);
    EXPECT_NE(reply.message.find("unknown op"), std::string::npos) << reply.message;
    EXPECT_FALSE(ReadFrameBefore(fd, deadline())) << "the agent closes after a bad request";
    close(fd);
  }
  {
    int fd = Connect(a.socket);
    WriteAllBefore(fd, std::string("\x7f\xff\xff\xff", 4), deadline());  // 2 GiB announced
    auto reply = DecodeAgentReply(*ReadFrameBefore(fd, deadline()));
    EXPECT_EQ(reply.status, AgentStatus::kBadRequest);
    EXPECT_NE(reply.message.find("frame length 2147483647"), std::string::npos) << reply.message;
    close(fd);
  }
  {
    // Half a frame, then the hook dies: nothing is appended.
    int fd = Connect(a.socket);
    std::string frame = Frame(EncodeAppendRequest({"pushdata", 0, {"half"}}));
    WriteAllBefore(fd, frame.substr(0, frame.size() - 2), deadline());
    close(fd);
  }
  AgentClient client(a.socket, 10s);
  EXPECT_EQ(client.Append("pushdata", 0, {"whole"}), 0);
  EXPECT_EQ(a.Read(0), std::vector<std::string>{"whole"});
}

TEST(ProducerAgent, StalledConnectionIsDroppedAfterTheIdleTimeout) {
  RunningAgent a(300ms);
  int fd = Connect(a.socket);
  ASSERT_EQ(write(fd, "\0\0", 2), 2);  // and nothing more
  auto start = AgentClock::now();
  EXPECT_FALSE(ReadFrameBefore(fd, start + 10s)) << "closed without a reply";
  EXPECT_GE(AgentClock::now() - start, 250ms);
  close(fd);
}

TEST(ProducerAgent, NoAgentOrASilentOneIsLogUnavailable) {
  test::ScratchDir dir;
  AgentClient absent(dir / "nothing.sock", 5s);
  try {
    absent.Append("pushdata", 0, {"x"});
    ADD_FAILURE() << "append without an agent succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kLogUnavailable);
    EXPECT_NE(
        std::string(e.what()).find("producer agent not reachable at " + (dir / "nothing.sock")),
        std::string::npos)
        << e.what();
  }
  // A listener that never answers (a hung agent): refused at the deadline.
  std::string path = dir / "silent.sock";
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, path.size());
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(l, 4), 0);
  AgentClient silent(path, 300ms);
  auto start = AgentClock::now();
  try {
    silent.Append("pushdata", 0, {"x"});
    ADD_FAILURE() << "a silent agent confirmed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kLogUnavailable);
    EXPECT_NE(std::string(e.what()).find("did not confirm the append within 0.3 s"),
              std::string::npos)
        << e.what();
  }
  EXPECT_GE(AgentClock::now() - start, 300ms);
  EXPECT_LT(AgentClock::now() - start, 5s);
  close(l);
}

TEST(ProducerAgent, ASecondAgentOnTheSameSocketIsRefused) {
  RunningAgent a;
  try {
    ProducerAgent second({a.socket, "pushdata"}, OpenLog(a.log_url, "second"));
    ADD_FAILURE() << "two agents on one socket";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(e.what()).find("another producer agent serves " + a.socket),
              std::string::npos)
        << e.what();
  }
  AgentClient client(a.socket, 10s);
  EXPECT_EQ(client.Append("pushdata", 0, {"still served"}), 0);
  std::string too_long = "/tmp/" + std::string(120, 'x') + ".sock";
  try {
    ProducerAgent bad({too_long, "pushdata"}, OpenLog(a.log_url, "bad"));
    ADD_FAILURE() << "accepted a path longer than sun_path";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("shorter path"), std::string::npos) << e.what();
  }
}

// One hook request over the socket: the replies in order (a "started" then
// the final one, or only the final one).
std::vector<HookReply> AskHook(const std::string& socket, const HookRequest& request) {
  auto deadline = AgentClock::now() + 10s;
  int fd = Connect(socket);
  WriteAllBefore(fd, Frame(EncodeHookRequest(request)), deadline);
  std::vector<HookReply> replies;
  while (auto payload = ReadFrameBefore(fd, deadline)) {
    replies.push_back(DecodeHookReply(*payload));
    if (replies.back().status != HookStatus::kStarted) break;
  }
  close(fd);
  return replies;
}

TEST(ProducerAgent, RunsHooksOfItsOwnConfigAndHostAndSaysStartedFirst) {
  RunningAgent a;
  std::string repo = a.dir / "repo";
  std::filesystem::create_directories(repo + "/.hg");
  HookRequest precommit{"precommit", a.config, repo, {{"HGCLUSTER_HOST", "hgssh1"}}};
  auto replies = AskHook(a.socket, precommit);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].status, HookStatus::kStarted);
  EXPECT_EQ(replies[1].status, HookStatus::kRan);
  EXPECT_EQ(replies[1].exit_code, 1);
  EXPECT_EQ(replies[1].out, "cannot commit to replicating repositories; push instead\n");

  // The hook's own environment, not the agent's: HG_NAMESPACE names what
  // the read-only repository refuses.
  WriteFileAtomic(repo + "/.hg/readonlyreason", "tree closed for the merge\n");
  HookRequest readonly{"readonly-pushkey", a.config, repo, {{"HG_NAMESPACE", "bookmarks"}}};
  replies = AskHook(a.socket, readonly);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].exit_code, 1);
  EXPECT_NE(replies[1].out.find("tree closed for the merge\nrefusing to update bookmarks\n"),
            std::string::npos)
      << replies[1].out;
  std::filesystem::remove(repo + "/.hg/readonlyreason");
  replies = AskHook(a.socket, readonly);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].exit_code, 0) << replies[1].out;
}

TEST(ProducerAgent, HooksItWouldRunDifferentlyAreLeftToAProcess) {
  RunningAgent a;
  std::string repo = a.dir / "repo";
  std::filesystem::create_directories(repo + "/.hg");
  auto not_served = [&](HookRequest r, const std::string& why) {
    auto replies = AskHook(a.socket, r);
    ASSERT_EQ(replies.size(), 1u) << why;
    EXPECT_EQ(replies[0].status, HookStatus::kNotServed) << why;
    EXPECT_NE(replies[0].err.find(why), std::string::npos) << replies[0].err;
  };
  std::string other = a.dir / "other-hgrc";
  WriteFileAtomic(other, "");
  not_served({"precommit", other, repo, {}}, "this agent serves " + a.config);
  not_served({"precommit", a.config, repo, {{"HGCLUSTER_DIRECT_PRODUCER", "1"}}},
             "HGCLUSTER_DIRECT_PRODUCER=1");
  not_served({"precommit", a.config, repo, {{"HGCLUSTER_HOST", "hgssh2"}}},
             "the hook runs for host hgssh2, this agent serves hgssh1");
  not_served({"precommit", a.config, repo, {{"HGCLUSTER_MASTER_STATE", "/elsewhere.json"}}},
             "HGCLUSTER_MASTER_STATE");
  // The same config through another spelling of its path is this agent's.
  auto replies = AskHook(a.socket, {"precommit", a.dir / "./leader-hgrc", repo, {}});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].status, HookStatus::kRan);
  // A malformed hook request: refused, and appends still work after it.
  replies = AskHook(a.socket, {"no such hook!", a.config, repo, {}});
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, HookStatus::kBadRequest);
  AgentClient client(a.socket, 10s);
  EXPECT_EQ(client.Append("pushdata", 0, {"after"}), 0);
}

}  // namespace
}  // namespace hgc
