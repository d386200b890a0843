// Changelog entry parsing on hand-written texts: the corners real hg rarely
// writes today (float times, bad time zones, no extras, no files) and the
// extras escaping of mercurial/changelog.py (its doctests included).
#include "hg/changeset.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

using std::string_literals::operator""s;

const std::string kManifest = "0123456789abcdef0123456789abcdef01234567";

TEST(Changeset, ParsesAFullEntry) {
  Changeset cs = ParseChangeset(kManifest +
                                "\nAnn <ann@example.com>\n1600000000 -7200 branch:stable\0"
                                "close:1\na\nd/b\n\nsummary\n\nbody"s);
  EXPECT_EQ(cs.manifest, kManifest);
  EXPECT_EQ(cs.user, "Ann <ann@example.com>");
  EXPECT_EQ(cs.time, 1600000000);
  EXPECT_EQ(cs.tz, -7200);
  EXPECT_EQ(cs.branch(), "stable");
  EXPECT_EQ(cs.extras.at("close"), "1");
  EXPECT_EQ(cs.files, (std::vector<std::string>{"a", "d/b"}));
  EXPECT_EQ(cs.description, "summary\n\nbody");
}

TEST(Changeset, OldStyleEntriesWithoutExtrasOrFiles) {
  Changeset cs = ParseChangeset(kManifest + "\nu\n1234567890.75 bad\n\n");
  EXPECT_EQ(cs.time, 1234567890);
  EXPECT_EQ(cs.tz, 0);  // as hg: an unparsable zone reads 0
  EXPECT_EQ(cs.branch(), "default");
  EXPECT_EQ(cs.extras.size(), 1u);
  EXPECT_TRUE(cs.files.empty());
  EXPECT_EQ(cs.description, "");
  EXPECT_EQ(ParseChangeset("").manifest, std::string(40, '0'));
}

TEST(Changeset, TruncatedEntriesAreMalformed) {
  EXPECT_THROW(ParseChangeset(kManifest + "\nuser\n"), Error);
  EXPECT_THROW(ParseChangeset(kManifest + "\nuser\n1 0\nfile\nno blank line"), Error);
  EXPECT_THROW(ParseChangeset(kManifest + "\nuser\nnot-a-time 0\n\n"), Error);
}

TEST(Changeset, DecodesExtrasAsMercurial) {
  // changelog.decodeextra doctests.
  auto a = DecodeChangesetExtras("baz:\\x002\0foo:bar"s);
  EXPECT_EQ(a, (std::map<std::string, std::string>{{"baz",
                                                    "\0"
                                                    "2"s},
                                                   {"branch", "default"},
                                                   {"foo", "bar"}}));
  auto b = DecodeChangesetExtras("baz:\\\\\\x002\0foo:bar"s);
  EXPECT_EQ(b.at("baz"),
            "\\\0"
            "2"s);
  // _string_escape's doctest text: "\\0" before digits is a NUL, "\\\\0" a
  // backslash then '0'.
  auto c = DecodeChangesetExtras("k:ab\\ncd\\\\\\\\n\\012ab\\rcd\\\\\\n");
  EXPECT_EQ(c.at("k"),
            "ab\ncd\\\\n\0"
            "12ab\rcd\\\n"s);
  EXPECT_EQ(DecodeChangesetExtras("k:\\101\\q\\\\0").at("k"), "A\\q\\0");
  EXPECT_EQ(DecodeChangesetExtras("k:a:b").at("k"), "a:b");
  EXPECT_THROW(DecodeChangesetExtras("nocolon"), Error);
  EXPECT_THROW(DecodeChangesetExtras("k:\\x4"), Error);
}

}  // namespace
}  // namespace hgc
