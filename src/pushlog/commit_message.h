// Mozilla's commit message conventions, read as hg.mozilla.org reads them
// for its web API (json-automationrelevance, changeset pages): bug numbers,
// the reviewers named on the summary line, the changesets a backout names
// and the git commits a revert names. Same matches as the reference's
// regular expressions (mozautomation/commitparser.py), written as linear
// scanners: descriptions come from whoever pushes and may be megabytes.
// "Word" characters are ASCII [A-Za-z0-9_], as in a bytes regex.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hgc {

// Bug numbers in order of first mention, without duplicates, each below
// 100,000,000: "bug N", "b=N", a number of 5 or more digits standing alone,
// a number opening the text. Only "bug N"/"b=N" when the text has a
// `Source-Repo: https://github.com/...` line or starts with "Bumping gaia.json".
std::vector<int64_t> ParseBugs(std::string_view text);

// Names after r=, r?, a=, sr=, rs=, ui-r= (and the `?` forms) on the first
// line, lists split at , ; / \ — "Bug 1 - x r=alice,bob a=carol" gives
// alice, bob, carol.
std::vector<std::string> ParseReviewers(std::string_view description);

// The 12-hex short nodes a backout names ("Backed out changeset X",
// "Backed out 2 changesets (bug 1)" with one "Backed out changeset X" per
// following line, "Backed out changesets X and Y"), as written; nullopt
// when the first line does not say it is a backout.
std::optional<std::vector<std::string>> ParseBackouts(std::string_view description);

// The 40-hex git commits a revert names ("Revert ..." then lines
// "This reverts commit <sha>."); nullopt when the first line is not a revert.
std::optional<std::vector<std::string>> ParseReverts(std::string_view description);

// Where `text` says "bug N" (any case, "bug 1", "Bug #1", "bug1"), for
// links to the bug: [begin, end) of each mention and its number (1 to 9
// digits), as the mirrors' `[websub]` rule finds them in hgweb pages
// (\b(bug\s*#?\s*)(\d{1,9})\b).
struct BugMention {
  size_t begin = 0;
  size_t end = 0;
  std::string number;
};
std::vector<BugMention> FindBugMentions(std::string_view text);

// Lines as Python's bytes.splitlines() cuts them (\n, \r, \r\n).
std::vector<std::string_view> SplitLines(std::string_view text);

}  // namespace hgc
