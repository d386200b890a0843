#include "log/kafka_class_archive.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hgc {
namespace {

namespace fs = std::filesystem;

TEST(KafkaClassArchive, OnePathPerJarsDirectoryAndJava) {
  std::string a = KafkaClassArchivePath("/usr/bin/java", "/opt/kafka/libs");
  EXPECT_EQ(fs::path(a).parent_path(), "/opt/kafka/libs");
  EXPECT_EQ(fs::path(a).extension(), ".jsa");
  EXPECT_EQ(fs::path(a).filename().string().rfind(".kafka-local-classes-", 0), 0u) << a;
  EXPECT_EQ(KafkaClassArchivePath("/usr/bin/java", "/opt/kafka/libs/"), a);
  EXPECT_EQ(KafkaClassArchivePath("/usr/bin/java", "/opt/kafka/./libs"), a);
  EXPECT_NE(KafkaClassArchivePath("/usr/bin/java", "/opt/other/libs"), a);
  EXPECT_NE(
      fs::path(KafkaClassArchivePath("/usr/lib/jvm/other/bin/java", "/opt/kafka/libs")).filename(),
      fs::path(a).filename());
}

TEST(KafkaClassArchive, JvmOptionsOnlyWhenTheArchiveExists) {
  char pattern[] = "/tmp/kafka-cds-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  std::string libs = pattern;
  EXPECT_TRUE(KafkaClassArchiveOptions("/usr/bin/java", libs).empty());
  std::string archive = KafkaClassArchivePath("/usr/bin/java", libs);
  std::ofstream(archive) << "x";
  std::vector<std::string> options = KafkaClassArchiveOptions("/usr/bin/java", libs);
  ASSERT_EQ(options.size(), 2u);
  EXPECT_EQ(options[0], "-XX:SharedArchiveFile=" + archive);
  // A JVM that cannot use it says nothing on stdout, which tools' callers parse.
  EXPECT_EQ(options[1], "-Xlog:cds=off,cds+dynamic=off");
  fs::remove_all(libs);
}

}  // namespace
}  // namespace hgc
