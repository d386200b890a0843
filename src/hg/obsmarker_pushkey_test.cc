// Obsolescence markers over pushkey: base85, format 0, and the dump keys,
// compared byte for byte with what a real Mercurial lists for the same
// markers (`hg debugpushkey REPO obsolete`).
#include "hg/obsmarker_pushkey.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/subprocess.h"
#include "test_support.h"

namespace hgc {
namespace {

std::string Hex2Bin(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

TEST(ObsMarkerPushkey, Base85IsMercurialsAndRoundTripsEveryLength) {
  // /usr/bin/python3 -c "from mercurial import util; print(util.b85encode(b'hello world!!'))"
  EXPECT_EQ(Base85Encode("hello world!!"), "Xk~0{Zy<MXa%^NFAp");
  std::string data;
  for (int n = 0; n < 12; ++n) {
    EXPECT_EQ(Base85Decode(Base85Encode(data)), data) << n;
    data.push_back(static_cast<char>(0xF0 + n));
  }
  EXPECT_THROW(Base85Decode("ab\"cd"), Error);
}

TEST(ObsMarkerPushkey, FormatZeroReadsTheDateParentsAndMetadata) {
  std::string meta = "date:1234.5 -3600";
  meta.push_back('\0');
  meta += "p1:" + std::string(40, 'c');
  meta.push_back('\0');
  meta += "user:Alice";
  std::string blob;
  blob.push_back('\0');  // version 0
  blob.push_back('\1');  // one successor
  uint32_t size = static_cast<uint32_t>(meta.size());
  for (int shift = 24; shift >= 0; shift -= 8) blob.push_back(static_cast<char>(size >> shift));
  blob.push_back('\0');  // flags
  blob += Hex2Bin(std::string(40, 'a')) + Hex2Bin(std::string(40, 'b')) + meta;
  auto markers = DecodeObsMarkers(Base85Encode(blob));
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].precursor, std::string(40, 'a'));
  EXPECT_EQ(markers[0].successors, std::vector<std::string>{std::string(40, 'b')});
  EXPECT_EQ(markers[0].date, 1234.5);
  EXPECT_EQ(markers[0].tz, -3600);
  ASSERT_TRUE(markers[0].parents);
  EXPECT_EQ(*markers[0].parents, std::vector<std::string>{std::string(40, 'c')});
  ASSERT_EQ(markers[0].metadata.size(), 1u);  // date and p1 are not metadata
  EXPECT_EQ(markers[0].metadata[0], std::make_pair(std::string("user"), std::string("Alice")));
  // And back, byte for byte.
  EXPECT_EQ(EncodeObsMarkerFormat0(markers[0]), blob.substr(1));
}

TEST(ObsMarkerPushkey, MetadataFormatZeroCannotHoldIsRefused) {
  ObsMarker m;
  m.precursor = std::string(40, 'a');
  m.metadata = {{"bad:key", "v"}};
  EXPECT_THROW(EncodeObsMarkerFormat0(m), Error);
  m.metadata = {{"key", std::string("a\0b", 3)}};
  EXPECT_THROW(EncodeObsMarkerFormat0(m), Error);
  m.metadata.clear();
  m.precursor = "zz";
  EXPECT_THROW(EncodeObsMarkerFormat0(m), Error);
}

// Found by fuzzing: a marker whose flags say sha256 but whose nodes are 20
// bytes, and flags wider than format 0's byte, were sent in a form that
// decoded to other markers (or not at all).
TEST(ObsMarkerPushkey, FlagsDecideTheFormatAndTheNodeSize) {
  ObsMarker m;
  m.precursor = std::string(40, 'a');
  m.flags = kObsMarkerUsingSha256;
  EXPECT_THROW(ObsMarkerPushkeys({m}), Error);
  m.precursor = std::string(64, 'a');
  m.successors = {std::string(64, 'b')};
  auto sha256 = ObsMarkerPushkeys({m});
  std::string blob = Base85Decode(sha256.at("dump0"));
  EXPECT_EQ(blob[0], '\1') << "format 1: format 0 has no sha256";
  auto back = DecodeObsStore(blob);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].precursor, m.precursor);
  EXPECT_EQ(back[0].successors, m.successors);

  ObsMarker wide;
  wide.precursor = std::string(40, 'c');
  wide.flags = 0x200;
  EXPECT_THROW(EncodeObsMarkerFormat0(wide), Error);
  auto keys = ObsMarkerPushkeys({wide});
  back = DecodeObsMarkers(keys.at("dump0"));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].flags, 0x200u);
}

