#include "checks/zk_four_letter.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace hgc {
namespace {

[[noreturn]] void ThrowErrno(int err) {
  throw Error(ErrorKind::kIo, "[Errno " + std::to_string(err) + "] " + std::strerror(err));
}

// Closes the descriptor on every path out of ZkFourLetterWord.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Waits for `events` on `fd`; throws "timed out" like Python's socket timeout.
void WaitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  int n;
  do {
    n = poll(&p, 1, static_cast<int>(timeout.count()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno(errno);
  if (n == 0) throw Error(ErrorKind::kIo, "timed out");
}

sockaddr_storage Resolve(const std::string& host, int port, socklen_t* len) {
  addrinfo hints{};
  hints.ai_family = AF_INET;  // the reference's socket is AF_INET
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    throw Error(ErrorKind::kIo,
                "[Errno " + std::to_string(rc) + "] " + std::string(gai_strerror(rc)));
  }
  sockaddr_storage addr{};
  std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return addr;
}

}  // namespace

std::string ZkFourLetterWord(const std::string& host, int port, std::string_view word,
                             std::chrono::milliseconds timeout) {
  socklen_t len = 0;
  sockaddr_storage addr = Resolve(host, port, &len);
  Socket s(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (s.fd() < 0) ThrowErrno(errno);

  if (connect(s.fd(), reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    if (errno != EINPROGRESS) ThrowErrno(errno);
    WaitFor(s.fd(), POLLOUT, timeout);
    int err = 0;
    socklen_t err_len = sizeof err;
    getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err != 0) ThrowErrno(err);
  }

  size_t sent = 0;
  while (sent < word.size()) {
    WaitFor(s.fd(), POLLOUT, timeout);
    ssize_t n = send(s.fd(), word.data() + sent, word.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      ThrowErrno(errno);
    }
    sent += static_cast<size_t>(n);
  }

  std::string reply;
  char buf[4096];
  while (true) {
    WaitFor(s.fd(), POLLIN, timeout);
    ssize_t n = recv(s.fd(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      ThrowErrno(errno);
    }
    if (n == 0) return reply;
    reply.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace hgc
