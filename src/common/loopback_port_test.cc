#include "common/loopback_port.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hgc
