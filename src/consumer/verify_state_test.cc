// verify-<group>.json: format/parse round trip, the recorder keeps the other
// repositories' verdicts, and a damaged file is reported, not trusted.
#include "consumer/verify_state.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

VerifyResult Result(const std::string& repo, const std::string& result) {
  VerifyResult r;
  r.repo = repo;
  r.partition = 3;
  r.offset = 42;
  r.at = 1700000000.25;
  r.result = result;
  if (result != "ok") r.differences = {"heads: leader has [\"a\"], mirror has [\"b\"]"};
  return r;
}

TEST(VerifyStateTest, RoundTrips) {
  VerifyState state{{"{moz}/a", Result("{moz}/a", "ok")},
                    {"{moz}/b", Result("{moz}/b", "repaired")}};
  EXPECT_EQ(ParseVerifyState(FormatVerifyState(state)), state);
  EXPECT_EQ(ParseVerifyState(FormatVerifyState({})), VerifyState{});
}

TEST(VerifyStateTest, RecorderKeepsOtherReposAndReplacesTheSameRepo) {
  test::ScratchDir dir;
  std::string path = VerifyStateFile(dir.path(), "mirror1");
  EXPECT_EQ(path, dir.path() + "/verify-mirror1.json");
  EXPECT_TRUE(ReadVerifyState(path).state.empty());  // missing file: nothing recorded yet
  VerifyRecorder recorder(path);
  recorder.Record(Result("{moz}/a", "diverged"));
  recorder.Record(Result("{moz}/b", "ok"));
  recorder.Record(Result("{moz}/a", "repaired"));
  auto read = ReadVerifyState(path);
  EXPECT_EQ(read.error, "");
  ASSERT_EQ(read.state.size(), 2u);
  EXPECT_EQ(read.state["{moz}/a"].result, "repaired");
  EXPECT_EQ(read.state["{moz}/b"].result, "ok");
}

TEST(VerifyStateTest, DamagedFileIsAnErrorNamingTheProblem) {
  test::ScratchDir dir;
  std::string path = dir.path() + "/verify-g.json";
  WriteFileAtomic(path, "{\"repos\": {\"x\": {\"partition\": \"zero\"}}}");
  auto read = ReadVerifyState(path);
  EXPECT_TRUE(read.state.empty());
  EXPECT_NE(read.error, "");
  EXPECT_THROW(ParseVerifyState("[]"), Error);
  // The recorder starts afresh rather than refusing to record.
  VerifyRecorder(path).Record(Result("{moz}/a", "ok"));
  EXPECT_EQ(ReadVerifyState(path).state.size(), 1u);
}

}  // namespace
}  // namespace hgc
