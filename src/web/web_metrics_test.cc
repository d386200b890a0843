#include "web/web_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "web_process.h"

namespace hgc {
namespace {

using test::AutoFields;  // tests/web_process.h

TEST(WebMetricsTest, ServerStatusAutoCountsBusyRequestsAndAccesses) {
  WebMetrics m;
  m.ConnectionOpened();
  m.ConnectionOpened();
  m.RequestStarted();
  m.Record(RequestClass::kNative, 200, 0.001, 4096);
  auto f = AutoFields(m.ServerStatusAuto(4));
  EXPECT_EQ(f["Total Accesses"], "1");
  EXPECT_EQ(f["Total kBytes"], "4");
  EXPECT_EQ(f["BusyWorkers"], "1");
  EXPECT_EQ(f["IdleWorkers"], "2");
  EXPECT_EQ(f["ConnsTotal"], "2");
  EXPECT_EQ(f["Scoreboard"], "WK__");
  for (const char* k : {"Uptime", "ReqPerSec", "BytesPerSec", "BytesPerReq"}) {
    EXPECT_TRUE(f.count(k)) << k;
  }
  m.RequestFinished();
  m.ConnectionClosed();
  EXPECT_EQ(AutoFields(m.ServerStatusAuto(4))["BusyWorkers"], "0");
}

TEST(WebMetricsTest, PrometheusHistogramIsCumulativeAndCountersAreLabelled) {
  WebMetrics m;
  m.Record(RequestClass::kHg, 200, 0.0002, 10);
  m.Record(RequestClass::kHg, 200, 0.3, 10);
  m.Record(RequestClass::kHg, 404, 1000, 10);
  std::string text = m.Prometheus();
  EXPECT_NE(text.find("hgcluster_web_requests_total{class=\"hg\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("hgcluster_web_requests_total{class=\"hg\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("hgcluster_web_request_duration_seconds_bucket{class=\"hg\",le=\"0.0005\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("hgcluster_web_request_duration_seconds_bucket{class=\"hg\",le=\"0.5\"} 2\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("hgcluster_web_request_duration_seconds_bucket{class=\"hg\",le=\"+Inf\"} 3\n"),
      std::string::npos);
  EXPECT_NE(text.find("hgcluster_web_request_duration_seconds_count{class=\"hg\"} 3\n"),
            std::string::npos);
  // Every line is a comment or `name{labels} number`.
  std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? -?[0-9.e+Inf]+$)");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
}

}  // namespace
}  // namespace hgc
