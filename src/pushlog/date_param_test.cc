#include "pushlog/date_param.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace hgc {
namespace {

class DateParamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    setenv("TZ", "America/New_York", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  std::optional<std::string> saved_;
};

constexpr double kNow = 1700000000;  // 2023-11-14T22:13:20Z

TEST_F(DateParamTest, AcceptsUnixSecondsWhichTheReferenceTurnedIntoNow) {
  EXPECT_EQ(ParseDateParam("1227282600", kNow).when, 1227282600.0);
  EXPECT_EQ(ParseDateParam(" 1227282600.5 ", kNow).when, 1227282600.5);
}

TEST_F(DateParamTest, AcceptsIso8601WithAndWithoutOffset) {
  EXPECT_EQ(ParseDateParam("2008-11-21T15:30:00Z", kNow).when, 1227281400.0);
  EXPECT_EQ(ParseDateParam("2008-11-21T16:30:00+01:00", kNow).when, 1227281400.0);
  EXPECT_EQ(ParseDateParam("2008-11-21T10:30:00-0500", kNow).when, 1227281400.0);
  // No offset: server local time (EST = UTC-5).
  EXPECT_EQ(ParseDateParam("2008-11-21T10:30:00", kNow).when, 1227281400.0);
}

TEST_F(DateParamTest, ReferenceFormatIsServerLocalTime) {
  EXPECT_EQ(ParseDateParam("2008-11-21 10:30:00", kNow).when, 1227281400.0);
  EXPECT_EQ(ParseDateParam("2008-11-21 10:30", kNow).when, 1227281400.0);
  EXPECT_EQ(ParseDateParam("2008-11-21 10", kNow).when, 1227279600.0);
  EXPECT_EQ(ParseDateParam("2008-11-21", kNow).when, 1227243600.0);
}

TEST_F(DateParamTest, RelativeForms) {
  EXPECT_EQ(ParseDateParam("now", kNow).when, kNow);
  EXPECT_EQ(ParseDateParam("1 week ago", kNow).when, kNow - 7 * 86400);
  EXPECT_EQ(ParseDateParam("3 hours ago", kNow).when, kNow - 3 * 3600);
  EXPECT_EQ(ParseDateParam("today", kNow).when, 1699938000.0);  // 2023-11-14 00:00 EST
  EXPECT_EQ(ParseDateParam("yesterday", kNow).when, 1699938000.0 - 86400);
}

TEST_F(DateParamTest, RejectsWhatItCannotParseWithAMessage) {
  for (const char* bad : {"garbage", "2008-13-01", "next tuesday-ish", "", "12 parsecs ago"}) {
    auto r = ParseDateParam(bad, kNow);
    EXPECT_FALSE(r.when) << bad;
    EXPECT_NE(r.error.find("invalid date '"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("ISO 8601"), std::string::npos) << r.error;
  }
}

// Values a client controls may be long: they are refused with a message,
// never thrown out of (std::stod's out_of_range) or fed to the regexes whole.
TEST_F(DateParamTest, LongAndExtremeValuesAreRefusedNotThrown) {
  for (const std::string& bad :
       {std::string(400, '1') + " days ago", "0." + std::string(400, '0') + "1",
        std::string(8000, '7'), "1." + std::string(60, '0'), std::string("9999999999 days ago")}) {
    DateParse r;
    ASSERT_NO_THROW(r = ParseDateParam(bad, kNow)) << bad.substr(0, 40);
    EXPECT_FALSE(r.when && bad.size() > 64) << bad.substr(0, 40);
    if (!r.when) {
      EXPECT_NE(r.error.find("invalid date"), std::string::npos) << r.error;
    }
  }
  EXPECT_EQ(ParseDateParam("1227282600.5", kNow).when, 1227282600.5);
  EXPECT_EQ(ParseDateParam("2 days ago", kNow).when, kNow - 2 * 86400);
}

}  // namespace
}  // namespace hgc
