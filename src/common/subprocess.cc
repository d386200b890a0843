// Process launching without running C++ in the child. RunProcess uses
// posix_spawn (glibc: clone(CLONE_VFORK), no allocation in the child) and
// poll()-driven capture of both pipes so a chatty child never deadlocks on a
// full pipe. SpawnDaemon needs PR_SET_PDEATHSIG, which posix_spawn cannot
// set, so it forks — with every buffer (argv, envp, resolved path, error
// messages) built before fork(), the child only calls async-signal-safe
// functions. Both look argv[0] up in the child's PATH, as execvp did.
#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

bool IsExecutableFile(const std::string& path, int* err) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  if (!S_ISREG(st.st_mode) || access(path.c_str(), X_OK) != 0) {
    *err = EACCES;
    return false;
  }
  return true;
}

// execvp's search, done in the parent: `name` in the PATH of the child's
// environment (relative entries relative to the child's cwd). Returns "" and
// sets *err when nothing executable is found.
std::string FindExecutable(const std::string& name, const std::vector<std::string>& env,
                           const std::string& cwd, int* err) {
  *err = ENOENT;
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/bin:/usr/bin";  // glibc's default when PATH is unset
  for (const auto& kv : env) {
    if (kv.rfind("PATH=", 0) == 0) path = kv.substr(5);
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    std::string checked = (dir[0] == '/' || cwd.empty()) ? candidate : cwd + "/" + candidate;
    if (IsExecutableFile(checked, err)) return candidate;
    start = end + 1;
  }
  return "";
}

// Everything the child needs, owned here and built before it exists.
struct ChildPlan {
  std::vector<std::string> env;
  std::vector<char*> envp;
  std::vector<char*> args;
  std::string path;  // resolved executable, "" if none was found
  int find_errno = 0;

  ChildPlan(const ChildPlan&) = delete;
  ChildPlan& operator=(const ChildPlan&) = delete;
  ChildPlan(const std::vector<std::string>& argv, const ProcessOptions& options)
      : env(BuildEnv(options)) {
    if (argv.empty()) throw Error(ErrorKind::kIo, "cannot start a process: empty command line");
    for (auto& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    path = FindExecutable(argv[0], env, options.cwd, &find_errno);
  }
};

// What the child used to print when chdir or exec failed (exit code 127).
std::string StartFailure(const std::vector<std::string>& argv, const ProcessOptions& options,
                         int exec_errno) {
  if (!options.cwd.empty()) {
    struct stat st;
    if (stat(options.cwd.c_str(), &st) != 0)
      return "cannot chdir to " + options.cwd + ": " + strerror(errno) + "\n";
    if (!S_ISDIR(st.st_mode))
      return "cannot chdir to " + options.cwd + ": " + strerror(ENOTDIR) + "\n";
  }
  return "cannot execute " + argv[0] + ": " + strerror(exec_errno) + "\n";
}

// Closes a pipe pair (either end may already be -1).
void ClosePipe(int fds[2]) {
  for (int i = 0; i < 2; ++i) {
    if (fds[i] >= 0) close(fds[i]);
    fds[i] = -1;
  }
}

// posix_spawn with stdin/stdout/stderr on the given fds; returns 0 or an errno.
int Spawn(const ChildPlan& plan, const ProcessOptions& options, int in, int out, int err,
          pid_t* pid) {
  if (plan.path.empty()) return plan.find_errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in, 0);
  posix_spawn_file_actions_adddup2(&fa, out, 1);
  posix_spawn_file_actions_adddup2(&fa, err, 2);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, options.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t dfl;
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &dfl);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  int rc = posix_spawn(pid, plan.path.c_str(), &fa, &attr, plan.args.data(), plan.envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  return rc;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ChildPlan plan(argv, options);
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1};
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      pipe2(in_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    ClosePipe(out_pipe);
    ClosePipe(err_pipe);
    ClosePipe(in_pipe);
    throw Error(ErrorKind::kIo, std::string("pipe: ") + strerror(e));
  }
  pid_t pid = -1;
  int rc = Spawn(plan, options, in_pipe[0], out_pipe[1], err_pipe[1], &pid);
  if (rc != 0) {
    ClosePipe(out_pipe);
    ClosePipe(err_pipe);
    ClosePipe(in_pipe);
    if (rc == EAGAIN || rc == ENOMEM)
      throw Error(ErrorKind::kIo, "cannot start " + argv[0] + ": " + strerror(rc));
    ProcessResult failed;
    failed.exit_code = 127;
    failed.err = StartFailure(argv, options, rc);
    return failed;
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
  if (in_fd >= 0) close(in_fd);
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
  ChildPlan plan(argv, options);
  // Opened here, close-on-exec, so the child only dup2()s them.
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const std::string chdir_failed = options.cwd.empty() ? "" : "cannot chdir to " + options.cwd + ": ";
  const std::string exec_failed = "cannot execute " + argv[0] + ": ";
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  const bool die_with_parent = options.die_with_parent;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    if (devnull >= 0) close(devnull);
    if (log >= 0) close(log);
    throw Error(ErrorKind::kIo, std::string("fork: ") + strerror(e));
  }
  if (pid == 0) {
    // Async-signal-safe calls only from here on.
    auto fail = [](const std::string& prefix, int err) {
      const char* desc = strerrordesc_np(err);
      if (!desc) desc = "unknown error";
      ssize_t ignored = write(2, prefix.data(), prefix.size());
      ignored = write(2, desc, strlen(desc));
      ignored = write(2, "\n", 1);
      (void)ignored;
      _exit(127);
    };
    setsid();
    if (die_with_parent) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);  // the parent died before prctl
    }
    if (devnull >= 0) dup2(devnull, 0);
    if (log >= 0) {
      dup2(log, 1);
      dup2(log, 2);
    }
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    signal(SIGPIPE, SIG_DFL);
    if (cwd && chdir(cwd) != 0) fail(chdir_failed, errno);
    if (plan.path.empty()) fail(exec_failed, plan.find_errno);
    execve(plan.path.c_str(), plan.args.data(), plan.envp.data());
    fail(exec_failed, errno);
  }
  if (devnull >= 0) close(devnull);
  if (log >= 0) close(log);
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
