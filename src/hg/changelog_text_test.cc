// Changeset texts read natively (ChangelogIndex::RevisionText +
// ParseChangeset) against what the real hg prints for the same repository:
// zstd and zlib, inline and split changelogs, with and without generaldelta,
// merges, named and closed branches, escaped extras, non-ASCII texts, and
// delta chains (which modern hg never writes for a changelog, so the test
// rewrites one and lets `hg verify` vouch for it).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "hg/changeset.h"
#include "hg/repo_state.h"
#include "hg/revlog_chunk.h"
#include "hg/revlog_index.h"
#include "test_support.h"

namespace hgc {
namespace {

using test::ScratchDir;
using test::Sh;

const std::map<std::string, std::string> kHgEnv = {
    {"HGRCPATH", ""}, {"HGPLAIN", "1"}, {"HGENCODING", "utf-8"}, {"HGUSER", "test"}};

std::string Hex(std::string_view s) {
  return HexEncode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string MustSh(const std::string& cmd) {
  auto r = Sh(cmd, kHgEnv);
  EXPECT_TRUE(r.ok()) << cmd << "\n" << r.out << r.err;
  return r.out;
}

// One line per revision; hex where a field may hold any byte.
std::string HgLog(const std::string& repo) {
  return MustSh("hg -R " + repo +
                " log --hidden -r 'all()' -T '{node}|{manifest % \"{node}\"}|{author|hex}|"
                "{date|hgdate}|{branch|hex}|{join(files, \"\\n\")|hex}|{desc|hex}|"
                "{extras % \"{key|hex}={value|hex},\"}\\n'");
}

std::string NativeLog(const std::string& repo) {
  ChangelogIndex index = ChangelogIndex::Load(repo);
  std::string out;
  for (int r = 0; r < index.size(); ++r) {
    Changeset cs = ParseChangeset(index.RevisionText(r));
    std::string files;
    for (size_t i = 0; i < cs.files.size(); ++i) files += (i ? "\n" : "") + cs.files[i];
    out += fmt::format("{}|{}|{}|{} {}|{}|{}|{}|", index.NodeHex(r), cs.manifest, Hex(cs.user),
                       cs.time, cs.tz, Hex(cs.branch()), Hex(files), Hex(cs.description));
    for (const auto& [k, v] : cs.extras) out += Hex(k) + "=" + Hex(v) + ",";
    out += "\n";
  }
  return out;
}

// Sets extras hg's commit command cannot: escapes, NULs, "\0" followed by
// digits, a backslash at the end, non-ASCII, ':' in a value.
constexpr const char* kExtrasExtension = R"PY(
from mercurial import changelog, extensions

def add(orig, self, manifest, files, desc, tr, p1, p2, user, date=None, extra=None):
    extra = dict(extra or {})
    extra[b'weird'] = b'a\\0b\nc\\\\0d\x00' + b'12e\tf\r\xc3\xa9 :colon\\'
    extra[b'nul'] = b'\x00'
    extra[b'source'] = b'0123456789abcdef0123456789abcdef01234567'
    extra[b'esc\\key'] = b'\x01\x7f\xff\\n'
    return orig(self, manifest, files, desc, tr, p1, p2, user, date, extra)

def extsetup(ui):
    extensions.wrapfunction(changelog.changelog, 'add', add)
)PY";

// Commits covering what a changelog entry can hold.
void MakeHistory(const ScratchDir& dir, const std::string& init_options) {
  {
    std::ofstream(dir / "extras.py") << kExtrasExtension;
    std::ofstream(dir / "desc.txt") << "multi-line description\n\nwith a blank line, "
                                       "non-ASCII \xc3\xa9t\xc3\xa9 \xe2\x9c\x93\n  indented\n";
  }
  std::string repo = dir / "repo";
  MustSh("hg init " + init_options + " " + repo + " && cd " + repo +
         " && echo a > a && hg add a"
         " && hg commit -m first -u 'J\xc3\xbcrgen \xc3\x9cser <ju@example.com>'"
         " -d '1600000000 -3600'"
         " && hg branch -q stable && echo b > 'b f\xc3\xafl\xc3\xa9' && hg commit -qA -l " +
         dir / "desc.txt" +
         " -d '1600000100 7200'"
         " && hg up -q default && echo c > a && hg commit -m 'on default' -d '1600000200 0'"
         " && hg merge -q stable && hg commit -m merge"
         " && hg branch -q closing && echo x > x && hg commit -qAm 'to close'"
         " && hg commit --close-branch -m closed"
         " && hg up -q default && hg rm -q a && hg commit -m 'remove a'"
         " && hg commit --config ui.allowemptycommit=1 -m 'no files'"
         " && echo e > e && hg commit -qAm 'with extras' --config extensions.extras=" +
         dir / "extras.py" + " && mkdir -p d/e && echo y > d/e/y && hg commit -qAm nested");
}

std::string Requires(const std::string& repo) {
  return ReadFileOrEmpty(repo + "/.hg/requires") + ReadFileOrEmpty(repo + "/.hg/store/requires");
}

TEST(ChangelogText, MatchesHgWithDefaultZstdCompression) {
  ScratchDir dir;
  MakeHistory(dir, "");
  std::string repo = dir / "repo";
  ASSERT_NE(Requires(repo).find("revlog-compression-zstd"), std::string::npos);
  ChangelogIndex index = ChangelogIndex::Load(repo);
  EXPECT_TRUE(index.is_inline());
  EXPECT_EQ(index.size(), 10);
  std::string hg = HgLog(repo);
  EXPECT_EQ(NativeLog(repo), hg);
  // The extras really hold what the test is about.
  EXPECT_NE(hg.find(Hex("weird") + "="), std::string::npos);

  Changeset merge = ParseChangeset(index.RevisionText(3));
  EXPECT_EQ(merge.description, "merge");
  EXPECT_EQ(index.at(3).p2, 1);
  Changeset closed = ParseChangeset(index.RevisionText(5));
  EXPECT_EQ(closed.branch(), "closing");
  EXPECT_EQ(closed.extras.at("close"), "1");
  Changeset first = ParseChangeset(index.RevisionText(0));
  EXPECT_EQ(first.user, "J\xc3\xbcrgen \xc3\x9cser <ju@example.com>");
  EXPECT_EQ(first.time, 1600000000);
  EXPECT_EQ(first.tz, -3600);
  EXPECT_EQ(first.files, std::vector<std::string>{"a"});
  Changeset extras = ParseChangeset(index.RevisionText(8));
  EXPECT_EQ(extras.extras.at("weird"),
            std::string("a\\0b\nc\\\\0d") + '\0' + "12e\tf\r\xc3\xa9 :colon\\");
  EXPECT_EQ(extras.extras.at("nul"), std::string(1, '\0'));
  EXPECT_EQ(extras.extras.at("esc\\key"), "\x01\x7f\xff\\n");
  EXPECT_TRUE(ParseChangeset(index.RevisionText(7)).files.empty());
}

TEST(ChangelogText, MatchesHgWithZlibAndWithoutGeneralDelta) {
  ScratchDir dir;
  MakeHistory(dir,
              "--config format.revlog-compression=zlib --config format.usegeneraldelta=no "
              "--config format.sparse-revlog=no");
  std::string repo = dir / "repo";
  ASSERT_EQ(Requires(repo).find("revlog-compression-zstd"), std::string::npos);
  ChangelogIndex index = ChangelogIndex::Load(repo);
  EXPECT_FALSE(index.generaldelta());
  EXPECT_EQ(NativeLog(repo), HgLog(repo));
}

TEST(ChangelogText, MatchesHgWithASplitChangelog) {
  ScratchDir dir;
  std::string repo = dir / "repo";
  // debugbuilddag writes 4000 small changesets fast; the data passes the
  // 128 KiB inline limit, so hg moves it to 00changelog.d.
  MustSh("hg init " + repo + " && cd " + repo +
         " && hg debugbuilddag '+4000' && echo a > a && hg commit -qAm 'after the split'"
         " && hg branch -q other && hg commit -m 'on other' -u 'Z\xc3\xb6"
         "e'");
  ASSERT_TRUE(std::filesystem::exists(repo + "/.hg/store/00changelog.d"));
  ChangelogIndex index = ChangelogIndex::Load(repo);
  EXPECT_FALSE(index.is_inline());
  EXPECT_EQ(index.size(), 4002);
  EXPECT_EQ(NativeLog(repo), HgLog(repo));
  EXPECT_EQ(index.RevOf(index.NodeHex(4001)), 4001);
  // The newest revisions are found without the node map, older ones with it,
  // and a node the changelog does not have with neither.
  EXPECT_EQ(index.RevOf(index.NodeHex(3800)), 3800);
  std::string absent = index.NodeHex(17);
  absent[0] = absent[0] == 'f' ? '0' : 'f';
  EXPECT_EQ(index.RevOf(absent), std::nullopt);
  EXPECT_EQ(index.RevOf(index.NodeHex(17)), 17);
  EXPECT_EQ(index.RevOf(std::string(40, 'z')), std::nullopt);
}

TEST(ChangelogText, ChangelogV2AndRevlogV2AreMalformedSoCallersAskHg) {
  for (const char* option : {"format.exp-use-changelog-v2", "experimental.revlogv2"}) {
    ScratchDir dir;
    std::string repo = dir / "repo";
    MustSh(fmt::format("hg init --config {}=enable-unstable-format-and-corrupt-my-data {}", option,
                       repo) +
           " && cd " + repo + " && echo a > a && hg commit -qAm a");
    try {
      ChangelogIndex::Load(repo);
      ADD_FAILURE() << option << ": the changelog was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kMalformed);
      EXPECT_NE(std::string(e.what()).find("changelog-v2"), std::string::npos) << e.what();
    }
  }
}

// ---- Delta chains -------------------------------------------------------

void PutBe32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xFF);
}

