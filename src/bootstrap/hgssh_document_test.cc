// The hgssh bootstrap document: what one side writes the other reads, in
// the reference's bytes; damage refused with the file named.
#include "bootstrap/hgssh_document.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

TEST(HgsshDocumentTest, WrittenAsTheReferenceWritesItAndReadBack) {
  HgsshDocument doc;
  for (int p = 0; p < 11; ++p) doc.ranges.push_back({p, 10 * p, 10 * p + 3});
  doc.repositories = {"{moz}/integration/autoland", "{moz}/mozilla-central"};
  std::string text = ToText(doc);
  EXPECT_EQ(text.substr(0, 45), R"({"offsets": {"0": [0, 3], "1": [10, 13], "10")") << text;
  EXPECT_TRUE(text.ends_with(
      R"("9": [90, 93]}, "repositories": ["{moz}/integration/autoland", "{moz}/mozilla-central"]})"))
      << text;
  HgsshDocument back = ParseHgsshDocument(text, "doc.json");
  ASSERT_EQ(back.ranges.size(), 11u);
  for (int p = 0; p < 11; ++p) {
    EXPECT_EQ(back.ranges[p].partition, p);
    EXPECT_EQ(back.ranges[p].start, 10 * p);
    EXPECT_EQ(back.ranges[p].end, 10 * p + 3);
  }
  EXPECT_EQ(back.repositories, doc.repositories);
}

TEST(HgsshDocumentTest, DamageIsRefusedNamingTheFile) {
  for (const char* bad : {
           "",
           R"({"offsets": {"0": [0, 1]}})",
           R"({"offsets": {"x": [0, 1]}, "repositories": []})",
           R"({"offsets": {"1x": [0, 1]}, "repositories": []})",
           R"({"offsets": {"-1": [0, 1]}, "repositories": []})",
           R"({"offsets": {"0": [5, 1]}, "repositories": []})",
           R"({"offsets": {"0": [-1, 1]}, "repositories": []})",
           R"({"offsets": {"0": [0, 1, 2]}, "repositories": []})",
           R"({"offsets": {"0": [0, 1], "00": [0, 1]}, "repositories": []})",
           R"({"offsets": {"0": [0, 1]}, "repositories": [3]})",
       }) {
    try {
      ParseHgsshDocument(bad, "/srv/doc.json");
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kMalformed) << bad;
      EXPECT_NE(std::string(e.what()).find("/srv/doc.json"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace hgc
