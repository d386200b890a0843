#include "message/push_bundle.h"

#include <gtest/gtest.h>

#include "common/digest.h"
#include "common/error.h"
#include "message/message.h"

namespace hgc {
namespace {

std::string Problem(const nlohmann::json& body) {
  try {
    DecodePushBundle(body);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kMalformed);
    return e.what();
  }
  ADD_FAILURE() << "accepted " << body.dump();
  return "";
}

TEST(PushBundle, RoundTripsAnyBytesAndRefusesWhatDoesNotMatch) {
  std::string bytes("HG20\0\0\0\0\xff\x01 bundle", 17);
  nlohmann::json body = {{"bundle", EncodePushBundle(bytes)}};
  EXPECT_EQ(body["bundle"]["size"], 17);
  EXPECT_EQ(body["bundle"]["sha256"], Sha256Hex(bytes));
  EXPECT_EQ(DecodePushBundle(body), bytes);
  EXPECT_LE(body["bundle"].dump().size(), static_cast<size_t>(EncodedPushBundleSize(17)));
  EXPECT_FALSE(DecodePushBundle(nlohmann::json::object()));

  nlohmann::json bad = body;
  bad["bundle"]["sha256"] = std::string(64, '0');
  EXPECT_NE(Problem(bad).find("does not match its sha256"), std::string::npos);
  bad = body;
  bad["bundle"]["size"] = 16;
  EXPECT_NE(Problem(bad).find("data is 17 bytes, not the 16 it announces"), std::string::npos);
  bad = body;
  bad["bundle"]["data"] = "SEcyMA=\n";
  EXPECT_NE(Problem(bad).find("not base64"), std::string::npos);
  bad = body;
  bad["bundle"]["type"] = "HG10UN";
  EXPECT_NE(Problem(bad).find("type"), std::string::npos);
  EXPECT_NE(Problem({{"bundle", "x"}}).find("not an object"), std::string::npos);
}

TEST(PushBundle, AnUnusableBundleLeavesTheEventUsableForAPull) {
  nlohmann::json body = {{"name", "hg-changegroup-2"},
                         {"path", "{moz}/r"},
                         {"source", "serve"},
                         {"nodecount", 1},
                         {"heads", {std::string(40, 'a')}},
                         {"_created", 1.5},
                         {"bundle", EncodePushBundle("HG20")}};
  Message ok = DecodeMessage(EncodeMessage(body));
  EXPECT_EQ(ok.bundle, "HG20");
  body["bundle"]["sha256"] = std::string(64, 'f');
  Message m = DecodeMessage(EncodeMessage(body));
  EXPECT_FALSE(m.bundle);
  EXPECT_NE(m.bundle_problem.find("the mirror pulls from the leader instead"), std::string::npos);
  EXPECT_EQ(m.heads, std::vector<std::string>{std::string(40, 'a')});
}

TEST(Base64, CanonicalOnly) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s) << s;
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(Base64Decode("Zm9"));         // not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9v\nYmFy"));  // whitespace
  EXPECT_FALSE(Base64Decode("Zg=a"));        // padding inside
  EXPECT_FALSE(Base64Decode("Zh=="));        // non-zero bits under the padding
  EXPECT_FALSE(Base64Decode("Zm9*"));
}

}  // namespace
}  // namespace hgc
