#include "hg/replicated_data.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/error.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc {
namespace {

const std::string kNode = "4c9443886fe8a1b2c3d4e5f60718293a4b5c6d7e";

TEST(ReplicatedDataTest, CanonicalBytesMatchTheReference) {
  // A2 45 "heads" 81 54 <20 bytes> 4C "last_push_id" 01 (spec §3.7).
  std::string bytes = EncodeReplicatedData({kNode}, 1);
  std::string expected = "\xA2\x45heads\x81\x54";
  expected += std::string(
      "\x4c\x94\x43\x88\x6f\xe8\xa1\xb2\xc3\xd4\xe5\xf6\x07\x18\x29\x3a\x4b\x5c"
      "\x6d\x7e",
      20);
  expected += "\x4Clast_push_id\x01";
  EXPECT_EQ(bytes, expected);
  std::string null_id = EncodeReplicatedData({kNode}, std::nullopt);
  EXPECT_EQ(static_cast<unsigned char>(null_id.back()), 0xF6);
  EXPECT_EQ(EncodeReplicatedData({}, 300).substr(0, 8), std::string("\xA2\x45heads\x80", 8));
  EXPECT_EQ(EncodeReplicatedData({}, 300).substr(21), std::string("\x19\x01\x2C", 3));
}

TEST(ReplicatedDataTest, RoundTripsAndRejectsBadInput) {
  auto d = DecodeReplicatedData(EncodeReplicatedData({kNode, std::string(40, '0')}, 70000));
  EXPECT_EQ(d.heads, (std::vector<std::string>{kNode, std::string(40, '0')}));
  EXPECT_EQ(d.last_push_id, 70000);
  EXPECT_FALSE(DecodeReplicatedData(EncodeReplicatedData({}, std::nullopt)).last_push_id);
  EXPECT_THROW(EncodeReplicatedData({"abc"}, 1), Error);
  EXPECT_THROW(EncodeReplicatedData({std::string(40, 'z')}, 1), Error);
  // A push id past int64 (found by fuzz/replicated_data_fuzz.cc) is damage,
  // not a negative id.
  EXPECT_THROW(
      DecodeReplicatedData(std::string("\xA2\x45heads\x80\x4Clast_push_id\x1B\xE5\xE4\x64\x21"
                                       "\xE4\x07\x8A\xA1")),
      Error);
  try {
    DecodeReplicatedData("\xA2\x45he");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("malformed CBOR data"), std::string::npos);
  }
}

TEST(ReplicatedDataTest, WriteIsAtomicAndAdvancesMtimeForRapidUpdates) {
  test::ScratchDir dir;
  std::filesystem::create_directories(dir / "repo/.hg");
  WriteReplicatedData(dir / "repo", EncodeReplicatedData({kNode}, 1));
  struct stat first {};
  ASSERT_EQ(stat((dir / "repo/.hg/replicated-data").c_str(), &first), 0);
  WriteReplicatedData(dir / "repo", EncodeReplicatedData({kNode}, 2));
  struct stat second {};
  ASSERT_EQ(stat((dir / "repo/.hg/replicated-data").c_str(), &second), 0);
  EXPECT_GE(second.st_mtim.tv_sec, first.st_mtim.tv_sec + 2);
  EXPECT_EQ(DecodeReplicatedData(ReadFileOrEmpty(dir / "repo/.hg/replicated-data")).last_push_id,
            2);
  EXPECT_FALSE(std::filesystem::exists(dir / "repo/.hg/replicated-data.tmp"));
}

}  // namespace
}  // namespace hgc