// One mpatch hunk replacing the differing middle of `from` by that of `to`.
std::string MakeDelta(const std::string& from, const std::string& to) {
  size_t pre = 0;
  while (pre < from.size() && pre < to.size() && from[pre] == to[pre]) ++pre;
  size_t suf = 0;
  while (suf < from.size() - pre && suf < to.size() - pre &&
         from[from.size() - 1 - suf] == to[to.size() - 1 - suf]) {
    ++suf;
  }
  std::string out;
  PutBe32(out, static_cast<uint32_t>(pre));
  PutBe32(out, static_cast<uint32_t>(from.size() - suf));
  PutBe32(out, static_cast<uint32_t>(to.size() - pre - suf));
  out += to.substr(pre, to.size() - pre - suf);
  return out;
}

std::string Zlib(const std::string& data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(data.data()), data.size(), 6),
            Z_OK);
  out.resize(size);
  return out;
}

// Rewrites `repo`'s changelog as a split revlog whose revisions are deltas:
// with generaldelta against p1 (a full text every 5th revision), without it
// against the previous revision (a new chain every 5th). Chunks alternate
// between zlib and 'u' literals.
void RewriteWithDeltas(const std::string& repo, bool generaldelta) {
  ChangelogIndex index = ChangelogIndex::Load(repo);
  std::vector<std::string> texts;
  for (int r = 0; r < index.size(); ++r) texts.push_back(index.RevisionText(r));
  std::string idx, data;
  for (int r = 0; r < index.size(); ++r) {
    const auto& e = index.at(r);
    int base = r;
    std::string payload = texts[static_cast<size_t>(r)];
    if (r % 5 != 0) {
      int against = generaldelta ? (e.p1 >= 0 ? e.p1 : r) : r - 1;
      if (against != r) {
        payload = MakeDelta(texts[static_cast<size_t>(against)], payload);
        base = generaldelta ? against : r - r % 5;
      }
    }
    std::string chunk = r % 2 ? Zlib(payload) : "u" + payload;
    std::string entry;
    uint64_t offset_flags = static_cast<uint64_t>(data.size()) << 16;
    if (r == 0) offset_flags = (generaldelta ? (1ull << 17) : 0) | 1;  // header: v1 flags
    if (r == 0) offset_flags <<= 32;
    for (int s = 56; s >= 0; s -= 8) entry += static_cast<char>((offset_flags >> s) & 0xFF);
    PutBe32(entry, static_cast<uint32_t>(chunk.size()));
    PutBe32(entry, static_cast<uint32_t>(texts[static_cast<size_t>(r)].size()));
    PutBe32(entry, static_cast<uint32_t>(base));
    PutBe32(entry, static_cast<uint32_t>(e.link_rev));
    PutBe32(entry, static_cast<uint32_t>(e.p1));
    PutBe32(entry, static_cast<uint32_t>(e.p2));
    entry.append(reinterpret_cast<const char*>(e.node.data()), 20);
    entry.append(12, '\0');
    idx += entry;
    data += chunk;
  }
  WriteFileAtomic(repo + "/.hg/store/00changelog.i", idx);
  WriteFileAtomic(repo + "/.hg/store/00changelog.d", data);
}

class ChangelogDeltaChains : public testing::TestWithParam<bool> {};

TEST_P(ChangelogDeltaChains, HgVerifiesTheRewriteAndNativeTextsMatch) {
  ScratchDir dir;
  MakeHistory(dir, "");
  std::string repo = dir / "repo";
  std::string before = HgLog(repo);
  RewriteWithDeltas(repo, GetParam());
  auto verify = Sh("hg -R " + repo + " verify -q", kHgEnv);
  EXPECT_TRUE(verify.ok()) << verify.out << verify.err;
  ChangelogIndex index = ChangelogIndex::Load(repo);
  EXPECT_FALSE(index.is_inline());
  EXPECT_EQ(index.generaldelta(), GetParam());
  EXPECT_NE(index.at(4).base, 4);  // really a delta
  EXPECT_EQ(HgLog(repo), before);
  EXPECT_EQ(NativeLog(repo), before);
}

INSTANTIATE_TEST_SUITE_P(GeneralDelta, ChangelogDeltaChains, testing::Bool());

}  // namespace
}  // namespace hgc
