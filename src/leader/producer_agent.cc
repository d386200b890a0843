#include "leader/producer_agent.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/logline.h"
#include "common/stop_signal.h"
#include "leader/hooks.h"
#include "leader/producer.h"
#include "master/master_state.h"

namespace hgc {
namespace {

const char* kLogger = "hgcluster.producer-agent";

sockaddr_un SocketAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    throw Error(
        ErrorKind::kConfig,
        fmt::format("producer agent socket path '{}' is {} bytes; a Unix socket path must "
                    "be 1..{} bytes: set [replicationproducer] agentsocket to a shorter path",
                    path, path.size(), sizeof addr.sun_path - 1));
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

std::string Seconds(std::chrono::milliseconds ms) {
  return fmt::format("{:g} s", static_cast<double>(ms.count()) / 1000);
}

}  // namespace

// ---- client ----

AgentClient::AgentClient(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

AgentClient::~AgentClient() { Close(); }

void AgentClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void AgentClient::Connect(AgentClock::time_point deadline) {
  sockaddr_un addr = SocketAddress(socket_path_);
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) {
    throw Error(ErrorKind::kLogUnavailable,
                std::string("cannot create a socket: ") + strerror(errno));
  }
  int r = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (r != 0 && errno == EAGAIN) {
    // The agent's accept backlog is full: wait for room until the deadline.
    while (r != 0 && errno == EAGAIN && AgentClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      r = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
  }
  if (r != 0) {
    int err = errno;
    Close();
    throw Error(ErrorKind::kLogUnavailable,
                fmt::format("producer agent not reachable at {}: {}; is `hgcluster producer-agent` "
                            "running on this leader host? (`hgcluster up` supervises it; "
                            "`hgcluster status` shows it)",
                            socket_path_, strerror(err)));
  }
}

int64_t AgentClient::Append(const std::string& topic, int partition,
                            const std::vector<std::string>& values) {
  AppendRequest request{topic, partition, values};
  std::string frame = Frame(EncodeAppendRequest(request));
  auto deadline = AgentClock::now() + timeout_;
  if (fd_ < 0) Connect(deadline);
  std::optional<std::string> payload;
  try {
    WriteAllBefore(fd_, frame, deadline);
    payload = ReadFrameBefore(fd_, deadline);
    if (!payload) throw Error(ErrorKind::kIo, "the agent closed the connection without a reply");
  } catch (const Error& e) {
    Close();  // a late reply must never be read as the answer to the next request
    throw Error(ErrorKind::kLogUnavailable,
                fmt::format("producer agent at {} did not confirm the append within {}: {}",
                            socket_path_, Seconds(timeout_), e.what()));
  }
  AgentReply reply;
  try {
    reply = DecodeAgentReply(*payload);
  } catch (const Error& e) {
    Close();
    throw Error(ErrorKind::kLogUnavailable, e.what());
  }
  switch (reply.status) {
    case AgentStatus::kOk:
      return reply.offset;
    case AgentStatus::kLogUnavailable:
      throw Error(ErrorKind::kLogUnavailable, reply.message);
    case AgentStatus::kTooLarge:
      throw Error(ErrorKind::kTooLarge, reply.message);
    case AgentStatus::kBadRequest:
      Close();
      throw Error(ErrorKind::kMalformed,
                  "the producer agent refused the request: " + reply.message);
  }
  throw Error(ErrorKind::kMalformed, "unknown producer agent reply");
}

// ---- server ----

ProducerAgent::ProducerAgent(ProducerAgentOptions options, std::unique_ptr<Log> log)
    : options_(std::move(options)), log_(std::move(log)) {
  sockaddr_un addr = SocketAddress(options_.socket_path);
  std::string lock_path = options_.socket_path + ".lock";
  lock_fd_ = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) {
    throw Error(ErrorKind::kIo, fmt::format("cannot open {}: {}", lock_path, strerror(errno)));
  }
  if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    close(lock_fd_);
    lock_fd_ = -1;
    throw Error(ErrorKind::kConfig,
                fmt::format("another producer agent serves {} (it holds {}); stop it first",
                            options_.socket_path, lock_path));
  }
  // We hold the lock: a socket file left there is a dead agent's.
  unlink(options_.socket_path.c_str());
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) throw Error(ErrorKind::kIo, std::string("socket: ") + strerror(errno));
  mode_t old = umask(0177);  // the socket is born 0600: only this user's hooks connect
  int r = bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  umask(old);
  if (r != 0 || chmod(options_.socket_path.c_str(), 0600) != 0 || listen(listen_fd_, 128) != 0) {
    if (r == 0) err = errno;
    close(listen_fd_);
    listen_fd_ = -1;
    throw Error(ErrorKind::kIo,
                fmt::format("cannot listen on {}: {}", options_.socket_path, strerror(err)));
  }
}

