#include "bundles/bundle_age_check.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::system_clock;

const system_clock::time_point kRun = system_clock::from_time_t(1700000000);  // 22:13:20Z

TEST(BundleAgeCheckTest, OkOutputPinned) {
  CheckReport r = CheckBundleAge("/b/lastrun", std::string("2023-11-14T22:13:20.000000Z\n"),
                                 kRun + hours(3) + minutes(7), {});
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(FormatReport(r),
            "OK - clone bundles last generated 3h 7m ago (2023-11-14T22:13:20.000000Z)\n"
            "\n"
            "OK - age 11220s (warning at 108000s, critical at 194400s)\n"
            "\n"
            "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
            "for details about this check.\n");
}

TEST(BundleAgeCheckTest, WarningAndCriticalPinned) {
  CheckReport w =
      CheckBundleAge("/b/lastrun", std::string("2023-11-14T22:13:20Z\n"), kRun + hours(31), {});
  EXPECT_EQ(w.status, CheckStatus::kWarning);
  EXPECT_EQ(FormatReport(w),
            "WARNING - clone bundles last generated 1d 7h 0m ago (2023-11-14T22:13:20Z)\n"
            "\n"
            "WARNING - age 111600s (warning at 108000s, critical at 194400s)\n"
            "Bundles older than 7 days expire from S3; clones would then fall back to full "
            "clones or fail.\n"
            "Check `hgcluster bundles generate` (hg-bundle-generate) output.\n"
            "\n"
            "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
            "for details about this check.\n");
  CheckReport c =
      CheckBundleAge("/b/lastrun", std::string("2023-11-14T22:13:20Z\n"), kRun + hours(24 * 3), {});
  EXPECT_EQ(c.status, CheckStatus::kCritical);
  EXPECT_EQ(c.summary,
            "CRITICAL - clone bundles last generated 3d 0h 0m ago (2023-11-14T22:13:20Z)");
}

TEST(BundleAgeCheckTest, MissingOrGarbledFileIsCritical) {
  CheckReport r = CheckBundleAge("/b/lastrun", std::nullopt, kRun, {});
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.summary, "CRITICAL - no bundle generation recorded: /b/lastrun does not exist");
  r = CheckBundleAge("/b/lastrun", std::string("yesterday\n"), kRun, {});
  EXPECT_EQ(r.status, CheckStatus::kCritical);
  EXPECT_EQ(r.summary, "CRITICAL - cannot read the time in /b/lastrun: 'yesterday\\n'");
}

TEST(BundleAgeCheckTest, ParsesLastRun) {
  EXPECT_EQ(ParseLastRun("2023-11-14T22:13:20.5Z"), kRun + std::chrono::milliseconds(500));
  EXPECT_FALSE(ParseLastRun("2023-11-14 22:13:20Z"));
  EXPECT_FALSE(ParseLastRun("2023-11-14T22:13:20"));
  EXPECT_FALSE(ParseLastRun("2023-13-14T22:13:20Z"));
}

}  // namespace
}  // namespace hgc
