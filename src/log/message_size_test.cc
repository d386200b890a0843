#include "log/message_size.h"

#include <gtest/gtest.h>

#include <random>

namespace hgc {
namespace {

std::string Hashes(int n) {
  std::string out = "[";
  std::mt19937 rng(7);
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < n; ++i) {
    out += "\"";
    for (int j = 0; j < 40; ++j) out += hex[rng() % 16];
    out += "\", ";
  }
  return out + "]";
}

TEST(MessageSizeTest, TheLimitComesFromTheLogAndTheConfiguration) {
  EXPECT_EQ(MessageLimitFor("kafka://127.0.0.1:9092").max_bytes, 104857600);
  EXPECT_TRUE(MessageLimitFor("kafka://127.0.0.1:9092").compressed);
  EXPECT_EQ(MessageLimitFor("kafka://127.0.0.1:9092", 65536).max_bytes, 65536);
  EXPECT_FALSE(MessageLimitFor("sqlite:///tmp/log.db").compressed);
  EXPECT_EQ(MessageLimitFor("sqlite:///tmp/log.db", 65536).max_bytes, 1'000'000'000);
}

// Kafka's limit is on the compressed record: a list of hashes twice the
// limit fits once gzipped (hex compresses to about half), five times does not.
TEST(MessageSizeTest, KafkaCountsTheCompressedSize) {
  MessageLimit limit{100'000, true, "a test limit"};
  std::string fits = Hashes(4000);  // ~172 KB raw
  ASSERT_GT(fits.size(), 100'000u);
  EXPECT_LT(GzipSize(fits), 100'000u);
  EXPECT_EQ(OversizedValue({"small", fits}, limit, "the events"), std::nullopt);

  std::string big = Hashes(12000);
  auto problem = OversizedValue({"small", big}, limit, "the changegroup and heads events");
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("the changegroup and heads events would be 0.5 MB ("), std::string::npos)
      << *problem;
  EXPECT_NE(problem->find("compressed) in one log record, more than the log accepts (a test "
                          "limit); nothing was written"),
            std::string::npos)
      << *problem;
}

TEST(MessageSizeTest, GzipSizeMatchesAGzipStream) {
  EXPECT_EQ(GzipSize(""), 20u);  // 10-byte header, empty deflate block, 8-byte trailer
  std::string zeros(1 << 20, '\0');
  EXPECT_LT(GzipSize(zeros), 2000u);
}

}  // namespace
}  // namespace hgc
