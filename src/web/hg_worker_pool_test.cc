// HgWorkerPool's readiness and replacement, with real `hg serve` workers (an
// empty --web-conf) and a fake hg that listens but answers 500 to everything.
#include "web/hg_worker_pool.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::WaitFor;
using namespace std::chrono_literals;

HgWorkerOptions RealHg(const ScratchDir& dir, int replace_after) {
  WriteFileAtomic(dir / "hgweb.conf", "[paths]\n");
  WriteFileAtomic(dir / "empty.rc", "");
  HgWorkerOptions o;
  o.workers = 2;
  o.hgweb_conf = dir / "hgweb.conf";
  o.hgrcpath = dir / "empty.rc";
  o.log_path = dir / "workers.log";
  o.replace_after_failures = replace_after;
  return o;
}

bool AllReady(const HgWorkerPool& pool) { return pool.ReadyCount() == pool.size(); }

TEST(HgWorkerPoolTest, AWorkerFailingRequestsInARowIsReplacedOnce) {
  ScratchDir dir;
  HgWorkerPool pool(RealHg(dir, 3));
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return AllReady(pool); }, 60s)) << ReadFileOrEmpty(dir / "workers.log");
  int old_pid = pool.Snapshot()[0].pid;
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease);
    ASSERT_EQ(lease->index(), 0);  // idle pool: lowest index first
    lease->ReportFailure("GET /a: hg worker 0 answered 500");
    lease->ReportFailure("GET /b: hg worker 0 answered 500");
    EXPECT_EQ(pool.Snapshot()[0].consecutive_failures, 2);
    EXPECT_TRUE(pool.Snapshot()[0].ready);
    lease->ReportFailure("GET /c: hg worker 0 answered 500");
    // Out of rotation at once: requests go to worker 1 only.
    EXPECT_FALSE(pool.Snapshot()[0].ready);
    auto other = pool.Acquire();
    ASSERT_TRUE(other);
    EXPECT_EQ(other->index(), 1);
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        auto s = pool.Snapshot();
        return s[0].pid > 0 && s[0].pid != old_pid && AllReady(pool);
      },
      60s));
  auto s = pool.Snapshot();
  EXPECT_EQ(s[0].replacements, 1);
  EXPECT_EQ(s[0].failures, 3);
  EXPECT_EQ(s[0].consecutive_failures, 0);
  EXPECT_EQ(s[1].replacements, 0);
  EXPECT_EQ(pool.TotalReplacements(), 1);
  double age = -1;
  EXPECT_EQ(pool.LastReplacement(&age),
            fmt::format("hg worker 0 (pid {}) replaced after 3 failed requests in a row "
                        "(last: GET /c: hg worker 0 answered 500)",
                        old_pid));
  EXPECT_GE(age, 0);
}

TEST(HgWorkerPoolTest, ASuccessEndsTheRunAndZeroNeverReplaces) {
  ScratchDir dir;
  HgWorkerPool pool(RealHg(dir, 3));
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return AllReady(pool); }, 60s));
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease);
    for (int i = 0; i < 4; ++i) {
      lease->ReportFailure("x");
      lease->ReportFailure("y");
      lease->ReportSuccess();
    }
  }
  EXPECT_EQ(pool.Snapshot()[0].failures, 8);
  EXPECT_EQ(pool.Snapshot()[0].consecutive_failures, 0);
  EXPECT_TRUE(pool.Snapshot()[0].ready);
  EXPECT_EQ(pool.TotalReplacements(), 0);
  EXPECT_EQ(pool.LastReplacement(nullptr), "");

  ScratchDir dir2;
  HgWorkerPool never(RealHg(dir2, 0));
  never.Start();
  ASSERT_TRUE(WaitFor([&] { return AllReady(never); }, 60s));
  auto lease = never.Acquire();
  ASSERT_TRUE(lease);
  for (int i = 0; i < 10; ++i) lease->ReportFailure("z");
  EXPECT_TRUE(never.Snapshot()[lease->index()].ready);
  EXPECT_EQ(never.TotalReplacements(), 0);
}

// Listening is not enough: a worker whose warm-up request fails never takes
// a request, and counts its failed warm-ups towards a replacement.
TEST(HgWorkerPoolTest, AWorkerFailingItsWarmUpNeverTakesRequestsAndIsReplaced) {
  ScratchDir dir;
  // argv: serve --web-conf CONF -a 127.0.0.1 -p PORT
  WriteFileAtomic(dir / "fake-hg",
                  "#!/usr/bin/python3\n"
                  "import sys, http.server\n"
                  "class H(http.server.BaseHTTPRequestHandler):\n"
                  "    def do_GET(self):\n"
                  "        self.send_response(500)\n"
                  "        self.send_header('Content-Length', '0')\n"
                  "        self.end_headers()\n"
                  "    def log_message(self, *a):\n"
                  "        pass\n"
                  "http.server.HTTPServer(('127.0.0.1', int(sys.argv[7])), H).serve_forever()\n");
  chmod((dir / "fake-hg").c_str(), 0755);
  HgWorkerOptions o = RealHg(dir, 3);
  o.workers = 1;
  o.hg = dir / "fake-hg";
  HgWorkerPool pool(o);
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return pool.Snapshot()[0].replacements >= 1; }, 60s))
      << ReadFileOrEmpty(dir / "workers.log");
  EXPECT_EQ(pool.ReadyCount(), 0);
  EXPECT_FALSE(pool.Acquire());
  EXPECT_NE(pool.LastReplacement(nullptr).find(
                "replaced after 3 failed requests in a row (last: warm-up request "
                "/static/mercurial.js failed)"),
            std::string::npos)
      << pool.LastReplacement(nullptr);
}

}  // namespace
}  // namespace hgc
