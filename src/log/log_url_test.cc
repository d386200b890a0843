#include "log/log_url.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

TEST(LogUrlTest, LogWinsOverHosts) {
  auto ini = IniFile::Parse("[c]\nlog = sqlite:///x/log.db\nhosts = a:9092\n");
  EXPECT_EQ(LogUrlFromSection(ini, "c"), "sqlite:///x/log.db");
}

TEST(LogUrlTest, HostsIsABrokerListInAnySeparatorStyle) {
  EXPECT_EQ(LogUrlFromSection(IniFile::Parse("[c]\nhosts = a:1, b:2 c:3\n"), "c"),
            "kafka://a:1,b:2,c:3");
  EXPECT_THROW(LogUrlFromSection(IniFile::Parse("[c]\ntopic = t\n"), "c"), Error);
}

}  // namespace
}  // namespace hgc
