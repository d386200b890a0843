// PythonJsonDumps and the Python repr helpers against outputs of CPython 3.11
// (json.dumps(obj, sort_keys=True), repr()).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "message/message.h"
#include "message/python_repr.h"

namespace hgc {
namespace {

using nlohmann::json;

TEST(PythonFloatReprTest, MatchesCPython) {
  const std::pair<double, const char*> cases[] = {
      {1700000000.5, "1700000000.5"},
      {1.0, "1.0"},
      {0.1, "0.1"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {1e-5, "1e-05"},
      {1e-4, "0.0001"},
      {1.5e-7, "1.5e-07"},
      {123456789012345.67, "123456789012345.67"},
      {1700000000.123456, "1700000000.123456"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {1e22, "1e+22"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {1152921504606846976.0, "1.152921504606847e+18"},
      {100.0, "100.0"},
      {-2.5, "-2.5"},
      {9999999999999998.0, "9999999999999998.0"},
      {0.3, "0.3"},
      {2.0 / 3.0, "0.6666666666666666"},
  };
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(PythonFloatRepr(value), expected) << expected;
  }
  EXPECT_EQ(PythonFloatRepr(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(PythonFloatRepr(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(PythonStrReprTest, QuotesAndEscapes) {
  EXPECT_EQ(PythonStrRepr("4c9443886fe8"), "'4c9443886fe8'");
  EXPECT_EQ(PythonStrRepr("it's"), "\"it's\"");
  EXPECT_EQ(PythonStrRepr("'\""), "'\\'\"'");
  EXPECT_EQ(PythonStrRepr("a\\b\n\x01"), "'a\\\\b\\n\\x01'");
  EXPECT_EQ(PythonStrRepr("\xc3\xa9"), "'\xc3\xa9'");
}

TEST(PythonJsonDumpsTest, SpecFramingExample) {
  EXPECT_EQ(EncodeMessage(MakeRepoInit("{moz}/mozilla-central", true, 1700000000.5)),
            "1\n{\"_created\": 1700000000.5, \"generaldelta\": true, \"name\": "
            "\"hg-repo-init-2\", \"path\": \"{moz}/mozilla-central\"}");
}

TEST(PythonJsonDumpsTest, SortsByCodePointAndEscapesAscii) {
  const json v = json::parse(R"({"z": 1, "a": [], "é": {}, "Z": null, "こ": true, "😀": false,)"
                             R"( "b": "\"\\\n\r\t\b\f\u0001\u007fこ😀é"})");
  EXPECT_EQ(PythonJsonDumps(v),
            R"({"Z": null, "a": [], "b": "\"\\\n\r\t\b\f\u0001\u007f\u3053\ud83d\ude00\u00e9",)"
            R"( "z": 1, "\u00e9": {}, "\u3053": true, "\ud83d\ude00": false})");
}

TEST(PythonJsonDumpsTest, NestingAndNumbers) {
  EXPECT_EQ(PythonJsonDumps(json::parse(R"([1, [2, {"x": 1.5}], "a"])")),
            R"([1, [2, {"x": 1.5}], "a"])");
  EXPECT_EQ(PythonJsonDumps(json::array()), "[]");
  EXPECT_EQ(PythonJsonDumps(json::object()), "{}");
  EXPECT_EQ(PythonJsonDumps(json(-9223372036854775807LL - 1)), "-9223372036854775808");
  EXPECT_EQ(PythonJsonDumps(json(18446744073709551615ULL)), "18446744073709551615");
  EXPECT_EQ(PythonJsonDumps(json(1e16)), "1e+16");
  EXPECT_EQ(PythonJsonDumps(json(5.0)), "5.0");
  EXPECT_EQ(PythonJsonDumps(json(nullptr)), "null");
}

TEST(PythonJsonDumpsTest, NonFiniteFloatsAsPythonLiterals) {
  EXPECT_EQ(PythonJsonDumps(json(std::numeric_limits<double>::quiet_NaN())), "NaN");
  EXPECT_EQ(PythonJsonDumps(json(std::numeric_limits<double>::infinity())), "Infinity");
  EXPECT_EQ(PythonJsonDumps(json(-std::numeric_limits<double>::infinity())), "-Infinity");
}

TEST(PythonJsonDumpsTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(PythonJsonDumps(json(std::string("a\xff"
                                             "b\xc3"))),
            R"("a\ufffdb\ufffd")");
  // An overlong '/' and an encoded surrogate are rejected too.
  EXPECT_EQ(PythonJsonDumps(json(std::string("\xc0\xaf\xed\xa0\x80"))),
            R"("\ufffd\ufffd\ufffd\ufffd\ufffd")");
}

TEST(PythonJsonDumpsTest, RoundTripsThroughDecode) {
  const json body = MakeHeads("{moz}/x", {"a", "b"}, std::nullopt, 1.25);
  EXPECT_EQ(DecodeMessage(EncodeMessage(body)).body, body);
  EXPECT_EQ(PythonJsonDumps(body),
            R"({"_created": 1.25, "heads": ["a", "b"], "last_push_id": null, )"
            R"("name": "hg-heads-1", "path": "{moz}/x"})");
}

}  // namespace
}  // namespace hgc
