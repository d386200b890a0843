// A mirror's pages as a person's browser shows them (issue 16): headless
// Chromium (driven by tests/clients/page_check.py) loads the index, a
// repository, a changeset, pushloghtml and a file view from a mirror, and
// the test asserts on what the page computed: its style sheet loaded and
// applied, no broken image, push data and Bugzilla links where expected.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cluster_fixture.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

TEST(HgwebThemeE2E, EveryPageHasItsStyleItsImagesAndItsPushData) {
  ASSERT_TRUE(std::filesystem::exists(kChromium))
      << kChromium << " is missing: run scripts/install-deps.sh";
  ClusterOptions options;
  options.mirrors = 1;
  Cluster c(options);
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  WriteFileAtomic(client + "/README", "hello\n");
  ASSERT_EQ(c.Hg("-R " + client + " commit -qA -m 'Bug 1000001 - Add a README r=alice'").exit_code,
            0);
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  std::string node = c.Hg("-R " + client + " log -r tip -T '{node}'").out;

  std::string base = c.Status()["mirrors"][0]["http"].get<std::string>();
  std::vector<std::string> urls{base, base + "repo", base + "repo/rev/" + node,
                                base + "repo/pushloghtml", base + "repo/file/tip/README"};
  std::string cmd = fmt::format("/usr/bin/python3 {}/tests/clients/page_check.py {}",
                                HGCLUSTER_SOURCE_DIR, kChromium);
  for (const auto& u : urls) cmd += " " + u;
  auto run = Sh(cmd);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::istringstream lines(run.out);
  std::vector<nlohmann::json> pages;
  for (std::string line; std::getline(lines, line);) pages.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(pages.size(), urls.size()) << run.out;

  for (const auto& page : pages) {
    SCOPED_TRACE(page["url"].get<std::string>());
    EXPECT_EQ(page["status"], 200) << page.dump(2);
    EXPECT_FALSE(page["sheets"].empty()) << page.dump(2);
    EXPECT_TRUE(page["sheets_loaded"].get<bool>()) << page.dump(2);
    EXPECT_NE(page["body_font"].get<std::string>().find("sans-serif"), std::string::npos)
        << "the style sheet is not applied: " << page.dump(2);
    EXPECT_GT(page["images"].get<int>(), 0) << "the logo";
    EXPECT_TRUE(page["broken_images"].empty()) << page.dump(2);
  }
  EXPECT_NE(pages[0]["text"].get<std::string>().find("repo"), std::string::npos);
  const auto& changeset = pages[2];
  EXPECT_EQ(changeset["push_rows"], 1) << changeset.dump(2);
  EXPECT_NE(changeset["text"].get<std::string>().find("push 1 by "), std::string::npos)
      << changeset.dump(2);
  EXPECT_GE(changeset["bug_links"].get<int>(), 1) << changeset.dump(2);
  const auto& pushlog = pages[3];
  EXPECT_EQ(pushlog["push_rows"], 1) << pushlog.dump(2);
  EXPECT_GE(pushlog["bug_links"].get<int>(), 1) << pushlog.dump(2);
  EXPECT_NE(pages[4]["text"].get<std::string>().find("hello"), std::string::npos);
}

}  // namespace
}  // namespace hgc::test
