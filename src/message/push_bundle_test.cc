#include "message/push_bundle.h"

#include <fmt/format.h>
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

// A bundle2 of parts with one chunk of payload each.
std::string Bundle(const std::vector<std::string>& types, std::string params = "") {
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  std::string out = "HG20" + be32(static_cast<uint32_t>(params.size())) + params;
  for (const auto& t : types) {
    std::string header =
        std::string(1, static_cast<char>(t.size())) + t + be32(0) + std::string(2, '\0');
    out += be32(static_cast<uint32_t>(header.size())) + header + be32(3) + "abc" + be32(0);
  }
  return out + be32(0);
}

TEST(PushBundle, HoldsOnlyWhatAPushBrings) {
  for (auto parts : std::vector<std::vector<std::string>>{
           {"CHANGEGROUP", "phase-heads", "bookmarks"}, {"changegroup"}, {}}) {
    std::string b = Bundle(parts);
    EXPECT_EQ(DecodePushBundle({{"bundle", EncodePushBundle(b)}})->data, b);
  }
  EXPECT_NE(Problem({{"bundle", EncodePushBundle(Bundle({"changegroup", "stream2"}))}})
                .find("holds a 'stream2' part"),
            std::string::npos);
  EXPECT_NE(Problem({{"bundle", EncodePushBundle(Bundle({"obsmarkers"}))}}).find("'obsmarkers'"),
            std::string::npos);
  EXPECT_NE(Problem({{"bundle", EncodePushBundle(Bundle({"changegroup"}, "Compression=BZ"))}})
                .find("stream parameters"),
            std::string::npos);
  std::string b = Bundle({"changegroup"});
  EXPECT_NE(Problem({{"bundle", EncodePushBundle(b.substr(0, b.size() - 6))}}).find("cut short"),
            std::string::npos);
  EXPECT_NE(Problem({{"bundle", EncodePushBundle(b + "x")}}).find("1 bytes after the end"),
            std::string::npos);
  EXPECT_NE(Problem({{"bundle", EncodePushBundle("HG10UN")}}).find("cut short"), std::string::npos);
}

TEST(PushBundle, RoundTripsAndRefusesWhatDoesNotMatch) {
  std::string bytes = Bundle({"changegroup"});
  nlohmann::json body = {{"bundle", EncodePushBundle(bytes)}};
  EXPECT_EQ(body["bundle"]["size"], bytes.size());
  EXPECT_EQ(body["bundle"]["sha256"], Sha256Hex(bytes));
  EXPECT_EQ(DecodePushBundle(body)->data, bytes);
  EXPECT_LE(body["bundle"].dump().size(),
            static_cast<size_t>(EncodedPushBundleSize(static_cast<int64_t>(bytes.size()))));
  EXPECT_FALSE(DecodePushBundle(nlohmann::json::object()));

  nlohmann::json bad = body;
  bad["bundle"]["sha256"] = std::string(64, '0');
  EXPECT_NE(Problem(bad).find("does not match its sha256"), std::string::npos);
  bad = body;
  bad["bundle"]["size"] = bytes.size() - 1;
  EXPECT_NE(Problem(bad).find(fmt::format("data is {} bytes, not the {} it announces", bytes.size(),
                                          bytes.size() - 1)),
            std::string::npos);
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
                         {"bundle", EncodePushBundle(Bundle({}))}};
  Message ok = DecodeMessage(EncodeMessage(body));
  ASSERT_TRUE(ok.bundle);
  EXPECT_EQ(ok.bundle->data, Bundle({}));
  body["bundle"]["sha256"] = std::string(64, 'f');
  Message m = DecodeMessage(EncodeMessage(body));
  EXPECT_FALSE(m.bundle);
  EXPECT_NE(m.bundle_problem.find("the mirror pulls from the leader instead"), std::string::npos);
  EXPECT_EQ(m.heads, std::vector<std::string>{std::string(40, 'a')});
}

TEST(PushBundle, ABundleTooBigForItsEventIsNamedByItsChecksumInTheStore) {
  std::string bytes = Bundle({"changegroup", "bookmarks"});
  nlohmann::json field = EncodePushBundleRef(bytes);
  EXPECT_FALSE(field.contains("data"));
  auto ref = DecodePushBundle({{"bundle", field}});
  ASSERT_TRUE(ref);
  EXPECT_FALSE(ref->data);
  EXPECT_EQ(ref->ref.sha256, Sha256Hex(bytes));
  EXPECT_EQ(field["name"], ref->ref.sha256 + ".hg");
  EXPECT_NO_THROW(CheckPushBundle(bytes, ref->ref));
  // What the store holds is checked like inline data.
  EXPECT_THROW(CheckPushBundle(bytes + "x", ref->ref), Error);
  EXPECT_THROW(
      CheckPushBundle(Bundle({"stream2"}), {Sha256Hex(Bundle({"stream2"})),
                                            static_cast<int64_t>(Bundle({"stream2"}).size())}),
      Error);
  // A name is its checksum and nothing else: no path into or out of the store.
  std::vector<std::string> names{"../../etc/passwd", "x.hg", ref->ref.sha256,
                                 "/" + ref->ref.sha256 + ".hg"};
  for (const auto& name : names) {
    nlohmann::json bad = field;
    bad["name"] = name;
    EXPECT_NE(Problem({{"bundle", bad}}).find("other than <sha256>.hg"), std::string::npos) << name;
  }
  nlohmann::json upper = field;
  upper["sha256"] = std::string(64, 'A');
  EXPECT_NE(Problem({{"bundle", upper}}).find("64 lowercase hex"), std::string::npos);
  nlohmann::json neither = field;
  neither.erase("name");
  EXPECT_NE(Problem({{"bundle", neither}}).find("neither data nor a name"), std::string::npos);
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
