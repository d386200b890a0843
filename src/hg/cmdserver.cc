// One Mercurial command server (`hg serve --cmdserver pipe`) and its protocol:
// a request is "runcommand\n" + u32 BE length + NUL-joined args; replies are
// frames of 1 byte channel + u32 BE length + data on the server's stdout:
// 'o'/'e' output, 'r' the int32 BE exit code (ends the command), 'I'/'L'
// requests for input (length = wanted size, no data), 'd' debug. Lowercase
// channels are optional and may be ignored; uppercase ones are required.
// Thread-safety: one thread at a time per CommandServer.
#include "hg/cmdserver.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>

#include "common/error.h"

extern char** environ;

namespace hgc {
namespace {

constexpr size_t kErrTail = 4096;                     // server stderr kept for error messages
constexpr uint32_t kMaxFrame = 1u << 30;              // larger is a corrupt stream, not output
constexpr auto kTermGrace = std::chrono::seconds(2);  // SIGTERM lets hg roll back first

std::string Be32(uint32_t v) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(v >> 24);
  s[1] = static_cast<char>(v >> 16);
  s[2] = static_cast<char>(v >> 8);
  s[3] = static_cast<char>(v);
  return s;
}

uint32_t ReadBe32(const char* p) {
  auto b = [p](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(p[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

void ClosePair(int fds[2]) {
  for (int i = 0; i < 2; ++i) {
    if (fds[i] >= 0) close(fds[i]);
  }
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return "ended";
}

// Blocks SIGPIPE in this thread while writing to a server that may have died,
// so a dead server is an EPIPE (and an Error) instead of killing the consumer;
// a SIGPIPE we caused is consumed before the mask is restored.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeGuard() {
    if (raised_ && !was_pending_) {
      timespec zero{};
      while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  void raised() { raised_ = true; }

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
  bool raised_ = false;
};

std::vector<std::string> ServerEnv(const std::string& hgrcpath) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // The same environment ProcessHgRunner gives hg, so both answer alike.
  env.erase("HG_PENDING");
  env.erase("HG_SHAREDPENDING");
  env["HGPLAIN"] = "1";
  env["HGENCODING"] = "UTF-8";
  env["HGRCPATH"] = hgrcpath;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

CommandServer::CommandServer(CommandServerOptions options) : options_(std::move(options)) {
  Spawn();
  usable_ = true;
  try {
    ReadHello();
  } catch (...) {
    Terminate();  // the destructor does not run for a throwing constructor
    throw;
  }
}

void CommandServer::ReadHello() {
  auto deadline = Deadline();
  Frame hello;
  // Optional channels (debug) may come first; the hello is the first 'o'.
  while ((hello = ReadFrame(deadline, &startup_err_)).channel != 'o') {
    if (std::isupper(static_cast<unsigned char>(hello.channel))) {
      Fail(fmt::format("asked for channel '{}' before its hello", hello.channel));
    }
  }
  std::istringstream lines(hello.data);
  std::string line;
  bool runcommand = false;
  while (std::getline(lines, line)) {
    if (line.rfind("capabilities:", 0) != 0) continue;
    std::istringstream caps(line.substr(13));
    std::string cap;
    while (caps >> cap) runcommand = runcommand || cap == "runcommand";
  }
  if (!runcommand) Fail("does not offer runcommand (hello: " + hello.data + ")");
}

CommandServer::~CommandServer() { Terminate(); }

void CommandServer::Spawn() {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    ClosePair(in);
    ClosePair(out);
    ClosePair(err);
    throw Error(ErrorKind::kHgFailed, std::string("pipe for hg command server: ") + strerror(e));
  }
  std::vector<std::string> argv{options_.hg_path};
  if (!options_.repo.empty()) {
    argv.push_back("-R");
    argv.push_back(options_.repo);
  }
  for (const auto& c : options_.extra_config) {
    argv.push_back("--config");
    argv.push_back(c);
  }
  for (const char* a : {"serve", "--cmdserver", "pipe"}) argv.push_back(a);
  std::vector<std::string> env = ServerEnv(options_.hgrcpath);
  std::vector<char*> argp, envp;
  for (auto& a : argv) argp.push_back(a.data());
  argp.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  // posix_spawn (vfork-like in glibc) is safe from a multi-threaded consumer,
  // unlike running C++ between fork() and exec().
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  // A server must not hold other servers' pipes open (their EOF is how they end).
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, dfl;
  sigemptyset(&none);
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &dfl);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argp[0], &fa, &attr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    throw Error(ErrorKind::kHgFailed,
                fmt::format("cannot start {}: {}", options_.hg_path, strerror(rc)));
  }
  pid_ = pid;
  to_server_ = in[1];
  from_server_ = out[0];
  server_err_ = err[0];
  fcntl(to_server_, F_SETFL, O_NONBLOCK);
}

std::optional<CommandServer::Clock::time_point> CommandServer::Deadline() const {
  if (!options_.timeout) return std::nullopt;
  return Clock::now() + *options_.timeout;
}

void CommandServer::Fail(const std::string& what, bool timed_out) {
  usable_ = false;
  timed_out_ = timed_out;
  pid_t pid = pid_;
  Terminate();
  std::string msg =
      fmt::format("hg command server (pid {}, repo '{}') {}", pid, options_.repo, what);
  if (!ended_.empty()) msg += "; it " + ended_;
  while (!err_tail_.empty() && std::isspace(static_cast<unsigned char>(err_tail_.back()))) {
    err_tail_.pop_back();
  }
  if (!err_tail_.empty()) msg += "; its stderr: " + err_tail_;
  throw Error(ErrorKind::kHgFailed, msg);
}

void CommandServer::Terminate() {
  usable_ = false;
  for (int* fd : {&to_server_, &from_server_, &server_err_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  if (pid_ <= 0) return;
  pid_t pid = pid_;
  pid_ = -1;
  int status = 0;
  bool lost = false;  // reaped by someone else (SIGCHLD ignored, a waitpid(-1))
  auto reaped = [&] {
    pid_t r;
    while ((r = waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR) {
    }
    lost = lost || r < 0;
    return r != 0;
  };
  bool done = reaped();
  if (!done && !in_command_) {
    // Between commands hg holds no lock and no transaction (it writes the
    // result after both are released), so there is nothing to clean up; a
    // SIGTERM would cost ~50 ms of interpreter teardown per evicted server.
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  } else if (!done) {
    // Mid-command, SIGTERM first: hg turns it into an exception that rolls
    // back an open transaction, so a killed command leaves no "run hg recover".
    kill(pid, SIGTERM);
    auto give_up = Clock::now() + kTermGrace;
    auto nap = std::chrono::microseconds(200);
    while (!(done = reaped()) && Clock::now() < give_up) {
      std::this_thread::sleep_for(nap);
      nap = std::min(nap * 2, std::chrono::microseconds(20000));
    }
    if (!done) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  ended_ = lost ? "ended (status unknown)" : DescribeStatus(status);
}

void CommandServer::DrainStderr(std::string* sink) {
  char buf[65536];
  while (server_err_ >= 0) {
    pollfd p{server_err_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return;
    ssize_t r = read(server_err_, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      close(server_err_);
      server_err_ = -1;
      return;
    }
    if (sink) sink->append(buf, static_cast<size_t>(r));
    err_tail_.append(buf, static_cast<size_t>(r));
    if (err_tail_.size() > kErrTail) err_tail_.erase(0, err_tail_.size() - kErrTail);
  }
}

void CommandServer::FillTo(size_t n, std::optional<Clock::time_point> deadline,
                           std::string* err_sink) {
  char buf[65536];
  while (in_buf_.size() - in_pos_ < n) {
    int wait_ms = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) Fail("timed out", true);
      wait_ms = static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX));
    }
    pollfd p[2] = {{from_server_, POLLIN, 0}, {server_err_, POLLIN, 0}};
    int rc = poll(p, server_err_ >= 0 ? 2 : 1, wait_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) Fail(std::string("poll failed: ") + strerror(errno));
    if (rc == 0) continue;  // the deadline check above reports the timeout
    if (server_err_ >= 0 && p[1].revents) DrainStderr(err_sink);
    if (!p[0].revents) continue;
    ssize_t r = read(from_server_, buf, sizeof buf);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r < 0) Fail(std::string("read failed: ") + strerror(errno));
    if (r == 0) {
      DrainStderr(nullptr);  // for the error message
      Fail("closed its output (died)");
    }
    if (in_pos_ > 0 && in_pos_ == in_buf_.size()) {
      in_buf_.clear();
      in_pos_ = 0;
    }
    in_buf_.append(buf, static_cast<size_t>(r));
  }
}

CommandServer::Frame CommandServer::ReadFrame(std::optional<Clock::time_point> deadline,
                                              std::string* err_sink) {
  FillTo(5, deadline, err_sink);
  Frame f;
  f.channel = in_buf_[in_pos_];
  f.length = ReadBe32(in_buf_.data() + in_pos_ + 1);
  in_pos_ += 5;
  if (f.channel == 'I' || f.channel == 'L') return f;  // the length is a size wanted
  if (f.length > kMaxFrame) Fail(fmt::format("sent a {}-byte frame (corrupt stream)", f.length));
  FillTo(f.length, deadline, err_sink);
  f.data.assign(in_buf_, in_pos_, f.length);
  in_pos_ += f.length;
  if (in_pos_ == in_buf_.size()) {
    in_buf_.clear();
    in_pos_ = 0;
  }
  return f;
}

void CommandServer::WriteAll(const std::string& data, std::optional<Clock::time_point> deadline) {
  SigpipeGuard guard;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t w = write(to_server_, data.data() + done, data.size() - done);
    if (w > 0) {
      done += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EPIPE) {
      guard.raised();
      DrainStderr(nullptr);
      Fail("closed its input (died)");
    }
    if (w < 0 && errno != EAGAIN) Fail(std::string("write failed: ") + strerror(errno));
    int wait_ms = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) Fail("timed out", true);
      wait_ms = static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX));
    }
    pollfd p{to_server_, POLLOUT, 0};
    if (poll(&p, 1, wait_ms) < 0 && errno != EINTR) {
      Fail(std::string("poll failed: ") + strerror(errno));
    }
  }
}

