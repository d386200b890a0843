#include "frontdoor/session_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <ctime>

#include "common/log_escape.h"

namespace hgc {

SessionLog::SessionLog(std::string path, const std::string& user, const std::string& command,
                       const std::string& connection)
    : path_(std::move(path)),
      // Each field escaped: a newline or a quote in an SSH command cannot
      // end the field or the line and forge another user's session.
      fields_(fmt::format("user: '{}; ssh_command: '{}'; connection: '{}'",
                          EscapeForLog(user, "'"), EscapeForLog(command, "'"),
                          EscapeForLog(connection, "'"))) {}

void SessionLog::Start() const { Write("start " + fields_); }

void SessionLog::End(int exit_code) const {
  Write(fmt::format("end {}; ec: '{}'", fields_, exit_code));
}

void SessionLog::Write(const std::string& message) const {
  if (path_.empty()) return;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = fmt::format("{} pash_wrapper[{}]: {}\n", stamp, getpid(), message);
  int fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;  // logging must never stop a push
  ssize_t n = write(fd, line.data(), line.size());
  (void)n;
  close(fd);
}

}  // namespace hgc
