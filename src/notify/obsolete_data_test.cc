// obsolete.1 notifications: markers of a real `hg commit --amend` (format 1
// on disk) sent over pushkey, and the node information looked up in a real
// repository.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/ini.h"
#include "common/subprocess.h"
#include "hg/obsmarker_pushkey.h"
#include "notify/notification_builder.h"
#include "notify/test_notify_support.h"

namespace hgc {
namespace {

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
  blob += std::string(20, '\xdd');         // node dddd...
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
