// DumpYaml against PyYAML 6.0's yaml.safe_dump(..., default_flow_style=False)
// output (final newline stripped). The expected texts were produced by
// PyYAML itself from the same JSON inputs, then pasted here.
#include <gtest/gtest.h>

#include "message/message.h"
#include "message/yaml_scalar.h"

namespace hgc {
namespace {

std::string Dump(const std::string& json_list) {
  const nlohmann::json list = nlohmann::json::parse(json_list);
  return DumpYaml(std::vector<nlohmann::json>(list.begin(), list.end()));
}

TEST(DumpYamlTest, EmptyListIsFlow) { EXPECT_EQ(DumpYaml({}), "[]"); }

TEST(DumpYamlTest, SpecPushkeyAndNullHeads) {
  // §7.3 (2) and (5): old '' / new '0' / '1', quoted NULL node.
  EXPECT_EQ(DumpYaml({MakePushkey("{moz}/mozilla-central", "phases", "abc", "1", "0", 0, 7),
                      MakeHeads("{moz}/mozilla-central",
                                {"0000000000000000000000000000000000000000"}, 0, 8)}),
            "- _created: 7.0\n"
            "  key: abc\n"
            "  name: hg-pushkey-1\n"
            "  namespace: phases\n"
            "  new: '0'\n"
            "  old: '1'\n"
            "  path: '{moz}/mozilla-central'\n"
            "  ret: 0\n"
            "- _created: 8.0\n"
            "  heads:\n"
            "  - '0000000000000000000000000000000000000000'\n"
            "  last_push_id: 0\n"
            "  name: hg-heads-1\n"
            "  path: '{moz}/mozilla-central'");
}

TEST(YamlPlainIsStringTest, Yaml11Resolvers) {
  // clang-format off
  // Each of these resolves as bool, null, int, float, merge, value or
  // timestamp in PyYAML, so it has to be quoted.
  const char* const kNotStrings[] = {
      "yes", "No", "ON", "off", "TRUE", "null", "~", "", "0", "-1", "+5", "1_000", "0x1F",
      "0b101", "0777", "1:20", "190:20:30", "1.5", "1.", ".5", ".5e+3", "1.0e+16", "1:20.5",
      ".inf", "-.Inf", ".NaN", "<<", "=", "2001-12-14", "2001-1-2 3:04:05",
      "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 Z", "2001-12-14 21:59:43 +5",
      "0000000000000000000000000000000000000000"};
  const char* const kStrings[] = {
      "y", "n", "Yes!", "nul", "1e5", "1e+5", "0x", "0b", "0b2", "08", "1:60", "1:2:", "-", "+",
      "a1", "77538e1ce4bec5f7aac58a7ceca2da0e38e90a72", ".", "..5", "-.5e+3", "1..2", "-.nan",
      "2001-12-1", "2001-12-14T", "serve"};
  // clang-format on
  for (const char* s : kNotStrings) EXPECT_FALSE(YamlPlainIsString(s)) << s;
  for (const char* s : kStrings) EXPECT_TRUE(YamlPlainIsString(s)) << s;
  // Long digit strings are scanned without recursion.
  EXPECT_FALSE(YamlPlainIsString(std::string(1000000, '7')));
}

TEST(DumpYamlTest, ChangegroupReplicateDump) {
  EXPECT_EQ(Dump("[{\"_created\": 1700000000.25, \"generaldelta\": true, \"name\": \"hg-repo-init-"
                 "2\", \"path\": \"{moz}/mozilla-central\"}, {\"_created\": 1700000001.5, \"name\""
                 ": \"heartbeat-1\"}, {\"_created\": 1700000002.0, \"name\": \"hg-changegroup-2\","
                 " \"path\": \"{moz}/mozilla-central\", \"heads\": [\"77538e1ce4bec5f7aac58a7ceca2"
                 "da0e38e90a72\"], \"nodecount\": 1, \"source\": \"serve\"}, {\"_created\": 170000"
                 "0003.125, \"name\": \"hg-heads-1\", \"path\": \"{moz}/mozilla-central\", \"heads"
                 "\": [\"77538e1ce4bec5f7aac58a7ceca2da0e38e90a72\"], \"last_push_id\": 1}]"),
            "- _created: 1700000000.25\n"
            "  generaldelta: true\n"
            "  name: hg-repo-init-2\n"
            "  path: '{moz}/mozilla-central'\n"
            "- _created: 1700000001.5\n"
            "  name: heartbeat-1\n"
            "- _created: 1700000002.0\n"
            "  heads:\n"
            "  - 77538e1ce4bec5f7aac58a7ceca2da0e38e90a72\n"
            "  name: hg-changegroup-2\n"
            "  nodecount: 1\n"
            "  path: '{moz}/mozilla-central'\n"
            "  source: serve\n"
            "- _created: 1700000003.125\n"
            "  heads:\n"
            "  - 77538e1ce4bec5f7aac58a7ceca2da0e38e90a72\n"
            "  last_push_id: 1\n"
            "  name: hg-heads-1\n"
            "  path: '{moz}/mozilla-central'");
}

TEST(DumpYamlTest, HgrcFolded) {
  EXPECT_EQ(Dump("[{\"_created\": 1.5, \"name\": \"hg-hgrc-update-1\", \"path\": \"{moz}/mozilla-c"
                 "entral\", \"content\": \"[hooks]\\ndummy = value\\n\\n\"}]"),
            "- _created: 1.5\n"
            "  content: '[hooks]\n"
            "\n"
            "    dummy = value\n"
            "\n"
            "\n"
            "    '\n"
            "  name: hg-hgrc-update-1\n"
            "  path: '{moz}/mozilla-central'");
}

TEST(DumpYamlTest, HgrcUnicodeAndNull) {
  EXPECT_EQ(Dump("[{\"_created\": 1.5, \"name\": \"hg-hgrc-update-1\", \"path\": \"{moz}/mozilla-c"
                 "entral\", \"content\": \"[hooks]\\ndummy = \\u3053\\u3093\\u306b\\u3061\\u306f\\"
                 "n\\n\"}, {\"_created\": 2.5, \"name\": \"hg-hgrc-update-1\", \"path\": \"{moz}/m"
                 "ozilla-central\", \"content\": null}]"),
            "- _created: 1.5\n"
            "  content: \"[hooks]\\ndummy = \\u3053\\u3093\\u306B\\u3061\\u306F\\n\\n\"\n"
            "  name: hg-hgrc-update-1\n"
            "  path: '{moz}/mozilla-central'\n"
            "- _created: 2.5\n"
            "  content: null\n"
            "  name: hg-hgrc-update-1\n"
            "  path: '{moz}/mozilla-central'");
}

TEST(DumpYamlTest, SyncAndPushkey) {
  EXPECT_EQ(Dump("[{\"_created\": 3.0, \"name\": \"hg-repo-sync-2\", \"path\": \"{moz}/mozilla-cen"
                 "tral\", \"bootstrap\": false, \"heads\": [\"000000000000000000000000000000000000"
                 "0000\", \"1234567890123456789012345678901234567890\"], \"hgrc\": \"[hooks]\\nfoo"
                 " = bar\\n\", \"requirements\": [\"dotencode\", \"fncache\", \"generaldelta\", \""
                 "revlog-compression-zstd\", \"revlogv1\", \"share-safe\", \"sparserevlog\", \"sto"
                 "re\"]}, {\"_created\": 4.0, \"name\": \"hg-pushkey-1\", \"path\": \"{moz}/mozill"
                 "a-central\", \"key\": \"my-bookmark\", \"namespace\": \"bookmarks\", \"new\": \""
                 "77538e1ce4bec5f7aac58a7ceca2da0e38e90a72\", \"old\": \"\", \"ret\": 0}, {\"_crea"
                 "ted\": 5.0, \"name\": \"hg-pushkey-1\", \"path\": \"{moz}/mozilla-central\", \"k"
                 "ey\": \"77538e1ce4bec5f7aac58a7ceca2da0e38e90a72\", \"namespace\": \"phases\", "
                 "\"new\": \"0\", \"old\": \"1\", \"ret\": 0}, {\"_created\": 6.0, \"_original_cre"
                 "ated\": 5.5, \"_original_partition\": 2, \"name\": \"heartbeat-1\"}]"),
            "- _created: 3.0\n"
            "  bootstrap: false\n"
            "  heads:\n"
            "  - '0000000000000000000000000000000000000000'\n"
            "  - '1234567890123456789012345678901234567890'\n"
            "  hgrc: '[hooks]\n"
            "\n"
            "    foo = bar\n"
            "\n"
            "    '\n"
            "  name: hg-repo-sync-2\n"
            "  path: '{moz}/mozilla-central'\n"
            "  requirements:\n"
            "  - dotencode\n"
            "  - fncache\n"
            "  - generaldelta\n"
            "  - revlog-compression-zstd\n"
            "  - revlogv1\n"
            "  - share-safe\n"
            "  - sparserevlog\n"
            "  - store\n"
            "- _created: 4.0\n"
            "  key: my-bookmark\n"
            "  name: hg-pushkey-1\n"
            "  namespace: bookmarks\n"
            "  new: 77538e1ce4bec5f7aac58a7ceca2da0e38e90a72\n"
            "  old: ''\n"
            "  path: '{moz}/mozilla-central'\n"
            "  ret: 0\n"
            "- _created: 5.0\n"
            "  key: 77538e1ce4bec5f7aac58a7ceca2da0e38e90a72\n"
            "  name: hg-pushkey-1\n"
            "  namespace: phases\n"
            "  new: '0'\n"
            "  old: '1'\n"
            "  path: '{moz}/mozilla-central'\n"
            "  ret: 0\n"
            "- _created: 6.0\n"
            "  _original_created: 5.5\n"
            "  _original_partition: 2\n"
            "  name: heartbeat-1");
}

TEST(DumpYamlTest, ImplicitTypesQuoted) {
  EXPECT_EQ(Dump("[{\"s\": [\"yes\", \"No\", \"ON\", \"off\", \"true\", \"null\", \"~\", \"\", \"1"
                 "_000\", \"0x1F\", \"0777\", \"1:20\", \"2001-12-14\", \"2001-12-14 21:59:43.10 -"
                 "5\", \".inf\", \"-.5\", \"1.\", \"<<\", \"=\", \"1e5\", \"-a\", \"a-\", \"0b2\","
                 " \"12:60\"]}]"),
            "- s:\n"
            "  - 'yes'\n"
            "  - 'No'\n"
            "  - 'ON'\n"
            "  - 'off'\n"
            "  - 'true'\n"
            "  - 'null'\n"
            "  - '~'\n"
            "  - ''\n"
            "  - '1_000'\n"
            "  - '0x1F'\n"
            "  - '0777'\n"
            "  - '1:20'\n"
            "  - '2001-12-14'\n"
            "  - '2001-12-14 21:59:43.10 -5'\n"
            "  - '.inf'\n"
            "  - -.5\n"
            "  - '1.'\n"
            "  - '<<'\n"
            "  - '='\n"
            "  - 1e5\n"
            "  - -a\n"
            "  - a-\n"
            "  - 0b2\n"
            "  - 12:60");
}

TEST(DumpYamlTest, IndicatorsAndSpaces) {
  EXPECT_EQ(Dump("[{\"s\": [\": x\", \"a: b\", \"a:b\", \"a #b\", \"a#b\", \"#c\", \" lead\", \"tr"
                 "ail \", \"- a\", \"? q\", \"?q\", \"---\", \"...x\", \"%x\", \"@x\", \"`x\", \"!"
                 "x\", \"&x\", \"*x\", \"|x\", \">x\", \"'x\", \"\\\"x\", \"it's\", \"x,y\", \"[x"
                 "\", \"x]\", \"{x\", \"tab\\there\", \"bell\\u0007\", \"nel\\u0085\", \"\\u00e9t"
                 "\\u00e9\", \"\\ud83d\\ude00\", \"a\\\\b\"]}]"),
            "- s:\n"
            "  - ': x'\n"
            "  - 'a: b'\n"
            "  - a:b\n"
            "  - 'a #b'\n"
            "  - a#b\n"
            "  - '#c'\n"
            "  - ' lead'\n"
            "  - 'trail '\n"
            "  - '- a'\n"
            "  - '? q'\n"
            "  - ?q\n"
            "  - '---'\n"
            "  - '...x'\n"
            "  - '%x'\n"
            "  - '@x'\n"
            "  - '`x'\n"
            "  - '!x'\n"
            "  - '&x'\n"
            "  - '*x'\n"
            "  - '|x'\n"
            "  - '>x'\n"
            "  - '''x'\n"
            "  - '\"x'\n"
            "  - it's\n"
            "  - x,y\n"
            "  - '[x'\n"
            "  - x]\n"
            "  - '{x'\n"
            "  - \"tab\\there\"\n"
            "  - \"bell\\a\"\n"
            "  - \"nel\\N\"\n"
            "  - \"\\xE9t\\xE9\"\n"
            "  - \"\\U0001F600\"\n"
            "  - a\\b");
}

TEST(DumpYamlTest, NestingAndEmpties) {
  EXPECT_EQ(Dump("[{\"e\": [], \"f\": {}, \"g\": [[1, 2], [], [[]], {\"a\": [true, null]}], \"h\":"
                 " {\"a\": [1], \"b\": {\"c\": {}}}, \"big\": 1e+16, \"small\": 1e-05, \"neg\": -0"
                 ".0, \"i\": -7}, {}, []]"),
            "- big: 1.0e+16\n"
            "  e: []\n"
            "  f: {}\n"
            "  g:\n"
            "  - - 1\n"
            "    - 2\n"
            "  - []\n"
            "  - - []\n"
            "  - a:\n"
            "    - true\n"
            "    - null\n"
            "  h:\n"
            "    a:\n"
            "    - 1\n"
            "    b:\n"
            "      c: {}\n"
            "  i: -7\n"
            "  neg: -0.0\n"
            "  small: 1.0e-05\n"
            "- {}\n"
            "- []");
}

TEST(DumpYamlTest, LongStringsFold) {
  EXPECT_EQ(Dump("[{\"s\": \"a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a"
                 " b a b a b a b a b a b a b a b a b a b a b a b a b \", \"d\": \"\\u3053 \\u3053 "
                 "\\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 "
                 "\\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 "
                 "\\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 "
                 "\\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \", \"w\": \"xxx"
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                 "xxxxxxxxxxxxxxxxx\", \"m\": \"line one is long enough line one is long enough li"
                 "ne one is long enough line one is long enough \\nsecond\"}]"),
            "- d: \"\\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u30"
            "53 \\u3053\\\n"
            "    \\ \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u30"
            "53 \\u3053\\\n"
            "    \\ \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u30"
            "53 \\u3053\\\n"
            "    \\ \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \\u3053 \"\n"
            "  m: \"line one is long enough line one is long enough line one is long enough line"
            "\\\n"
            "    \\ one is long enough \\nsecond\"\n"
            "  s: 'a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b\n"
            "    a b a b a b a b a b a b a b a b a b a b a b '\n"
            "  w: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxx");
}

TEST(DumpYamlTest, LongKeys) {
  EXPECT_EQ(Dump("[{\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
                 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\": 1, \"qqqqqqqqqqqqqqqqqqqqqqqqq"
                 "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
                 "qqqqqqqqqqqqqqqqqq\": 2, \"a\\nb\": 3, \"\": 4}]"),
            "- ? ''\n"
            "  : 4\n"
            "  ? 'a\n"
            "\n"
            "    b'\n"
            "  : 3\n"
            "  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: 1\n"
            "  ? qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
            "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\n"
            "  : 2");
}

}  // namespace
}  // namespace hgc
