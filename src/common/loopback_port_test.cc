#include "common/loopback_port.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

namespace hgc {
namespace {

TEST(LoopbackPort, PicksDistinctBindablePortsBelowTheEphemeralRange) {
  auto ports = PickLoopbackPorts(20);
  ASSERT_EQ(ports.size(), 20u);
  EXPECT_EQ(std::set<int>(ports.begin(), ports.end()).size(), 20u);
  for (int p : ports) {
    EXPECT_GE(p, 10000);
    EXPECT_LT(p, LowestEphemeralPort());
    EXPECT_TRUE(LoopbackPortBindable(p)) << p;
  }
}

TEST(LoopbackPort, AcceptsOnlyWhileSomethingListens) {
  int port = PickLoopbackPort();
  EXPECT_FALSE(LoopbackPortAccepts(port));
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  EXPECT_TRUE(LoopbackPortAccepts(port));
  EXPECT_FALSE(LoopbackPortBindable(port));
  close(fd);
}

}  // namespace
}  // namespace hgc
