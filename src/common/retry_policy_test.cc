#include "common/retry_policy.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace hgc {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, DelaysDoubleUpToMaxRetriesThenStay) {
  RetryPolicy p{0.5, 3};
  EXPECT_EQ(p.Delay(0), milliseconds(500));
  EXPECT_EQ(p.Delay(1), milliseconds(1000));
  EXPECT_EQ(p.Delay(3), milliseconds(4000));
  EXPECT_EQ(p.Delay(50), milliseconds(4000));
}

TEST(RetryPolicy, TheReferencesEnvironmentVariablesSetItWithinBounds) {
  setenv("VCSREPLICATOR_RETRY_BASE_DELAY", "0.25", 1);
  setenv("VCSREPLICATOR_RETRY_MAX_RETRIES", "900", 1);
  RetryPolicy p = RetryPolicy::FromEnv();
  EXPECT_DOUBLE_EQ(p.base_seconds, 0.25);
  EXPECT_EQ(p.max_retries, 30);
  setenv("VCSREPLICATOR_RETRY_BASE_DELAY", "-4", 1);
  unsetenv("VCSREPLICATOR_RETRY_MAX_RETRIES");
  p = RetryPolicy::FromEnv();
  EXPECT_DOUBLE_EQ(p.base_seconds, 0);
  EXPECT_EQ(p.max_retries, 5);
  unsetenv("VCSREPLICATOR_RETRY_BASE_DELAY");
  EXPECT_DOUBLE_EQ(RetryPolicy::FromEnv().base_seconds, 2.0);
}

}  // namespace
}  // namespace hgc
