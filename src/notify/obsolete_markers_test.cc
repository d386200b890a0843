// obsolete.1 notifications: decoding obsstore blobs (format 1 as written by
// a real `hg commit --amend`, format 0 as sent over pushkey) and the node
// information looked up in a real repository.
#include "notify/obsolete_markers.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/ini.h"
#include "common/subprocess.h"
#include "notify/notification_builder.h"
#include "notify/test_notify_support.h"

namespace hgc {
namespace {

// Mercurial's util.b85encode (without padding), to produce pushkey values.
std::string Base85Encode(std::string data) {
  static const char kChars[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
  size_t len = data.size();
  while (data.size() % 4) data.push_back('\0');
  std::string out;
  for (size_t i = 0; i < data.size(); i += 4) {
    uint32_t word = 0;
    for (size_t j = 0; j < 4; ++j) word = (word << 8) | static_cast<unsigned char>(data[i + j]);
    char chunk[5];
    for (int j = 4; j >= 0; --j) {
      chunk[j] = kChars[word % 85];
      word /= 85;
    }
    out.append(chunk, 5);
  }
  size_t olen = len % 4 ? len % 4 + 1 : 0;
  return out.substr(0, olen + len / 4 * 5);
}

std::string Hex2Bin(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

TEST(NotifyObsoleteMarkers, Base85RoundTripsEveryLength) {
  std::string data;
  for (int n = 0; n < 12; ++n) {
    EXPECT_EQ(Base85Decode(Base85Encode(data)), data) << n;
    data.push_back(static_cast<char>(0xF0 + n));
  }
  EXPECT_THROW(Base85Decode("ab\"cd"), Error);
}

TEST(NotifyObsoleteMarkers, FormatZeroAsSentOverPushkey) {
  std::string meta = "date:1234.5 0";
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
  ASSERT_EQ(markers[0].metadata.size(), 1u);  // date and p1 are not metadata
  EXPECT_EQ(markers[0].metadata[0], std::make_pair(std::string("user"), std::string("Alice")));
}

TEST(NotifyObsoleteMarkers, AmendedChangesetInARealRepository) {
  test::NotifyScratch scratch;
  std::string repo = scratch.repos() + "mozilla-central";
  ProcessOptions env;
  env.env_set = {{"HGRCPATH", ""}, {"HGPLAIN", "1"}};
  auto hg = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"hg", "-R", repo});
    ProcessResult r = RunProcess(args, env);
    EXPECT_TRUE(r.ok()) << r.err;
    return r.out;
  };
  ASSERT_TRUE(RunProcess({"hg", "init", repo}, env).ok());
  std::ofstream(repo + "/.hg/hgrc") << "[experimental]\nevolution = createmarkers\n"
                                       "[ui]\nusername = Test User <test@example.com>\n";
  std::ofstream(repo + "/a") << "a\n";
  hg({"add", repo + "/a"});
  hg({"commit", "-m", "first", "-d", "1000 0"});
  std::string old_node = hg({"log", "-r", "tip", "-T", "{node}"});
  std::ofstream(repo + "/a") << "b\n";
  hg({"commit", "--amend", "-m", "first amended", "-d", "1000 0"});
  std::string new_node = hg({"log", "-r", "tip", "-T", "{node}"});
  test::WritePushlog(repo, {{1, "alice@example.com", 1000, {old_node}}});

  std::ifstream in(repo + "/.hg/store/obsstore", std::ios::binary);
  std::stringstream obsstore;
  obsstore << in.rdbuf();
  ASSERT_EQ(obsstore.str()[0], '\1');  // format 1 on disk
  // The blob plus one marker for a node the repo has never seen.
  auto markers = DecodeObsMarkers(Base85Encode(obsstore.str()));
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].precursor, old_node);

  auto config = NotifierConfig::Load(
      IniFile::Parse(scratch.ConsumerIni("pulseconsumer", "pulsenotifier")), "pulseconsumer");
  Message m = DecodeMessage(EncodeMessage(MakePushkey("{moz}/mozilla-central", "obsolete", "dump0",
                                                      "", Base85Encode(obsstore.str()), 1, 5)));
  testing::internal::CaptureStdout();
  auto n = BuildNotification(m, 0, 3, config);
  std::string logged = testing::internal::GetCapturedStdout();
  EXPECT_NE(logged.find("processing obsolete pushkey message for "
                        "https://hg.mozilla.org/mozilla-central"),
            std::string::npos);
  EXPECT_NE(logged.find("processing 1 obsolete markers"), std::string::npos);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->type, "obsolete.1");
  const OrderedJson& marker = n->data["markers"][0];
  EXPECT_EQ(marker["precursor"]["node"], old_node);
  EXPECT_EQ(marker["precursor"]["known"], true);
  EXPECT_EQ(marker["precursor"]["visible"], false);
  EXPECT_EQ(marker["precursor"]["desc"], "first");
  EXPECT_EQ(marker["precursor"]["push"]["pushid"], 1);
  ASSERT_EQ(marker["successors"].size(), 1u);
  EXPECT_EQ(marker["successors"][0]["node"], new_node);
  EXPECT_EQ(marker["successors"][0]["visible"], true);
  EXPECT_EQ(marker["successors"][0]["desc"], "first amended");
  EXPECT_EQ(marker["successors"][0]["push"], nullptr);
  EXPECT_EQ(marker["user"], "Test User <test@example.com>");
  EXPECT_TRUE(marker["time"].is_number_float());
  EXPECT_EQ(marker["time"].get<double>(), markers[0].date);
  // Key order as the reference builds the dicts.
  std::string dumped = PythonJsonDumpsOrdered(n->data);
  EXPECT_EQ(dumped.find(R"({"repo_url": "https://hg.mozilla.org/mozilla-central", "markers": )"
                        R"([{"precursor": {"node": ")"),
            0u)
      << dumped;
}

TEST(NotifyObsoleteMarkers, UnknownNodeIsNotKnownNorVisible) {
  test::NotifyScratch scratch;
  std::string repo = scratch.repos() + "r";
  ASSERT_TRUE(RunProcess({"hg", "init", repo}).ok());
  std::string blob;
  blob.push_back('\0');
  blob += std::string("\0\0\0\0\0\0", 6);  // no successor, no metadata, flags 0
  blob += Hex2Bin(std::string(40, 'd'));
  auto config = NotifierConfig::Load(
      IniFile::Parse(scratch.ConsumerIni("pulseconsumer", "pulsenotifier")), "pulseconsumer");
  Message m = DecodeMessage(
      EncodeMessage(MakePushkey("{moz}/r", "obsolete", "dump0", "", Base85Encode(blob), 1, 5)));
  testing::internal::CaptureStdout();
  auto n = BuildNotification(m, 0, 3, config);
  testing::internal::GetCapturedStdout();
  ASSERT_TRUE(n);
  EXPECT_EQ(PythonJsonDumpsOrdered(n->data["markers"]),
            R"([{"precursor": {"node": ")" + std::string(40, 'd') +
                R"(", "known": false, "visible": null, "desc": null, "push": null}, )"
                R"("successors": [], "user": null, "time": 0.0}])");
}

}  // namespace
}  // namespace hgc