TEST(ObsMarkerPushkey, ChunksOfAtMost5300BytesTheLastOneDump0) {
  std::vector<ObsMarker> markers(100);
  for (size_t i = 0; i < markers.size(); ++i) {
    char hex[41];
    std::snprintf(hex, sizeof(hex), "%040zx", i + 1);
    markers[i].precursor = hex;
    markers[i].date = 1700000000.25;
    markers[i].metadata = {{"user", "someone <someone@example.com>"}};
  }
  auto keys = ObsMarkerPushkeys(markers);
  ASSERT_GE(keys.size(), 2u);
  std::vector<ObsMarker> back;
  for (size_t i = keys.size(); i-- > 0;) {
    std::string blob = Base85Decode(keys.at("dump" + std::to_string(i)));
    EXPECT_LE(blob.size(), 5301u);
    EXPECT_EQ(blob[0], '\0');
    auto part = DecodeObsStore(blob);
    back.insert(back.end(), part.begin(), part.end());
  }
  ASSERT_EQ(back.size(), markers.size());
  for (size_t i = 0; i < back.size(); ++i) EXPECT_EQ(back[i].precursor, markers[i].precursor);
  EXPECT_TRUE(ObsMarkerPushkeys({}).empty());
}

// Markers made by Mercurial's own API, in one hg process: successors 0 to
// 2, parents unrecorded / none / one / two, fractional dates, time zones.
constexpr const char* kMakeMarkers = R"PY(
from mercurial import registrar
cmdtable = {}
command = registrar.command(cmdtable)

@command(b'mkmarkers', [], b'')
def mkmarkers(ui, repo):
    def node(i):
        return (b'%040x' % (0x1000 + i)).decode('ascii')
    with repo.lock(), repo.transaction(b'mk') as tr:
        for i in range(60):
            succs = tuple(bytes.fromhex(node(1000 + i * 3 + k)) for k in range(i % 3))
            parents = [None, (), (bytes.fromhex(node(2000 + i)),),
                       (bytes.fromhex(node(2000 + i)), bytes.fromhex(node(3000 + i)))][i % 4]
            date = (1700000000 + i * 1.125, [0, -3600, 25200][i % 3])
            meta = {b'user': b'User %d <u%d@example.com>' % (i, i), b'operation': b'amend'}
            repo.obsstore.create(tr, bytes.fromhex(node(i)), succs, 0, parents, date, meta)
)PY";

// A repository with obsolescence on and `hg mkmarkers` (kMakeMarkers).
struct MarkerRepo {
  test::ScratchDir dir;
  std::string repo = dir.path() + "/repo";
  ProcessOptions env;

  MarkerRepo() {
    std::string ext = dir.path() + "/mk.py";
    std::ofstream(ext) << kMakeMarkers;
    env.env_set = {{"HGRCPATH", ""}, {"HGPLAIN", "1"}};
    EXPECT_TRUE(RunProcess({"hg", "init", repo}, env).ok());
    std::ofstream(repo + "/.hg/hgrc")
        << "[experimental]\nevolution = all\n[extensions]\nmk = " << ext << "\n";
  }
};

TEST(ObsMarkerPushkey, DumpsAreWhatMercurialListsForTheSameMarkers) {
  MarkerRepo m;
  const std::string& repo = m.repo;
  const ProcessOptions& env = m.env;
  ProcessResult made = RunProcess({"hg", "-R", repo, "mkmarkers"}, env);
  ASSERT_TRUE(made.ok()) << made.err;
  ProcessResult listed = RunProcess({"hg", "debugpushkey", repo, "obsolete"}, env);
  ASSERT_TRUE(listed.ok()) << listed.err;

  std::vector<ObsMarker> markers = ReadObsStore(repo);
  ASSERT_EQ(markers.size(), 60u);
  // listmarkers sends sorted(obsstore): by precursor first, all distinct here.
  std::sort(markers.begin(), markers.end(),
            [](const ObsMarker& a, const ObsMarker& b) { return a.precursor < b.precursor; });
  std::string ours;
  for (const auto& [key, value] : ObsMarkerPushkeys(markers)) ours += key + "\t" + value + "\n";
  EXPECT_EQ(ours, listed.out);
  EXPECT_NE(ours.find("dump1\t"), std::string::npos);  // more than one chunk
}

TEST(ObsMarkerPushkey, ReadFromAnOffsetGivesTheMarkersAddedAfterIt) {
  MarkerRepo m;
  const std::string& repo = m.repo;
  const ProcessOptions& env = m.env;
  EXPECT_EQ(ObsStoreSize(repo), 0u);
  ASSERT_TRUE(RunProcess({"hg", "-R", repo, "debugobsolete", std::string(40, 'a')}, env).ok());
  uint64_t before = ObsStoreSize(repo);
  ASSERT_GT(before, 1u);
  ASSERT_TRUE(RunProcess({"hg", "-R", repo, "mkmarkers"}, env).ok());
  auto added = ReadObsStoreFrom(repo, before);
  ASSERT_TRUE(added);
  EXPECT_EQ(added->size(), 60u);
  EXPECT_EQ(ReadObsStoreFrom(repo, 0)->size(), 61u);
  EXPECT_FALSE(ReadObsStoreFrom(repo, ObsStoreSize(repo) + 10));  // rewritten: shorter now
  EXPECT_FALSE(ReadObsStoreFrom(repo, before + 3));               // not on a marker
}

}  // namespace
}  // namespace hgc