ProducerAgent::~ProducerAgent() {
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(options_.socket_path.c_str());
  }
  if (lock_fd_ >= 0) close(lock_fd_);
}

void ProducerAgent::WarmUp() {
  try {
    int n = log_->PartitionCount(options_.topic);
    {
      std::lock_guard<std::mutex> lock(mu_);
      partitions_[options_.topic] = n;
    }
    log_->GetWatermarks(options_.topic, 0);
    LogLine(kLogger, fmt::format("{} log ready: topic {} has {} partitions", log_->Backend(),
                                 options_.topic, n));
  } catch (const std::exception& e) {
    LogLine(kLogger,
            fmt::format("log not ready yet ({}); hooks get its error until it is", e.what()));
  }
}

AgentReply ProducerAgent::Handle(std::string_view payload) {
  AppendRequest request;
  try {
    request = DecodeAppendRequest(payload);
  } catch (const Error& e) {
    return {AgentStatus::kBadRequest, -1, e.what()};
  }
  if (request.topic != options_.topic) {
    return {AgentStatus::kBadRequest, -1,
            fmt::format("topic '{}' is not written through this agent (it writes '{}')",
                        request.topic, options_.topic)};
  }
  try {
    int count = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = partitions_.find(request.topic);
      if (it != partitions_.end()) count = it->second;
    }
    if (count == 0) {
      count = log_->PartitionCount(request.topic);
      std::lock_guard<std::mutex> lock(mu_);
      partitions_[request.topic] = count;
    }
    if (request.partition >= count) {
      return {AgentStatus::kBadRequest, -1,
              fmt::format("partition {} of topic '{}' does not exist (it has {})",
                          request.partition, request.topic, count)};
    }
    int64_t offset = request.values.size() == 1
                         ? log_->Append(request.topic, request.partition, request.values[0])
                         : log_->AppendBatch(request.topic, request.partition, request.values);
    return {AgentStatus::kOk, offset, ""};
  } catch (const Error& e) {
    LogLine(kLogger,
            fmt::format("append to {}/{} failed: {}", request.topic, request.partition, e.what()));
    return {
        e.kind() == ErrorKind::kTooLarge ? AgentStatus::kTooLarge : AgentStatus::kLogUnavailable,
        -1, e.what()};
  } catch (const std::exception& e) {
    LogLine(kLogger,
            fmt::format("append to {}/{} failed: {}", request.topic, request.partition, e.what()));
    return {AgentStatus::kLogUnavailable, -1, e.what()};
  }
}

