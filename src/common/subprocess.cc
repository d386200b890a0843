// fork/exec with poll()-driven capture of both pipes so a chatty child never
// deadlocks on a full pipe.
#include "common/subprocess.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "common/error.h"

extern char** environ;

namespace hgc {
namespace {

std::vector<std::string> BuildEnv(const ProcessOptions& options) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& name : options.env_unset) env.erase(name);
  for (const auto& [k, v] : options.env_set) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

[[noreturn]] void ExecChild(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) {
    fprintf(stderr, "cannot chdir to %s: %s\n", options.cwd.c_str(), strerror(errno));
    _exit(127);
  }
  std::vector<std::string> env = BuildEnv(options);
  std::vector<char*> envp;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  environ = envp.data();
  execvp(args[0], args.data());
  fprintf(stderr, "cannot execute %s: %s\n", args[0], strerror(errno));
  _exit(127);
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  int out_pipe[2], err_pipe[2], in_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      pipe2(in_pipe, O_CLOEXEC) != 0) {
    throw Error(ErrorKind::kIo, std::string("pipe: ") + strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) throw Error(ErrorKind::kIo, std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    signal(SIGPIPE, SIG_DFL);
    ExecChild(argv, options);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(in_pipe[0]);
  std::string input = options.stdin_data.value_or("");
  size_t written = 0;
  int in_fd = in_pipe[1];
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  ProcessResult result;
  int fds_open = 2;
  bool out_open = true, err_open = true;
  char buf[65536];
  while (fds_open > 0 || in_fd >= 0) {
    pollfd pfds[3];
    int n = 0;
    int out_idx = -1, err_idx = -1, in_idx = -1;
    if (out_open) {
      out_idx = n;
      pfds[n++] = {out_pipe[0], POLLIN, 0};
    }
    if (err_open) {
      err_idx = n;
      pfds[n++] = {err_pipe[0], POLLIN, 0};
    }
    if (in_fd >= 0) {
      in_idx = n;
      pfds[n++] = {in_fd, POLLOUT, 0};
    }
    if (poll(pfds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto drain = [&](int idx, int fd, bool& open, std::string& sink) {
      if (idx < 0 || !(pfds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t r = read(fd, buf, sizeof buf);
      if (r > 0) {
        sink.append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        open = false;
        --fds_open;
      }
    };
    drain(out_idx, out_pipe[0], out_open, result.out);
    drain(err_idx, err_pipe[0], err_open, result.err);
    if (in_idx >= 0 && (pfds[in_idx].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = write(in_fd, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
      if (written >= input.size()) {
        close(in_fd);
        in_fd = -1;
      }
    }
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

int SpawnDaemon(const std::vector<std::string>& argv, const std::string& log_path,
                const ProcessOptions& options) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw Error(ErrorKind::kIo, std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    setsid();
    if (options.die_with_parent) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);  // the parent died before prctl
    }
    int devnull = open("/dev/null", O_RDONLY);
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (devnull >= 0) dup2(devnull, 0);
    if (log >= 0) {
      dup2(log, 1);
      dup2(log, 2);
    }
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    signal(SIGPIPE, SIG_DFL);
    ExecChild(argv, options);
  }
  return pid;
}

std::string ShellQuote(const std::string& arg) {
  if (arg.empty()) return "''";
  bool safe = true;
  for (char c : arg) {
    if (!(isalnum(static_cast<unsigned char>(c)) || strchr("@%+=:,./_-", c))) {
      safe = false;
      break;
    }
  }
  if (safe) return arg;
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'')
      out += "'\"'\"'";
    else
      out += c;
  }
  return out + "'";
}

std::string SelfExecutable() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "hgcluster";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace hgc
