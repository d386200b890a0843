#include "log/kafka_tool_cmd.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(KafkaToolTest, ToolsAreNamedAsKafkasScripts) {
  const std::string reassign = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
  EXPECT_EQ(KafkaToolClass("reassign-partitions"), reassign);
  EXPECT_EQ(KafkaToolClass("kafka-reassign-partitions"), reassign);
  EXPECT_EQ(KafkaToolClass("kafka-reassign-partitions.sh"), reassign);
  EXPECT_EQ(KafkaToolClass("kafka-topics.sh"), "org.apache.kafka.tools.TopicCommand");
  EXPECT_EQ(KafkaToolClass("configs"), "kafka.admin.ConfigCommand");
  EXPECT_EQ(KafkaToolClass("kafka-server-start.sh"), std::nullopt);
  EXPECT_EQ(KafkaToolClass(""), std::nullopt);
}

}  // namespace
}  // namespace hgc