namespace {

std::string Canonical(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

std::string Getenv(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

// The login of the process at the other end of a Unix socket.
std::string PeerAccount(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return "";
  return AccountName(cred.uid);
}

}  // namespace

HookReply ProducerAgent::HandleHook(std::string_view payload, const std::string& peer_account,
                                    const std::function<void()>& starting) {
  HookRequest request;
  try {
    request = DecodeHookRequest(payload);
  } catch (const Error& e) {
    return {HookStatus::kBadRequest, 0, "", e.what()};
  }
  std::map<std::string, std::string> env(request.env.begin(), request.env.end());
  auto get = [&env](const std::string& name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  // Whatever would make the hook process behave differently from this
  // agent: let hg start it.
  std::string why;
  if (options_.config_path.empty()) {
    why = "this agent runs no hooks";
  } else if (Canonical(request.config_path) != Canonical(options_.config_path)) {
    why = fmt::format("the hook names {}, this agent serves {}", request.config_path,
                      options_.config_path);
  } else if (get("HGCLUSTER_DIRECT_PRODUCER") == "1") {
    why = "HGCLUSTER_DIRECT_PRODUCER=1";
  } else if (get("HGCLUSTER_MASTER_STATE") != Getenv("HGCLUSTER_MASTER_STATE")) {
    why = "the hook has its own HGCLUSTER_MASTER_STATE";
  } else if (MasterHostNameFrom(get("HGCLUSTER_HOST"), options_.configured_host) != options_.host) {
    why = fmt::format("the hook runs for host {}, this agent serves {}",
                      MasterHostNameFrom(get("HGCLUSTER_HOST"), options_.configured_host),
                      options_.host);
  }
  if (!why.empty()) return {HookStatus::kNotServed, 0, "", why};
  if (starting) starting();
  std::ostringstream out, err;
  HookContext c;
  c.cwd = request.cwd;
  c.env = get;
  c.out_stream = &out;
  c.err_stream = &err;
  c.log = log_.get();
  c.os_account = peer_account;
  if (request.hook == "changegroup") c.bundle = std::move(request.attachment);
  int status = RunLeaderHook(request.hook, request.config_path, c);
  if (status != 0) {
    LogLine(kLogger, fmt::format("hook {} in {} exited with status {}: {}", request.hook,
                                 request.cwd, status, out.str() + err.str()));
  }
  return {HookStatus::kRan, status, out.str(), err.str()};
}

void ProducerAgent::ServeConnection(int fd) {
  std::string peer_account;
  bool peer_known = false;
  try {
    while (true) {
      std::optional<std::string> payload;
      try {
        payload = ReadFrameBefore(fd, AgentClock::now() + options_.idle_timeout);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::kMalformed) {
          // A bad length prefix: say why, then drop the connection (the
          // stream cannot be resynchronised).
          LogLine(kLogger, fmt::format("refused a request: {}", e.what()));
          WriteAllBefore(fd, Frame(EncodeAgentReply({AgentStatus::kBadRequest, -1, e.what()})),
                         AgentClock::now() + std::chrono::seconds(1));
        }
        break;
      }
      if (!payload) break;
      if (RequestOp(*payload) == 'H') {
        if (!peer_known) {
          peer_account = PeerAccount(fd);
          peer_known = true;
        }
        HookReply reply = HandleHook(*payload, peer_account, [&] {
          WriteAllBefore(fd, Frame(EncodeHookReply({HookStatus::kStarted, 0, "", ""})),
                         AgentClock::now() + std::chrono::seconds(5));
        });
        if (reply.status == HookStatus::kBadRequest) {
          LogLine(kLogger, fmt::format("refused a hook request: {}", reply.err));
        }
        WriteAllBefore(fd, Frame(EncodeHookReply(reply)),
                       AgentClock::now() + options_.idle_timeout);
        if (reply.status == HookStatus::kBadRequest) break;
        continue;
      }
      AgentReply reply = Handle(*payload);
      if (reply.status == AgentStatus::kBadRequest) {
        LogLine(kLogger, fmt::format("refused a request: {}", reply.message));
      }
      WriteAllBefore(fd, Frame(EncodeAgentReply(reply)), AgentClock::now() + options_.idle_timeout);
      if (reply.status == AgentStatus::kBadRequest) break;
    }
  } catch (const std::exception&) {
    // The hook went away (timed out, killed): nothing to answer.
  }
  close(fd);
}

void ProducerAgent::Serve(const std::atomic<bool>& stop) {
  while (stop == 0) {
    pollfd p{listen_fd_, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (r <= 0) continue;
    if (active_ >= options_.max_connections) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    ++active_;
    std::thread([this, fd] {
      ServeConnection(fd);
      --active_;
    }).detach();
  }
  // Stop accepting; answer what is in flight.
  close(listen_fd_);
  unlink(options_.socket_path.c_str());
  listen_fd_ = -1;
  auto deadline = AgentClock::now() + std::chrono::seconds(30);
  while (active_ > 0 && AgentClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

namespace {}  // namespace

int RunProducerAgent(const std::string& config_path, const std::string& host,
                     const std::string& socket_override) {
  ProducerConfig config = ProducerConfig::Load(config_path);
  std::string socket_path = socket_override.empty() ? config.AgentSocket(host) : socket_override;
  if (socket_path.empty()) {
    throw Error(ErrorKind::kConfig,
                fmt::format("replicationproducer.agentsocket config option not set (in {}); set "
                            "it or pass --socket PATH",
                            config_path));
  }
  InstallStopSignals();
  signal(SIGPIPE, SIG_IGN);
  // Hooks run here gate their writes on this host's master role, as the
  // hook processes of this host would ($HGCLUSTER_HOST, set before any
  // thread starts).
  if (!host.empty()) setenv("HGCLUSTER_HOST", host.c_str(), 1);
  ProducerAgentOptions options;
  options.socket_path = socket_path;
  options.topic = config.topic;
  options.config_path = config_path;
  options.host = MasterHostName(config.host);
  options.configured_host = config.host;
  ProducerAgent agent(options, OpenLog(config.log_url, "leader-" + config.client_id));
  LogLine(kLogger,
          fmt::format("serving {} for {} (pid {})", socket_path, config.log_url, getpid()));
  agent.WarmUp();
  agent.Serve(StopRequested());
  LogLine(kLogger, fmt::format("received signal {}; stopped", StopSignal()));
  return 0;
}

}  // namespace hgc
