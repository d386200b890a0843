// Request heads refused before a body is read.
#include "web/request_limits.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::optional<Refusal> Check(const std::string& method, const std::string& query,
                             const Headers& headers, RequestLimits limits = {}) {
  return CheckRequestHead({method, query, &headers}, limits);
}

TEST(CheckRequestHeadTest, OrdinaryRequestsPass) {
  EXPECT_EQ(Check("GET", "cmd=capabilities", {{"Host", "x"}, {"Accept", "*/*"}}), std::nullopt);
  EXPECT_EQ(Check("POST", "cmd=getbundle", {{"Content-Length", "1234"}}), std::nullopt);
  EXPECT_EQ(Check("POST", "cmd=batch", {{"Transfer-Encoding", "chunked"}}), std::nullopt);
  // The same length twice is not a conflict.
  EXPECT_EQ(Check("POST", "", {{"Content-Length", "5"}, {"content-length", " 5 "}}), std::nullopt);
  // Pushes are only refused as POSTs; a GET of cmd=unbundle is hg's to answer.
  EXPECT_EQ(Check("GET", "cmd=unbundle", {}), std::nullopt);
}

TEST(CheckRequestHeadTest, EachRuleRefusesWithItsStatus) {
  Headers many(101, {"X-A", "b"});
  EXPECT_EQ(Check("GET", "", many)->status, 431);
  EXPECT_EQ(Check("GET", "", {{"X-Big", std::string(70000, 'a')}})->status, 431);
  EXPECT_EQ(Check("POST", "", {{"Content-Length", "1"}, {"Content-Length", "2"}})->status, 400);
  EXPECT_EQ(Check("POST", "", {{"Content-Length", "-1"}})->status, 400);
  EXPECT_EQ(Check("POST", "", {{"Content-Length", "1e3"}})->status, 400);
  EXPECT_EQ(Check("POST", "", {{"Content-Length", ""}})->status, 400);
  EXPECT_EQ(Check("POST", "", {{"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}})->status,
            400);
  EXPECT_EQ(Check("POST", "", {{"Transfer-Encoding", "gzip, chunked"}})->status, 400);
  EXPECT_EQ(Check("POST", "", {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}})
                ->status,
            400);
  RequestLimits small;
  small.max_body_bytes = 10;
  auto big = Check("POST", "cmd=getbundle", {{"Content-Length", "11"}}, small);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(big->message, "request body of 11 bytes is over this server's limit of 10 bytes");
  EXPECT_EQ(Check("POST", "cmd=unbundle", {{"Content-Length", "4"}})->status, 403);
  EXPECT_EQ(Check("POST", "x=1&cmd=pushkey", {})->status, 403);
  // Every message is one line.
  for (const auto& r : {Check("GET", "", many), big}) {
    EXPECT_EQ(r->message.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace hgc

namespace hgc {
namespace {

TEST(RefusalFor, ParserFindingsReadAsTheHeadChecksOnes) {
  RequestLimits limits;
  std::vector<std::pair<std::string, std::string>> two = {{"Content-Length", "3"},
                                                          {"Content-Length", "4"}};
  auto from_head = CheckRequestHead({"POST", "", &two}, limits);
  ASSERT_TRUE(from_head);
  EXPECT_EQ(RefusalFor(HeadProblem::kConflictingLength, limits).message, from_head->message);
  EXPECT_EQ(RefusalFor(HeadProblem::kHeaderTooLarge, limits).status, 431);
  EXPECT_EQ(RefusalFor(HeadProblem::kTargetTooLong, limits).status, 414);
  Refusal timeout = RefusalFor(HeadProblem::kHeadTimeout, limits, 7);
  EXPECT_EQ(timeout.status, 408);
  EXPECT_EQ(timeout.message, "request head not received within 7 seconds");
}

}  // namespace
}  // namespace hgc