ProcessResult CommandServer::Run(const std::vector<std::string>& args) {
  if (!usable_) {
    throw Error(ErrorKind::kHgFailed,
                fmt::format("hg command server for '{}' is no longer usable", options_.repo));
  }
  // Stray stderr between commands belongs to no command.
  DrainStderr(nullptr);
  std::string payload;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) payload += '\0';
    payload += args[i];
  }
  auto deadline = Deadline();
  in_command_ = true;
  WriteAll("runcommand\n" + Be32(static_cast<uint32_t>(payload.size())) + payload, deadline);
  ProcessResult result;
  // What hg printed while loading config and extensions (say, a failed
  // extension import) a process prints on every command, first.
  result.err = startup_err_;
  while (true) {
    Frame f = ReadFrame(deadline, &result.err);
    switch (f.channel) {
      case 'o':
        result.out += f.data;
        break;
      case 'e':
        result.err += f.data;
        break;
      case 'r':
        if (f.data.size() != 4) Fail(fmt::format("sent a {}-byte result", f.data.size()));
        result.exit_code = static_cast<int32_t>(ReadBe32(f.data.data()));
        in_command_ = false;
        // hg flushed everything before the result; pick up what its stderr still holds.
        DrainStderr(&result.err);
        return result;
      case 'I':
      case 'L':
        // We never provide input: a zero-length block is EOF, as /dev/null
        // is for ProcessHgRunner.
        WriteAll(Be32(0), deadline);
        break;
      default:
        if (std::isupper(static_cast<unsigned char>(f.channel))) {
          Fail(fmt::format("requires unknown channel '{}'", f.channel));
        }
        break;  // optional channels ('d' debug, 'm' messages) carry nothing we need
    }
  }
}

}  // namespace hgc
