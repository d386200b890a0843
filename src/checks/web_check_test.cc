#include "checks/web_check.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(WebCheckTest, AllWorkersReadyIsOk) {
  CheckReport r = EvaluateWebHealth(
      200,
      R"({"status":"ok","hg_workers_ready":2,"hg_workers":2,"hg_worker_replacements":0,)"
      R"("hg_retries":0,"in_flight":0})",
      "", 3600);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.summary, "OK - 2/2 hg workers ready, 0 replaced, 0 requests retried");
}

TEST(WebCheckTest, ARecentReplacementWarnsAndAnOldOneDoesNot) {
  std::string body =
      R"j({"status":"ok","hg_workers_ready":2,"hg_workers":2,"hg_worker_replacements":1,)j"
      R"j("hg_retries":2,"last_replacement":"hg worker 0 (pid 12) replaced after 3 failed)j"
      R"j( requests in a row (last: GET /a: hg worker 0 answered 500)",)j"
      R"j("last_replacement_age_seconds":40})j";
  CheckReport r = EvaluateWebHealth(200, body, "", 3600);
  EXPECT_EQ(r.status, CheckStatus::kWarning);
  EXPECT_EQ(r.summary, "WARNING - an hg worker was replaced (2/2 hg workers ready, 1 replaced, "
                       "2 requests retried)");
  ASSERT_FALSE(r.details.empty());
  EXPECT_NE(r.details[0].find("40s ago: hg worker 0 (pid 12) replaced"), std::string::npos);
  CheckReport old = EvaluateWebHealth(200, body, "", 30);
  EXPECT_EQ(old.status, CheckStatus::kOk);
}

TEST(WebCheckTest, NoReadyWorkerOrNoAnswerIsCritical) {
  CheckReport none = EvaluateWebHealth(
      503, R"({"status":"no hg worker ready","hg_workers_ready":0,"hg_workers":2})", "", 3600);
  EXPECT_EQ(none.status, CheckStatus::kCritical);
  EXPECT_EQ(none.summary.rfind("CRITICAL - no hg worker ready (0/2", 0), 0u) << none.summary;
  CheckReport down = EvaluateWebHealth(0, "", "Connection refused", 3600);
  EXPECT_EQ(down.status, CheckStatus::kCritical);
  CheckReport garbage = EvaluateWebHealth(200, "<html>", "", 3600);
  EXPECT_EQ(garbage.status, CheckStatus::kCritical);
  CheckReport partial = EvaluateWebHealth(
      200, R"({"status":"ok","hg_workers_ready":1,"hg_workers":2})", "", 3600);
  EXPECT_EQ(partial.status, CheckStatus::kWarning);
  CheckReport draining = EvaluateWebHealth(
      503, R"({"status":"draining","hg_workers_ready":2,"hg_workers":2})", "", 3600);
  EXPECT_EQ(draining.status, CheckStatus::kWarning);
}

}  // namespace
}  // namespace hgc
