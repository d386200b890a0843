// A repository path from the log maps inside its root or is refused.
#include "routing/confined_path.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/error.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

std::string RefusalOf(const RewriteRules& rules, const std::string& wire, bool links = false) {
  try {
    ConfineWirePath(rules, wire, links);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRefused);
    return e.what();
  }
  return "";
}

TEST(RelativeRepoPathProblemTest, AcceptsCleanNamesOnly) {
  EXPECT_EQ(RelativeRepoPathProblem("mozilla-central"), std::nullopt);
  EXPECT_EQ(RelativeRepoPathProblem("integration/autoland"), std::nullopt);
  EXPECT_EQ(RelativeRepoPathProblem("users/a@b.c/x..y"), std::nullopt);
  for (const char* bad : {"", "..", "../x", "a/../../b", "a/..", ".", "a/./b", "/abs", "a//b",
                          "a/", ".hg", "a/.hg/store", ".hgcluster-deleting-x.1"}) {
    EXPECT_NE(RelativeRepoPathProblem(bad), std::nullopt) << bad;
  }
  EXPECT_NE(RelativeRepoPathProblem(std::string("a\0b", 3)), std::nullopt);
  EXPECT_NE(RelativeRepoPathProblem("a\nb"), std::nullopt);
  EXPECT_NE(RelativeRepoPathProblem(std::string(1025, 'a')), std::nullopt);
}

TEST(ConfineWirePathTest, MapsThroughTheFirstMatchingRule) {
  const RewriteRules rules = {{"{moz}", "/srv/repos/"}, {"{other}/", "/srv/other"}};
  auto p = ConfineWirePath(rules, "{moz}/integration/autoland", true);
  EXPECT_EQ(p.root, "/srv/repos");
  EXPECT_EQ(p.relative, "integration/autoland");
  EXPECT_EQ(p.local, "/srv/repos/integration/autoland");
  EXPECT_EQ(ConfineWirePath(rules, "{other}/x", true).local, "/srv/other/x");
}

TEST(ConfineWirePathTest, RefusesEveryWayOut) {
  const RewriteRules rules = {{"{moz}", "/srv/repos"}};
  EXPECT_NE(RefusalOf(rules, "{moz}/../../../../tmp/x").find("'..' segment"), std::string::npos);
  EXPECT_NE(RefusalOf(rules, "{moz}/a/../../b"), "");
  EXPECT_NE(RefusalOf(rules, "{moz}"), "");          // the root itself
  EXPECT_NE(RefusalOf(rules, "{moz}/"), "");
  EXPECT_NE(RefusalOf(rules, "{moz}//etc"), "");
  EXPECT_NE(RefusalOf(rules, "{moz}/a/.hg"), "");
  // A key is a prefix of whole segments: "{moz}x" is beside the root, not in it.
  EXPECT_NE(RefusalOf(rules, "{moz}x/y").find("matches no [path_rewrites] rule"),
            std::string::npos);
  // Absolute paths and other prefixes match no rule (the reference used them verbatim).
  EXPECT_NE(RefusalOf(rules, "/etc/cron.d").find("matches no"), std::string::npos);
  EXPECT_NE(RefusalOf({}, "{moz}/a").find("matches no"), std::string::npos);
  // The refusal names the path with control characters escaped.
  std::string error = RefusalOf(rules, "{moz}/a\nforged line");
  EXPECT_NE(error.find("{moz}/a\\nforged line"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(ConfineWirePathTest, SymlinksBelowTheRootAreRefusedUnlessAllowed) {
  fs::path dir = fs::temp_directory_path() / ("confined-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "repos" / "real" / "repo");
  fs::create_directories(dir / "outside" / "victim");
  fs::create_directory_symlink(dir / "outside", dir / "repos" / "link");
  // The root itself may be a link (/srv -> /data/srv is common).
  fs::create_directory_symlink(dir / "repos", dir / "root-link");
  const RewriteRules rules = {{"{moz}", (dir / "root-link").string()}};
  EXPECT_EQ(ConfineWirePath(rules, "{moz}/real/repo", false).local,
            (dir / "root-link" / "real" / "repo").string());
  // Components that do not exist yet (a new repository) are fine.
  EXPECT_EQ(ConfineWirePath(rules, "{moz}/real/new/deeper", false).relative, "real/new/deeper");
  std::string error = RefusalOf(rules, "{moz}/link/victim");
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  EXPECT_NE(RefusalOf(rules, "{moz}/link"), "");
  EXPECT_EQ(SymlinkBelow((dir / "repos").string(), "link/victim"), (dir / "repos/link").string());
  EXPECT_EQ(ConfineWirePath(rules, "{moz}/link/victim", true).local,
            (dir / "root-link" / "link" / "victim").string());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hgc
