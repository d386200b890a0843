// IniFile: configparser reading rules and the typed getters.
#include "common/ini.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>

#include "common/error.h"

namespace hgc {
namespace {

using Items = std::vector<std::pair<std::string, std::string>>;

std::string ErrorText(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(IniFileTest, ConsumerIni) {
  const IniFile ini = IniFile::Parse(
      "[consumer]\n"
      "hosts = kafka1:9092, kafka2:9092\n"
      "Client_ID: hgweb1\n"
      "poll_timeout = 0.2\n"
      "\n"
      "[path_rewrites]\n"
      "{moz} = /repo/hg/mozilla\n"
      "[pull_url_rewrites]\n"
      "{moz}/ = ssh://hgssh/\n"
      "[replicationrules]\n"
      "include.projects = re:\\{moz\\}/projects/.*\n"
      "exclude.Unified = path:{moz}/mozilla-unified\n",
      "vcsreplicator.ini");
  EXPECT_EQ(ini.origin(), "vcsreplicator.ini");
  EXPECT_TRUE(ini.HasSection("consumer"));
  EXPECT_FALSE(ini.HasSection("Consumer"));  // section names keep their case
  EXPECT_EQ(ini.Get("consumer", "hosts"), "kafka1:9092, kafka2:9092");
  EXPECT_EQ(ini.Get("consumer", "client_id"), "hgweb1");  // option names lower-cased
  EXPECT_EQ(ini.Get("consumer", "CLIENT_ID"), "hgweb1");
  EXPECT_DOUBLE_EQ(ini.GetDouble("consumer", "poll_timeout", 9), 0.2);
  EXPECT_EQ(ini.Items("path_rewrites"), (Items{{"{moz}", "/repo/hg/mozilla"}}));
  // The value is split at the first '=' or ':', whichever comes first.
  EXPECT_EQ(ini.Items("pull_url_rewrites"), (Items{{"{moz}/", "ssh://hgssh/"}}));
  EXPECT_EQ(ini.Items("replicationrules"),
            (Items{{"include.projects", "re:\\{moz\\}/projects/.*"},
                   {"exclude.unified", "path:{moz}/mozilla-unified"}}));
  EXPECT_EQ(ini.Items("missing"), Items{});
  EXPECT_EQ(ini.Get("missing", "x"), std::nullopt);
}

TEST(IniFileTest, CommentsContinuationsAndBlankLines) {
  const IniFile ini = IniFile::Parse(
      "# leading comment\n"
      "; another\n"
      "[s]\n"
      "a = first\n"
      "  second\n"
      "\n"
      "    # comment inside a value is dropped\n"
      "\tthird\n"
      "\n"
      "\n"
      "b = x # not an inline comment\n"
      "  c = continuation, not an option\n"
      "d =\n"
      "e :  spaced  \r\n"
      "[t]\r"
      "k=v");
  EXPECT_EQ(ini.Get("s", "a"), "first\nsecond\n\nthird");
  EXPECT_EQ(ini.Get("s", "b"), "x # not an inline comment\nc = continuation, not an option");
  EXPECT_EQ(ini.Get("s", "c"), std::nullopt);
  EXPECT_EQ(ini.Get("s", "d"), "");
  EXPECT_EQ(ini.Get("s", "e"), "spaced");
  EXPECT_EQ(ini.Get("t", "k"), "v");
}

TEST(IniFileTest, DuplicatesMergeLastValueFirstPosition) {
  const IniFile ini = IniFile::Parse(
      "[s]\n"
      "a = 1\n"
      "b = 2\n"
      "A = 3\n"
      "[t]\n"
      "x = 1\n"
      "[s]\n"
      "c = 4\n");
  EXPECT_EQ(ini.Items("s"), (Items{{"a", "3"}, {"b", "2"}, {"c", "4"}}));
}

TEST(IniFileTest, SectionHeaderLikeConfigparser) {
  const IniFile ini = IniFile::Parse("[a]b] trailing\nk = v\n  [indented]\nj = w\n");
  EXPECT_EQ(ini.Get("a]b", "k"), "v\n[indented]");
  EXPECT_EQ(ini.Get("a]b", "j"), "w");
}

TEST(IniFileTest, DefaultSectionSuppliesFallbacks) {
  const IniFile ini = IniFile::Parse("[DEFAULT]\nx = 1\ny = 2\n[s]\ny = 3\nz = 4\n");
  EXPECT_FALSE(ini.HasSection("DEFAULT"));
  EXPECT_EQ(ini.Get("s", "x"), "1");
  EXPECT_EQ(ini.Get("s", "y"), "3");
  EXPECT_EQ(ini.Items("s"), (Items{{"x", "1"}, {"y", "3"}, {"z", "4"}}));
  EXPECT_EQ(ini.Get("nosuch", "x"), std::nullopt);
}

TEST(IniFileTest, SyntaxErrorsNameFileAndLine) {
  std::string what = ErrorText([] { IniFile::Parse("k = v\n", "a.ini"); });
  EXPECT_NE(what.find("a.ini:1"), std::string::npos) << what;
  EXPECT_NE(what.find("[section]"), std::string::npos) << what;
  what = ErrorText([] { IniFile::Parse("[s]\njunk line\n", "b.ini"); });
  EXPECT_NE(what.find("b.ini:2"), std::string::npos) << what;
  EXPECT_NE(what.find("junk line"), std::string::npos) << what;
  ErrorText([] { IniFile::Parse("[s]\n= value\n"); });
  ErrorText([] { IniFile::Parse("[]\n"); });
}

TEST(IniFileTest, TypedGetters) {
  const IniFile ini = IniFile::Parse(
      "[s]\nt1 = yes\nt2 = On\nt3 = TRUE\nt4 = 1\nf1 = no\nf2 = Off\nf3 = false\nf4 = 0\n"
      "bad = maybe\nnum = +2.5\nneg = -1e3\nnan = abc\n",
      "c.ini");
  for (const char* k : {"t1", "t2", "t3", "t4"}) EXPECT_TRUE(ini.GetBool("s", k, false)) << k;
  for (const char* k : {"f1", "f2", "f3", "f4"}) EXPECT_FALSE(ini.GetBool("s", k, true)) << k;
  EXPECT_TRUE(ini.GetBool("s", "absent", true));
  std::string what = ErrorText([&] { ini.GetBool("s", "bad", false); });
  EXPECT_NE(what.find("bad = maybe"), std::string::npos) << what;
  EXPECT_NE(what.find("c.ini"), std::string::npos) << what;
  EXPECT_DOUBLE_EQ(ini.GetDouble("s", "num", 0), 2.5);
  EXPECT_DOUBLE_EQ(ini.GetDouble("s", "neg", 0), -1000);
  EXPECT_DOUBLE_EQ(ini.GetDouble("s", "absent", 7.5), 7.5);
  ErrorText([&] { ini.GetDouble("s", "nan", 0); });
  EXPECT_EQ(ini.GetOr("s", "absent", "dflt"), "dflt");
  EXPECT_EQ(ini.GetOr("s", "t1", "dflt"), "yes");
  EXPECT_EQ(ini.Require("s", "t1"), "yes");
  what = ErrorText([&] { ini.Require("s", "Topic"); });
  EXPECT_NE(what.find("c.ini"), std::string::npos) << what;
  EXPECT_NE(what.find("\"topic\""), std::string::npos) << what;
  EXPECT_NE(what.find("[s]"), std::string::npos) << what;
}

TEST(IniFileTest, LoadFromDisk) {
  char path[] = "/tmp/hgc_ini_test_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "\xEF\xBB\xBF[consumer]\ntopic = pushdata\n";
  }
  const IniFile ini = IniFile::Load(path);
  EXPECT_EQ(ini.origin(), path);
  EXPECT_EQ(ini.Get("consumer", "topic"), "pushdata");
  std::remove(path);
  const std::string what = ErrorText([&] { IniFile::Load(path); });
  EXPECT_EQ(what, std::string("config file does not exist: ") + path);
}

}  // namespace
}  // namespace hgc
