// The four-letter-word client against a played server on 127.0.0.1: exactly
// the four bytes go out, a reply in several pieces is read to EOF, and socket
// errors read the way Python words them.
#include "checks/zk_four_letter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/error.h"

namespace hgc {
namespace {

// Accepts one connection, records what the client sends (a trailing newline
// would usually arrive in the same segment as the word), then writes `reply`
// in two pieces and closes; or, with !answer, waits for the client to go.
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply, bool answer = true) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 1);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, reply, answer] {
      int c = accept(fd_, nullptr, nullptr);
      char buf[64];
      while (received_.size() < 4) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        received_.append(buf, static_cast<size_t>(n));
      }
      if (answer) {
        size_t half = reply.size() / 2;
        send(c, reply.data(), half, MSG_NOSIGNAL);
        send(c, reply.data() + half, reply.size() - half, MSG_NOSIGNAL);
      } else {
        recv(c, buf, sizeof buf, 0);  // until the client gives up
      }
      close(c);
    });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::string received_;
  std::thread thread_;
};

TEST(ZkFourLetterWordTest, SendsFourBytesReadsToEof) {
  std::string mntr(10000, 'x');
  OneShotServer server("zk_version\t3.8.0\n" + mntr);
  EXPECT_EQ(ZkFourLetterWord("127.0.0.1", server.port(), "mntr"), "zk_version\t3.8.0\n" + mntr);
  EXPECT_EQ(server.received(), "mntr");
}

TEST(ZkFourLetterWordTest, RefusedConnectionReadsLikePython) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);  // bound, not listening: refused
  try {
    ZkFourLetterWord("127.0.0.1", port, "ruok");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_STREQ(e.what(), "[Errno 111] Connection refused");
  }
  close(fd);
}

TEST(ZkFourLetterWordTest, SilentServerTimesOut) {
  OneShotServer server("", /*answer=*/false);
  try {
    ZkFourLetterWord("127.0.0.1", server.port(), "ruok", std::chrono::milliseconds(200));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "timed out");
  }
}

}  // namespace
}  // namespace hgc
